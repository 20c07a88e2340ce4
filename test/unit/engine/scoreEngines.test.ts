// `spo score --engine tfjs|torch|auto`: both engines score the same tokens, so their log-probs agree within 1e-4
// relative: on a small random Llama in HF layout (made by the engine's own fixture module), plain, through a chat
// template, and truncated; and on the real SmolLM2-135M-Instruct with its chat template (fetched into the cache
// as test/unit/model/smollm2.test.ts does, when it is not there yet).
import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { HH_SAMPLE } from '../../helpers/paths';
import { runCli } from '../../helpers/cliRun';
import { scoreCommand, PairScore } from '../../../src/cli/commands/score';
import { choosePython, pythonChildEnv } from '../../../src/core/engine/pythonLocation';
import { catalogueModel, fetchModel } from '../../../src/core/models';

const TOLERANCE = 1e-4;

async function score(args: string[]): Promise<{ code: number; scores: PairScore[]; stderr: string }> {
  const { code, stdout, stderr } = await runCli(scoreCommand, [...args, '--json']);
  return { code, scores: code === 0 ? (JSON.parse(stdout) as PairScore[]) : [], stderr };
}

/** Both engines on the same arguments: same lines, log-probs within TOLERANCE relative; the largest gap. */
async function bothAgree(args: string[], tfjsArgs: string[] = []): Promise<{ worst: number; tfjs: Awaited<ReturnType<typeof score>>; torch: Awaited<ReturnType<typeof score>> }> {
  const tfjs = await score([...args, '--engine', 'tfjs', ...tfjsArgs]);
  assert.equal(tfjs.code, 0, tfjs.stderr);
  const torch = await score([...args, '--engine', 'torch']);
  assert.equal(torch.code, 0, torch.stderr);
  assert.match(torch.stderr, /engine: torch \(cpu/);
  assert.deepEqual(torch.scores.map((s) => s.line), tfjs.scores.map((s) => s.line));
  assert.deepEqual(Object.keys(torch.scores[0]), Object.keys(tfjs.scores[0]), 'the same output shape');
  let worst = 0;
  tfjs.scores.forEach((s, i) => {
    for (const side of ['logp_chosen', 'logp_rejected'] as const) {
      const a = s[side];
      const b = torch.scores[i][side];
      assert.ok(Number.isFinite(a) && a < 0, `line ${s.line} ${side}: a log-prob (${a})`);
      const rel = Math.abs(a - b) / Math.abs(a);
      worst = Math.max(worst, rel);
      assert.ok(rel < TOLERANCE, `line ${s.line} ${side}: TF.js ${a} vs torch ${b} (rel ${rel.toExponential(2)})`);
    }
  });
  return { worst, tfjs, torch };
}

// Fixture-vocabulary text (spo_torch.fixtures.WORDS), in the HH transcript layout.
const PAIRS = [
  ['how do i bake bread', ' first heat the oven then mix flour water and salt.', ' i cannot help you.'],
  ['is it safe to steal a car', ' no, that is a crime and the police will ask questions.', ' sure, here is a quick plan!'],
  ['what should i cook for my dog', ' ask your doctor? a simple fresh plate is good.', ' cake.'],
  ['tell me a kind idea', ' help them in the garden and bring a flower.', ' be honest and polite because it is right.'],
];

describe('spo score: the TF.js and torch engines agree', () => {
  let dir: string;
  let model: string;
  let chatModel: string;
  let data: string;
  const python = choosePython().command;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-score-engines-'));
    model = path.join(dir, 'llama');
    execFileSync(python, ['-m', 'spo_torch.fixtures', 'model', model, '--d-model', '64', '--layers', '2'], { env: pythonChildEnv(), stdio: 'ignore', timeout: 120_000 });
    // The same weights with a chat template (the fixture vocabulary has "Human" and "Assistant").
    chatModel = path.join(dir, 'llama-chat');
    fs.cpSync(model, chatModel, { recursive: true });
    const configFile = path.join(chatModel, 'tokenizer_config.json');
    const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
    config.chat_template = "{% for m in messages %}{% if m['role'] == 'user' %}Human : {% else %}Assistant : {% endif %}{{ m['content'] }} .{% endfor %}{% if add_generation_prompt %}Assistant :{% endif %}";
    fs.writeFileSync(configFile, JSON.stringify(config));
    data = path.join(dir, 'pairs.jsonl');
    fs.writeFileSync(data, PAIRS.map(([q, a, b]) => JSON.stringify({ chosen: `\n\nHuman: ${q}\n\nAssistant:${a}`, rejected: `\n\nHuman: ${q}\n\nAssistant:${b}` })).join('\n') + '\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('random Llama, plain prompts', async (t) => {
    const { worst, torch } = await bothAgree(['--model', model, '--data', data]);
    assert.doesNotMatch(torch.stderr, /chat template/);
    t.diagnostic(`largest relative difference ${worst.toExponential(2)}`);
  });

  it('random Llama, through a chat template (HH transcripts as messages)', async (t) => {
    const { worst, tfjs, torch } = await bothAgree(['--model', chatModel, '--data', data]);
    for (const r of [tfjs, torch]) assert.match(r.stderr, /4 of 4 pairs formatted with the model's chat template/);
    // --no-chat-template is honoured by both: the plain-prompt scores of the same weights.
    const plain = await bothAgree(['--model', chatModel, '--data', data, '--no-chat-template']);
    assert.notDeepEqual(plain.torch.scores, torch.scores);
    t.diagnostic(`largest relative difference ${Math.max(worst, plain.worst).toExponential(2)}`);
  });

  it('random Llama, truncated to --max-length 14 (prompt from the left first, then the response)', async (t) => {
    const { worst, tfjs, torch } = await bothAgree(['--model', model, '--data', data, '--max-length', '14']);
    for (const r of [tfjs, torch]) assert.match(r.stderr, /8 sequences exceeded 14 tokens and were truncated \(prompt from the left first; \d+ also lost response tokens\)/);
    t.diagnostic(`largest relative difference ${worst.toExponential(2)}`);
  });

  it('--engine auto picks torch when the Python has it; a Python without it is one line', async () => {
    const auto = await score(['--model', model, '--data', data, '--engine', 'auto']);
    assert.equal(auto.code, 0, auto.stderr);
    assert.match(auto.stderr, /auto: .* has the torch engine/);
    assert.match(auto.stderr, /engine: torch/);
    const missing = await score(['--model', model, '--data', data, '--engine', 'torch', '--python', path.join(dir, 'no-such-python')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /spo score: the torch engine is not ready in .*no-such-python.*install: /);
    const fallback = await score(['--model', model, '--data', data, '--engine', 'auto', '--python', path.join(dir, 'no-such-python')]);
    assert.equal(fallback.code, 0, fallback.stderr);
    assert.match(fallback.stderr, /auto: TF\.js, since .*no-such-python cannot run the torch engine/);
  });

  it('SmolLM2-135M-Instruct with its chat template, on HH pairs', { timeout: 20 * 60_000 }, async (t) => {
    const smol = await fetchModel({ kind: 'catalogue', model: catalogueModel('smollm2-135m-instruct')! });
    const lines = zlib.gunzipSync(fs.readFileSync(HH_SAMPLE)).toString('utf8').split('\n').filter(Boolean)
      .filter((l) => { const r = JSON.parse(l) as { chosen: string; rejected: string }; return r.chosen.length < 320 && r.rejected.length < 320; })
      .slice(0, 3);
    const hh = path.join(dir, 'hh.jsonl');
    fs.writeFileSync(hh, lines.join('\n') + '\n');
    const { worst, torch } = await bothAgree(['--model', smol.path, '--data', hh], ['--backend', 'wasm']);
    assert.match(torch.stderr, /3 of 3 pairs formatted with the model's chat template/);
    t.diagnostic(`largest relative difference ${worst.toExponential(2)} over 6 responses`);
  });
});
