// Which Python the torch engine uses, and what the doctor says about a Python it probed for real.
import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { choosePython, projectEnvPython, pythonChildEnv } from '../../../src/core/engine/pythonLocation';
import { probePython } from '../../../src/core/engine/pythonProbe';
import { SETUP_TORCH, torchReport } from '../../../src/core/engine/doctor';

describe('python discovery and the doctor', () => {
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-python-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('takes --python, then the setting, then the Python extension, then the project env, then python3', () => {
    const env = { SPO_TORCH_ENV: path.join(dir, 'env') };
    const all = { flag: '/a/python', setting: '/b/python', pythonExtension: '/c/python', env };
    assert.deepEqual(choosePython(all), { command: '/a/python', source: 'flag' });
    assert.deepEqual(choosePython({ ...all, flag: '' }), { command: '/b/python', source: 'setting' });
    assert.deepEqual(choosePython({ ...all, flag: null, setting: '  ' }), { command: '/c/python', source: 'python-extension' });
    assert.equal(choosePython({ env }).source, 'path', 'no env folder yet');
    fs.mkdirSync(path.dirname(projectEnvPython(env)), { recursive: true });
    fs.writeFileSync(projectEnvPython(env), '');
    assert.deepEqual(choosePython({ env }), { command: projectEnvPython(env), source: 'project-env' });
  });

  it('keeps npm_config_* out of the child environment', () => {
    const env = pythonChildEnv({ PATH: '/bin', npm_config_prefix: '/x', NPM_CONFIG_USERCONFIG: '/y' });
    assert.equal(env.PATH, '/bin');
    assert.equal(env.npm_config_prefix, undefined);
    assert.equal(env.NPM_CONFIG_USERCONFIG, undefined);
  });

  it('a missing interpreter is one problem naming the fix', async () => {
    const missing = path.join(dir, 'no-such-python');
    const probe = await probePython(missing, 10_000);
    assert.equal(probe.ran, false);
    const report = torchReport({ command: missing, source: 'flag' }, probe);
    assert.equal(report.ready, false);
    assert.equal(report.problems.length, 1);
    assert.match(report.problems[0].what, /not found/);
    assert.match(report.problems[0].install, new RegExp(SETUP_TORCH.replace(/[:]/g, '.')));
  });

  it('a Python without torch lists each missing package with the pip command for that Python', async () => {
    // A bare interpreter: -I ignores PYTHONPATH and user site-packages, so nothing of the engine is found.
    const bare = path.join(dir, 'bare-python');
    fs.writeFileSync(bare, `#!/bin/sh\nexec python3 -I -S "$@"\n`, { mode: 0o755 });
    const probe = await probePython(bare, 30_000);
    assert.equal(probe.ran, true, probe.error);
    const report = torchReport({ command: bare, source: 'setting' }, probe);
    assert.equal(report.ready, false);
    const what = report.problems.map((p) => p.what).join('\n');
    for (const name of ['torch', 'trl', 'transformers', 'accelerate', 'spo_torch']) assert.match(what, new RegExp(name));
    for (const p of report.problems) assert.match(p.install, /-m pip install -e '.*\[peft\]'/);
  });
});
