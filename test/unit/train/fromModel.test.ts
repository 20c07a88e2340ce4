// Training from an HF model folder (`model: DIR`): a tiny random Llama (GQA, untied head) and a tiny
// GPT-2, each saved with a trained byte-level BPE tokenizer, train a few steps, checkpoint, and resume.
import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Writable } from 'stream';
import { generateDemoPairs } from '../../../src/core/data/demoData';
import { loadTf } from '../../../src/core/model/backend';
import { createGpt2 } from '../../../src/core/model/gpt2';
import { createLlama } from '../../../src/core/model/llama';
import { loadCausalLM, saveCausalLM } from '../../../src/core/model/checkpoint';
import { trainByteLevelBpe } from '../../../src/core/model/bpeTrainer';
import { HfTextTokenizer } from '../../../src/core/model/tokenizer';
import type { CausalLMConfig, TF } from '../../../src/core/model/types';
import { runTrainer } from '../../../src/trainer/run';
import type { MetricsRow, TrainerEvent } from '../../../src/core/protocol/trainer';

/** A stderr stand-in that keeps what the trainer prints (shown when an assertion fails). */
class CollectingStream extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

const readEvents = (runDir: string): TrainerEvent[] =>
  fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TrainerEvent);
const trainRows = (events: TrainerEvent[]): MetricsRow[] =>
  events.flatMap((e) => (e.type === 'metrics' && e.row.loss !== undefined ? [e.row] : []));

