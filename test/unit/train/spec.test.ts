// The training spec drives the flags, the usage text, older configs and the TF.js engine's limits.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, readConfigFile, resolveConfig, tfjsEngineProblem } from '../../../src/core/train/config';
import { numericLimits, SETTING_KEYS, TRAIN_SPEC } from '../../../src/core/train/spec';
import { parseTrainArgs, TRAIN_USAGE } from '../../../src/trainer/run';
import { train } from '../../../src/core/train/trainer';

describe('training spec', () => {
  it('every key has a flag in spo train --help, and the aliases users type map onto the new keys', () => {
    for (const s of TRAIN_SPEC) assert.ok(s.flag && TRAIN_USAGE.includes(`--${s.flag}`), `--${s.flag} for ${s.key}`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-spec-'));
    const { config } = parseTrainArgs(['--data', 'x', '--loss', 'ipo', '--gamma', '0.3', '--classes', '5', '--batch-size', '2', '--lr', '0.01',
      '--out', 'r', '--no-write-degrees', '--loss-weights', '1', '--bf16'], dir);
    assert.deepEqual([config.loss_type, config.spo_gamma, config.spo_classes, config.per_device_train_batch_size, config.learning_rate, config.output_dir, config.write_degrees, config.loss_weights, config.bf16],
      [['ipo'], 0.3, 5, 2, 0.01, path.join(dir, 'r'), false, [1], true]);
    assert.throws(() => parseTrainArgs(['--data', 'x', '--loss', 'ipo', '--loss-type', 'hinge'], dir), /--loss-type and --loss both set config key "loss_type"|--loss and --loss-type both/);
    assert.throws(() => parseTrainArgs(['--data', 'x', '--set', 'spo.gamma=1'], dir), /unknown config key "spo\.gamma" in --set \(renamed "spo_gamma"\)/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads an older run\'s config.json (old key names), and writes only new names', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-spec-'));
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(file, JSON.stringify({ data: 'd.jsonl', out: dir, loss: 'hinge', maxKeys: 5, 'spo.gamma': 0.2, batch_size: 3, eval_every: 7, log_every: 2, save_every: 9, 'tiny.d_model': 64 }));
    const cfg = resolveConfig([{ values: readConfigFile(file) }]);
    assert.deepEqual([cfg.output_dir, cfg.loss_type, cfg.max_keys, cfg.spo_gamma, cfg.per_device_train_batch_size, cfg.eval_steps, cfg.logging_steps, cfg.save_steps, cfg.tiny_d_model],
      [dir, ['hinge'], 5, 0.2, 3, 7, 2, 9, 64]);
    assert.deepEqual(Object.keys(cfg), TRAIN_SPEC.map((s) => s.key));
    fs.writeFileSync(file, JSON.stringify({ loss: 'hinge', loss_type: ['ipo'] }));
    assert.throws(() => readConfigFile(file), /config keys "loss" and "loss_type" both set "loss_type"/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the TF.js engine says clearly what only the torch engine trains', async () => {
    const base = { data: 'x' };
    assert.equal(tfjsEngineProblem(resolveConfig([{ values: base }])), null);
    assert.equal(tfjsEngineProblem(resolveConfig([{ values: { ...base, loss_weights: [1] } }])), null);
    assert.match(tfjsEngineProblem(resolveConfig([{ values: { ...base, loss_type: ['sigmoid', 'sft'] } }]))!, /"loss_type": the TF\.js engine trains exactly one of sigmoid \| ipo \| hinge \| simpo \| orpo/);
    assert.match(tfjsEngineProblem(resolveConfig([{ values: { ...base, loss_type: 'robust' } }]))!, /use engine "torch"/);
    assert.match(tfjsEngineProblem(resolveConfig([{ values: { ...base, gradient_accumulation_steps: 2 } }]))!, /"gradient_accumulation_steps": the TF\.js engine supports only 1/);
    assert.match(tfjsEngineProblem(resolveConfig([{ values: { ...base, use_peft: true } }]))!, /"use_peft"/);
    assert.throws(() => resolveConfig([{ values: { ...base, loss_weights: [1, 1] } }]), /"loss_weights" must have one weight per loss_type \(1\)/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-spec-'));
    await assert.rejects(train({ config: resolveConfig([{ values: { ...base, loss_type: ['sigmoid', 'sft'] } }]), runDir: path.join(dir, 'r') }), (e: Error) => e instanceof ConfigError);
    assert.equal(fs.existsSync(path.join(dir, 'r')), false, 'refused before the run folder is claimed');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the picker limits and the settings mapping come from the spec', () => {
    assert.deepEqual(numericLimits('spo_classes'), { min: 2, max: 64, integer: true, minExclusive: false });
    assert.deepEqual(numericLimits('beta'), { min: 0, max: Infinity, integer: false, minExclusive: true });
    assert.deepEqual(SETTING_KEYS, [{ setting: 'train.backend', key: 'backend' }, { setting: 'keys.extractor', key: 'extractor' }, { setting: 'keys.maxKeys', key: 'max_keys' }]);
  });
});
