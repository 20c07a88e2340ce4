// The JSON Schemas a second engine validates against: the committed files are what `spo schema` prints,
// and a real tiny-preset run's config.json and every metrics.jsonl line validate against them.
import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv2020 from 'ajv/dist/2020';
import { schemaText } from '../../../src/cli/commands/schema';
import { resolveConfig } from '../../../src/core/train/config';
import { train } from '../../../src/core/train/trainer';
import { isTrainerEvent } from '../../../src/core/protocol';
import { HH_SAMPLE, REPO_ROOT } from '../../helpers/paths';

const committed = (name: string) => fs.readFileSync(path.join(REPO_ROOT, 'schemas', `${name}.schema.json`), 'utf8');

function validator(name: string) {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  return ajv.compile(JSON.parse(committed(name)));
}

describe('JSON Schemas', () => {
  it('schemas/*.schema.json are what spo schema generates (regenerate: npm run schemas)', () => {
    for (const name of ['config', 'events']) assert.equal(committed(name), schemaText(name), `schemas/${name}.schema.json is out of date`);
  });

  it('the default config validates, and a wrong value or an unknown key does not', () => {
    const validate = validator('config');
    const cfg = resolveConfig([{ values: { data: 'x.jsonl' } }]);
    assert.ok(validate(cfg), JSON.stringify(validate.errors));
    assert.equal(validate({ ...cfg, spo_classes: 1 }), false);
    assert.equal(validate({ ...cfg, loss_type: 'sigmoid' }), false, 'the resolved config holds a list');
    assert.equal(validate({ ...cfg, 'spo.gamma': 0.1 }), false);
  });

  it('rejects malformed events the way isTrainerEvent does', () => {
    const validate = validator('events');
    for (const bad of [{ type: 'metrics' }, { type: 'metrics', split: 'test', row: { step: 1 }, time: 0 }, { type: 'alert', code: 'boom', step: 1, message: '', time: 0 }, { type: 'nope' }]) {
      assert.equal(validate(bad), false, JSON.stringify(bad));
      assert.equal(isTrainerEvent(bad), false, JSON.stringify(bad));
    }
    const good = { type: 'metrics', split: 'train', row: { step: 1, loss: 0.69, 'rewards/chosen': null }, time: 1 };
    assert.ok(validate(good), JSON.stringify(validate.errors));
    assert.ok(isTrainerEvent(good));
  });

  describe('a real tiny-preset run', () => {
    let dir: string;
    before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-schema-')); });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('writes a config.json and metrics.jsonl lines that validate', async () => {
      const runDir = path.join(dir, 'run');
      const config = resolveConfig([{ values: {
        data: HH_SAMPLE, output_dir: runDir, backend: 'wasm', max_pairs: 24, max_steps: 3, eval_steps: 2, save_steps: 0, per_device_train_batch_size: 4,
        max_length: 48, tiny_vocab_size: 300, tiny_d_model: 16, tiny_n_layers: 1, tiny_n_heads: 2, tiny_context_length: 48, tiny_sft_steps: 2,
      } }]);
      const result = await train({ config, runDir });
      assert.equal(result.reason, 'completed');
      const validateConfig = validator('config');
      const written: unknown = JSON.parse(fs.readFileSync(path.join(runDir, 'config.json'), 'utf8'));
      assert.ok(validateConfig(written), JSON.stringify(validateConfig.errors));
      const validateEvent = validator('events');
      const lines = fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n');
      const types = new Set<string>();
      for (const line of lines) {
        const event = JSON.parse(line) as { type: string; split?: string };
        assert.ok(validateEvent(event), `${line}\n${JSON.stringify(validateEvent.errors)}`);
        assert.ok(isTrainerEvent(event), line);
        types.add(event.type === 'metrics' ? `metrics/${event.split}` : event.type);
      }
      for (const t of ['started', 'metrics/train', 'metrics/eval', 'progress', 'log', 'checkpoint', 'done']) assert.ok(types.has(t), `no ${t} event in ${[...types].join(', ')}`);
    });
  });
});