describe('training from an HF model folder', () => {
  let dir: string;
  let data: string;
  let tf: TF;
  let tokenizer: HfTextTokenizer;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-from-model-'));
    data = path.join(dir, 'demo.jsonl');
    const pairs = generateDemoPairs({ count: 24, seed: 3 });
    fs.writeFileSync(data, pairs.map((p) => JSON.stringify({ prompt: p.prompt, chosen: p.chosen, rejected: p.rejected })).join('\n') + '\n');
    const bpe = trainByteLevelBpe(pairs.flatMap((p) => [p.prompt, p.chosen, p.rejected]), { vocabSize: 300, modelMaxLength: 64 });
    tokenizer = new HfTextTokenizer(bpe.tokenizerJson, bpe.tokenizerConfig);
    tf = (await loadTf({ backend: 'wasm' })).tf;
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const shapes: Array<{ name: string; hfArchitecture: string; config: () => CausalLMConfig }> = [
    {
      name: 'llama',
      hfArchitecture: 'LlamaForCausalLM',
      config: () => ({
        architecture: 'llama', vocabSize: tokenizer.vocabSize, contextLength: 64, dModel: 32, nLayers: 2, nHeads: 4, nKvHeads: 2,
        dFf: 48, tieWordEmbeddings: false, normEps: 1e-5, ropeTheta: 10000, bosTokenId: tokenizer.bosTokenId, eosTokenId: tokenizer.eosTokenId,
      }),
    },
    {
      name: 'gpt2',
      hfArchitecture: 'GPT2LMHeadModel',
      config: () => ({
        architecture: 'gpt2', vocabSize: tokenizer.vocabSize, contextLength: 64, dModel: 32, nLayers: 1, nHeads: 2, nKvHeads: 2,
        dFf: 64, tieWordEmbeddings: true, normEps: 1e-5, bosTokenId: tokenizer.bosTokenId, eosTokenId: tokenizer.eosTokenId,
      }),
    },
  ];

  for (const shape of shapes) {
    it(`trains a tiny random ${shape.name} from its folder via \`spo train --model\` flags, checkpoints it in the same layout, and resumes`, async () => {
      const modelDir = path.join(dir, `${shape.name}-model`);
      const config = shape.config();
      const model = shape.name === 'llama' ? createLlama(tf, config, 7, { namePrefix: `src_${shape.name}` }) : createGpt2(tf, config, 7, { namePrefix: `src_${shape.name}` });
      saveCausalLM(model, modelDir, tokenizer);
      model.dispose();

      // `spo train` itself (the same body the extension forks): 2 steps, then --resume to 3 below.
      const runDir = path.join(dir, `${shape.name}-run`);
      const stderr = new CollectingStream();
      const flags = ['--data', data, '--model', modelDir, '--out', runDir, '--backend', 'wasm', '--max-steps', '2', '--batch-size', '4', '--lr', '1e-3',
        '--set', 'max_length=64', '--set', 'eval_steps=0', '--set', 'save_steps=0', '--set', 'warmup_steps=1', '--set', 'write_degrees=false'];
      assert.equal(await runTrainer(flags, { stderr }), 0, stderr.text);
      const events = readEvents(runDir);
      const started = events.find((e) => e.type === 'started');
      assert.ok(started?.type === 'started');
      assert.equal(started.config.model, modelDir);
      const done = events[events.length - 1];
      assert.ok(done.type === 'done' && done.reason === 'completed' && done.step === 2, `ends done(completed) at step 2: ${JSON.stringify(done)}`);
      const rows = trainRows(events);
      assert.deepEqual(rows.map((r) => r.step), [1, 2]);
      for (const row of rows) {
        for (const [k, v] of Object.entries(row)) assert.ok(Number.isFinite(v), `step ${row.step} ${k} = ${v} is finite`);
      }
      assert.ok(rows[0]['spo/coverage'] > 0, 'SPO variants were built with the folder\'s tokenizer');
      assert.ok(Object.keys(rows[0]).some((k) => k.startsWith('rewards/')), 'the reference (a copy of the folder\'s model) scored the pairs');

      // The checkpoint is an HF folder of the same architecture that loads back.
      const ckpt = path.join(runDir, 'checkpoints', 'step-2');
      const hf = JSON.parse(fs.readFileSync(path.join(ckpt, 'config.json'), 'utf8')) as { architectures: string[] };
      assert.deepEqual(hf.architectures, [shape.hfArchitecture]);
      const back = loadCausalLM(tf, ckpt, { namePrefix: `back_${shape.name}` });
      const orig = loadCausalLM(tf, modelDir, { namePrefix: `orig_${shape.name}` });
      try {
        assert.deepEqual(back.config, orig.config);
        assert.equal(back.config.architecture, shape.name);
        assert.equal(back.config.nKvHeads, config.nKvHeads);
        assert.equal(back.config.tieWordEmbeddings, config.tieWordEmbeddings);
        assert.deepEqual([...back.weights.keys()].sort(), [...orig.weights.keys()].sort());
        // Training moved the weights.
        const name = [...orig.weights.keys()].find((n) => n.includes('layers.0') || n.includes('h.0'))!;
        const moved = tf.tidy(() => tf.max(tf.abs(tf.sub(back.weights.get(name)!, orig.weights.get(name)!))).dataSync()[0]);
        assert.ok(moved > 0, `${name} changed during training`);
      } finally {
        back.dispose();
        orig.dispose();
      }
      assert.ok(fs.existsSync(path.join(ckpt, 'tokenizer.json')));

      // --resume continues from step 2 to 3 with the saved config (model folder included).
      assert.equal(await runTrainer(['--out', runDir, '--resume', '--max-steps', '3'], { stderr }), 0, stderr.text);
      const more = readEvents(runDir).slice(events.length);
      assert.deepEqual(trainRows(more).map((r) => r.step), [3]);
      assert.ok(Object.values(trainRows(more)[0]).every((v) => Number.isFinite(v)));
      const last = more[more.length - 1];
      assert.ok(last.type === 'done' && last.reason === 'completed' && last.step === 3, JSON.stringify(last));
      assert.ok(fs.existsSync(path.join(runDir, 'checkpoints', 'step-3', 'model.safetensors')));
      assert.ok(!fs.existsSync(path.join(runDir, 'degrees.jsonl')), 'write_degrees=false skips degrees.jsonl');
    });
  }
});
