// RUN/pairs.jsonl from the real HH sample and from conversational data: the TF.js trainer's split,
// key spans as UTF-16 offsets, prompt messages that render back to the prompt, resume against split.json.
import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HH_SAMPLE } from '../../helpers/paths';
import { loadPreferenceFile } from '../../../src/core/data';
import { renderChatPrompt } from '../../../src/core/data/formats/trl';
import { RakeExtractor } from '../../../src/core/keys/rake';
import { dataDegree } from '../../../src/core/keys';
import { makeSplit } from '../../../src/core/train/trainer';
import { PAIRS_FILE, PairsSettings, PreparedPair, writePreparedPairs } from '../../../src/core/engine/preparedPairs';
import { hhTranscriptMessages } from '../../../src/core/engine/promptMessages';

const readPairs = (dir: string): PreparedPair[] => fs.readFileSync(path.join(dir, PAIRS_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const settings = (data: string, over: Partial<PairsSettings> = {}): PairsSettings => ({
  data, eval_data: null, max_pairs: 0, seed: 42, eval_fraction: 0.1, eval_max_pairs: 128, extractor: 'rake', max_keys: 8, ...over,
});

describe('prepared pairs (pairs.jsonl)', () => {
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-pairs-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('HH sample: every pair once, the TF.js split, RAKE spans and the transcript as messages', async () => {
    const run = path.join(dir, 'hh');
    const cfg = settings(HH_SAMPLE, { max_pairs: 300, seed: 7 });
    const summary = await writePreparedPairs(run, cfg);
    const rows = readPairs(run);
    assert.equal(rows.length, 300);
    assert.equal(summary.train + summary.eval, 300);
    assert.equal(summary.eval, 30);
    rows.forEach((r, i) => assert.equal(r.index, i));

    const { pairs } = await loadPreferenceFile(HH_SAMPLE);
    const expected = makeSplit(pairs.slice(0, 300), { seed: 7, eval_fraction: 0.1, eval_max_pairs: 128 });
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(run, 'split.json'), 'utf8')), expected);
    assert.deepEqual(rows.filter((r) => r.split === 'eval').map((r) => r.index), expected.eval);

    const rake = new RakeExtractor();
    let turns = 0;
    for (const r of rows) {
      const p = pairs[r.index];
      assert.equal(r.source_line, p.line);
      assert.deepEqual([r.prompt, r.chosen, r.rejected], [p.prompt.text, p.chosen.text, p.rejected.text]);
      assert.deepEqual(r.chosen_keys, rake.extract(p.chosen.text, 8));
      for (const k of [...r.chosen_keys, ...r.rejected_keys]) assert.equal((k.start < k.end), true);
      for (const k of r.rejected_keys) assert.equal(r.rejected.slice(k.start, k.end), k.text);
      // The data degree the TF.js degrees writer computes, from the same keys and texts.
      const dd = dataDegree(r.chosen_keys, r.rejected_keys, p.chosen.text, p.rejected.text);
      assert.deepEqual(r.data_degree, { degree: dd.data, chosenOnly: dd.chosenOnly, rejectedOnly: dd.rejectedOnly });
      const m = r.prompt_messages!;
      assert.ok(m.length >= 1 && m[m.length - 1].role === 'user', `line ${r.source_line}: the prompt ends with a user turn`);
      m.forEach((msg, i) => assert.equal(msg.role, i % 2 === 0 ? 'user' : 'assistant', `line ${r.source_line}: turns alternate`));
      assert.equal(renderChatPrompt(m), r.prompt, `line ${r.source_line}: the messages render back to the prompt`);
      turns += m.length;
    }
    assert.ok(turns > rows.length, 'multi-turn transcripts are split into several messages');
    const degrees = new Set(rows.map((r) => r.data_degree.degree));
    assert.ok(degrees.size > 3 && [...degrees].some((d) => d > 0) && [...degrees].some((d) => d < 0), 'data degrees vary in sign');
  });

  it('conversational records keep their message lists; plain strings have none; spans are UTF-16 offsets', async () => {
    const file = path.join(dir, 'conv.jsonl');
    const conv = (q: string, a: string, b: string) => JSON.stringify({
      prompt: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: q }],
      chosen: [{ role: 'assistant', content: a }], rejected: [{ role: 'assistant', content: b }],
    });
    fs.writeFileSync(file, [
      conv('Which fruit? 🍎', 'The 🍎 red apple grows in cold northern orchards.', 'Maybe a banana.'),
      conv('Capital of France?', 'Paris is the capital city of France.', 'Lyon, probably.'),
      conv('Best pet?', 'Friendly dogs make loyal family companions.', 'Cats.'),
    ].join('\n') + '\n');
    const run = path.join(dir, 'conv');
    await writePreparedPairs(run, settings(file));
    const rows = readPairs(run);
    assert.deepEqual(rows[0].prompt_messages, [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Which fruit? 🍎' }]);
    const apple = rows[0].chosen_keys.find((k) => k.text.includes('apple'))!;
    assert.equal(rows[0].chosen.slice(apple.start, apple.end), apple.text);
    assert.ok(apple.start > rows[0].chosen.indexOf('🍎') + 1, 'offsets count the emoji as two UTF-16 units');

    const plain = path.join(dir, 'plain.jsonl');
    fs.writeFileSync(plain, ['a', 'b', 'c'].map((x) => JSON.stringify({ prompt: `Q ${x}`, chosen: ` good answer ${x}`, rejected: ` bad ${x}` })).join('\n') + '\n');
    await writePreparedPairs(path.join(dir, 'plain'), settings(plain));
    assert.ok(readPairs(path.join(dir, 'plain')).every((r) => r.prompt_messages === null));
  });

  it('a resume keeps split.json and refuses data that no longer fits it', async () => {
    const file = path.join(dir, 'grow.jsonl');
    const lines = Array.from({ length: 20 }, (_, i) => JSON.stringify({ prompt: `Q${i}`, chosen: ` yes ${i}`, rejected: ` no ${i}` }));
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const run = path.join(dir, 'resume');
    const first = await writePreparedPairs(run, settings(file, { seed: 1 }));
    const again = await writePreparedPairs(run, settings(file, { seed: 99 }), { resume: true });
    assert.deepEqual(again.split, first.split, 'the saved split wins over a new seed');
    fs.writeFileSync(file, lines.slice(0, 5).join('\n') + '\n');
    await assert.rejects(writePreparedPairs(run, settings(file), { resume: true }), /split\.json does not match the data/);
  });

  it('splits HH transcripts at their turns', () => {
    assert.deepEqual(hhTranscriptMessages('\n\nHuman: hi\n\nAssistant: hello\n\nHuman: how?\n\nAssistant:'), [
      { role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }, { role: 'user', content: 'how?' },
    ]);
  });
});
