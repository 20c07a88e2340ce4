// The torch engine's launch line per case (one process; torchrun with CPU forced; accelerate), `auto`,
// and config.json in the contract's key names.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { torchLaunchCommand } from '../../../src/core/engine/torchLaunch';
import { resolveEngine } from '../../../src/core/engine/engineChoice';
import { contractConfig } from '../../../src/core/engine/contractConfig';
import type { PythonProbe } from '../../../src/core/engine/pythonProbe';

const base = { python: '/env/bin/python', runDir: '/runs/a', resume: false, numProcesses: 1, accelerateConfig: null, gpus: 1 };
const probe = (over: Partial<PythonProbe>): PythonProbe => ({
  ran: true, executable: '/env/bin/python', packages: { torch: '2.15.0', trl: '1.16.0' }, engine: '0.1.0', preflightError: null,
  cuda: null, cudaAvailable: false, mps: false, gpus: [], ...over,
});

describe('torch launch', () => {
  it('one process runs the module; resume adds --resume', () => {
    assert.deepEqual(torchLaunchCommand(base).args, ['-m', 'spo_torch.train', '--run-dir', '/runs/a']);
    assert.deepEqual(torchLaunchCommand({ ...base, resume: true }).args.slice(-1), ['--resume']);
    assert.deepEqual(torchLaunchCommand({ ...base, gpus: 0 }).env, { ACCELERATE_USE_CPU: '1' });
  });

  it('several CPU processes go through torchrun with CPU forced (accelerate --cpu would start one)', () => {
    const c = torchLaunchCommand({ ...base, gpus: 0, numProcesses: 2 });
    assert.deepEqual(c.args.slice(0, 5), ['-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', '2']);
    assert.deepEqual(c.env, { ACCELERATE_USE_CPU: '1' });
  });

  it('several GPUs or an accelerate config go through accelerate launch', () => {
    const c = torchLaunchCommand({ ...base, gpus: 8, numProcesses: 8, accelerateConfig: '/cfg/zero3.yaml' });
    assert.deepEqual(c.args.slice(0, 7), ['-m', 'accelerate.commands.launch', '--config_file', '/cfg/zero3.yaml', '--num_processes', '8', '-m']);
    const onlyConfig = torchLaunchCommand({ ...base, gpus: 2, accelerateConfig: '/cfg/fsdp2.yaml' });
    assert.ok(!onlyConfig.args.includes('--num_processes'), 'the config file decides the process count');
  });

  it('auto: tfjs without a model; torch only when the probe finds the engine', async () => {
    const python = { command: '/env/bin/python', source: 'project-env' as const };
    assert.equal((await resolveEngine('auto', { model: null, python })).engine, 'tfjs');
    assert.equal((await resolveEngine('auto', { model: '/m', python, probe: async () => probe({}) })).engine, 'torch');
    const old = await resolveEngine('auto', { model: '/m', python, probe: async () => probe({ preflightError: 'trl 1.20.0 is newer than the tested line' }) });
    assert.equal(old.engine, 'tfjs');
    assert.match(old.why!, /trl 1\.20\.0/);
    assert.equal((await resolveEngine('torch', { model: null, python })).engine, 'torch');
  });

  it('config.json uses the contract names; loss_type is a list', () => {
    const c = contractConfig({ loss: 'ipo', batch_size: 4, 'spo.gamma': 0.2, 'spo.classes': 5, maxKeys: 6, eval_every: 10, 'tiny.d_model': 64, beta: 0.1 });
    assert.deepEqual(c, { loss_type: ['ipo'], per_device_train_batch_size: 4, spo_gamma: 0.2, spo_classes: 5, max_keys: 6, eval_steps: 10, tiny_d_model: 64, beta: 0.1 });
    assert.deepEqual(contractConfig({ loss_type: ['sigmoid', 'sft'], spo_gamma: 0.1 }), { loss_type: ['sigmoid', 'sft'], spo_gamma: 0.1 });
  });
});
