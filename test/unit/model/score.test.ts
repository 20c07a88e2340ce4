// `spo score` on a tiny saved model: finite log-probs equal to scoring the same pairs directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { runCli } from '../../helpers/cliRun';
import { FIXTURES_DIR, HH_SAMPLE } from '../../helpers/paths';
import { scoreCommand, PairScore } from '../../../src/cli/commands/score';
import {
  loadTf, createCausalLM, saveCausalLM, trainByteLevelBpe, HfTextTokenizer, encodePair, scoreEncoded, CausalLMConfig,
} from '../../../src/core/model';
import { loadPreferenceFile } from '../../../src/core/data';

const DATA = path.join(FIXTURES_DIR, 'model', 'score-pairs.jsonl');

const runScore = (args: string[]) => runCli(scoreCommand, args);

test('spo score prints finite log-probs that match direct scoring', async () => {
  const texts = zlib.gunzipSync(fs.readFileSync(HH_SAMPLE)).toString('utf8').split('\n').filter(Boolean).slice(0, 200)
    .map((l) => (JSON.parse(l) as { chosen: string }).chosen);
  const bpe = trainByteLevelBpe(texts, { vocabSize: 320 });
  const tokenizer = new HfTextTokenizer(bpe.tokenizerJson, bpe.tokenizerConfig);
  const config: CausalLMConfig = {
    architecture: 'gpt2', vocabSize: tokenizer.vocabSize, contextLength: 64, dModel: 16, nLayers: 2, nHeads: 4, nKvHeads: 4,
    dFf: 64, tieWordEmbeddings: true, normEps: 1e-5, bosTokenId: 0, eosTokenId: 0,
  };
  const { tf } = await loadTf({ backend: 'cpu' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-score-'));
  try {
    const model = createCausalLM(tf, config, 11);
    saveCausalLM(model, dir, tokenizer);
    assert.ok(['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json'].every((f) => fs.existsSync(path.join(dir, f))));

    const res = await runScore(['--model', dir, '--data', DATA, '--json', '--batch', '3', '--backend', 'cpu']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /^backend: cpu/m);
    assert.match(res.stderr, /score-pairs\.jsonl:3: /);
    const scores = JSON.parse(res.stdout) as PairScore[];
    assert.deepEqual(scores.map((s) => s.line), [1, 2, 4]);

    const { pairs } = await loadPreferenceFile(DATA);
    const encoded = pairs.flatMap((p) => [encodePair(tokenizer, p.prompt.text, p.chosen.text, 64), encodePair(tokenizer, p.prompt.text, p.rejected.text, 64)]);
    // The long rejected answer of the last pair does not fit in 64 tokens.
    const cut = encoded.filter((e) => e.truncated.prompt + e.truncated.response > 0).length;
    assert.ok(cut >= 1 && cut < 6);
    assert.match(res.stderr, new RegExp(`${cut} of 6 sequences exceeded 64 tokens and were truncated`));
    const direct = scoreEncoded(tf, model, encoded, 1, 0);
    scores.forEach((s, i) => {
      assert.ok(Number.isFinite(s.logp_chosen) && Number.isFinite(s.logp_rejected));
      assert.ok(s.logp_chosen < 0 && s.logp_rejected < 0);
      assert.ok(Math.abs(s.logp_chosen - direct.sum[2 * i]) < 1e-4, `pair ${i} chosen`);
      assert.ok(Math.abs(s.logp_rejected - direct.sum[2 * i + 1]) < 1e-4, `pair ${i} rejected`);
    });
    model.dispose();

    const table = await runScore(['--model', dir, '--data', DATA, '--backend', 'cpu']);
    assert.equal(table.code, 0);
    const lines = table.stdout.trim().split('\n');
    assert.match(lines[0], /line\s+logp_chosen\s+logp_rejected\s+margin/);
    assert.equal(lines.length, 4);
    assert.ok(lines[1].trim().startsWith('1 '));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('spo score reports missing flags and a folder without a model clearly', async () => {
  await assert.rejects(runScore(['--data', DATA]), /--model DIR is required/);
  await assert.rejects(runScore(['--model', FIXTURES_DIR, '--data', DATA, '--batch', '0']), /--batch must be a positive integer/);
  const res = await runScore(['--model', path.join(FIXTURES_DIR, 'model', 'parity', 'gpt2'), '--data', DATA]);
  assert.equal(res.code, 1);
  assert.match(res.stderr, /no tokenizer\.json/);
});
