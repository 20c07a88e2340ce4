// Training config: defaults from spo-method.md, and bad values rejected with the key named.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, DEFAULT_CONFIG, resolveConfig, upgradeConfigKeys } from '../../../src/core/train/config';
import { parseTrainArgs } from '../../../src/trainer/run';

describe('training config', () => {
  it('has the spo-method defaults', () => {
    const c = resolveConfig([]);
    assert.equal(c.spo_gamma, 0.1);
    assert.equal(c.spo_classes, 4);
    assert.equal(c.beta, 0.1);
    assert.equal(c.max_keys, 8);
    assert.equal(c.extractor, 'rake');
    assert.equal(c.spo_pooling, 'mean');
    assert.deepEqual(c.loss_type, ['sigmoid']);
    assert.deepEqual(c, DEFAULT_CONFIG);
  });

  it('rejects a non-number gamma with a message naming the key', () => {
    assert.throws(() => resolveConfig([{ values: { spo_gamma: 'abc' } }]),
      (err: Error) => err instanceof ConfigError && err.message === 'config key "spo_gamma" must be a number ≥ 0, got "abc"');
  });

  it('reads an older config\'s nested keys (upgraded to today\'s names), and names the file and key of a bad value', () => {
    const c = resolveConfig([{ values: upgradeConfigKeys({ spo: { classes: 6, pooling: 'last' }, beta: 0.5 }) }]);
    assert.equal(c.spo_classes, 6);
    assert.equal(c.spo_pooling, 'last');
    assert.equal(c.beta, 0.5);
    assert.throws(() => resolveConfig([{ values: upgradeConfigKeys({ spo: { classes: 1 } }), where: 'my.json' }]), /my\.json: config key "spo_classes" must be an integer in \[2, 64\], got 1/);
    assert.throws(() => resolveConfig([{ values: { loss_type: 'dpo' } }]), /config key "loss_type" must be a non-empty list of "sigmoid", .*"simpo", "orpo", got "dpo"/);
    assert.throws(() => resolveConfig([{ values: { beta: 0 } }]), /config key "beta" must be a number > 0/);
    assert.throws(() => resolveConfig([{ values: { warmup: 3 } }]), /unknown config key "warmup"/);
    assert.throws(() => resolveConfig([{ values: { tiny_d_model: 30, tiny_n_heads: 4 } }]), /"tiny_d_model" must be divisible/);
  });

  it('merges a config file under CLI flags, and rejects bad flags naming the key', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-config-'));
    const file = path.join(dir, 'c.json');
    fs.writeFileSync(file, JSON.stringify({ spo: { gamma: 0.3 }, beta: 0.2, max_steps: 7 }));
    const parsed = parseTrainArgs(['--data', 'x.jsonl', '--config', file, '--beta', '0.4', '--set', 'eval_steps=3', '--out', dir], dir);
    assert.equal(parsed.config.spo_gamma, 0.3);
    assert.equal(parsed.config.beta, 0.4);
    assert.equal(parsed.config.max_steps, 7);
    assert.equal(parsed.config.eval_steps, 3);
    assert.equal(parsed.config.data, path.join(dir, 'x.jsonl'));
    assert.equal(parsed.runDir, dir);
    assert.throws(() => parseTrainArgs(['--data', 'x', '--gamma', 'abc'], dir), /config key "spo_gamma" must be a number ≥ 0, got "abc"/);
    assert.throws(() => parseTrainArgs(['--data', 'x', '--max-steps', '2.5'], dir), /config key "max_steps" must be an integer/);
    assert.throws(() => parseTrainArgs(['--gamma', '0.1'], dir), /missing --data/);
    fs.writeFileSync(file, '{"beta": }');
    assert.throws(() => parseTrainArgs(['--data', 'x', '--config', file], dir), /c\.json: not valid JSON/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
