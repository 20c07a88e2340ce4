// Each supported format read from a small hand-made fixture: the pair texts, the detected format,
// and source mapping through escapes, surrogate pairs, BOM, CRLF, JSON arrays and gzip.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { FIXTURES_DIR } from '../../helpers/paths';
import { SeededRandom } from '../../../src/core/random';
import { detectFormat, loadPreferenceFile, parsePreferenceText, PreferencePair } from '../../../src/core/data';
import { checkSource, rawLines } from './sourceCheck';
import { implicitPromptLength } from '../../../src/core/data/formats/trl';

const fixture = (name: string) => path.join(FIXTURES_DIR, 'data', name);

function texts(p: PreferencePair) {
  return { line: p.line, prompt: p.prompt.text, chosen: p.chosen.text, rejected: p.rejected.text };
}

/** Every sourced text of every pair maps back to its raw characters. */
function checkAllSources(file: string, pairs: PreferencePair[]): void {
  const lines = rawLines(file);
  const rng = new SeededRandom(7);
  for (const p of pairs) {
    for (const key of ['prompt', 'chosen', 'rejected'] as const) {
      if (p[key].source) checkSource(lines, p[key], rng, `${path.basename(file)} line ${p.line} ${key}`, 6);
    }
  }
}

const TRL_EXPECTED = [
  { line: 1, prompt: 'What is the capital of France?', chosen: ' The capital of France is Paris.', rejected: ' France has no capital.' },
  { line: 2, prompt: 'Quote "hello" and a path C:\\temp/x', chosen: 'She said "hello"\nthen left \\ fast.', rejected: 'Tab\there, slash / done.' },
  { line: 3, prompt: 'Emoji time 😀', chosen: 'Smile 😀 and été 😀 done', rejected: 'Plain café 🎉!' },
  { line: 4, prompt: 'Duplicate keys: last wins', chosen: 'Second "chosen" wins', rejected: '  spaced  ' },
];

describe('TRL standard', () => {
  it('reads explicit prompts with escapes, emoji and \\u surrogate pairs, mapping every range', async () => {
    const file = fixture('trl.jsonl');
    const { format, pairs, issues } = await loadPreferenceFile(file);
    assert.equal(format, 'trl');
    assert.deepEqual(issues, []);
    assert.deepEqual(pairs.map(texts), TRL_EXPECTED);
    checkAllSources(file, pairs);
  });

  it('maps the escaped surrogate pair \\uD83D\\uDE00 to its 12 raw characters', async () => {
    const { pairs } = await loadPreferenceFile(fixture('trl.jsonl'));
    const chosen = pairs[2].chosen;
    const at = chosen.text.indexOf('😀');
    const line = rawLines(fixture('trl.jsonl'))[3];
    const range = chosen.source!.toRaw(at, at + 2);
    assert.equal(line.slice(range.start, range.end), '\\uD83D\\uDE00');
    const half = chosen.source!.toRaw(at, at + 1);
    assert.equal(line.slice(half.start, half.end), '\\uD83D');
  });

  it('reads the same pairs from .gz and from a BOM + CRLF file, with the same columns', async () => {
    const plain = await loadPreferenceFile(fixture('trl.jsonl'));
    for (const name of ['trl.jsonl.gz', 'trl-crlf-bom.jsonl']) {
      const other = await loadPreferenceFile(fixture(name));
      assert.deepEqual(other.issues, [], name);
      assert.deepEqual(other.pairs.map(texts), TRL_EXPECTED, name);
      other.pairs.forEach((p, i) => assert.deepEqual(p.chosen.source!.toRaw(1, 7), plain.pairs[i].chosen.source!.toRaw(1, 7), name));
      checkAllSources(fixture(name), other.pairs);
      if (name.endsWith('.jsonl')) {
        // An editor buffer of the same file (BOM and CRLF included) gives the same pairs and columns.
        const fromText = parsePreferenceText(fs.readFileSync(fixture(name), 'utf8'));
        assert.deepEqual(fromText.pairs.map(texts), TRL_EXPECTED);
        fromText.pairs.forEach((p, i) => assert.deepEqual(p.rejected.source!.toRaw(0, 3), other.pairs[i].rejected.source!.toRaw(0, 3)));
      }
    }
  });

  it('splits an implicit prompt at the common prefix, TRL style, with suffix sources', async () => {
    const file = fixture('trl-implicit.jsonl');
    const { format, pairs, issues } = await loadPreferenceFile(file);
    assert.equal(format, 'trl');
    assert.deepEqual(issues, []);
    assert.deepEqual(pairs.map(texts), [
      { line: 1, prompt: 'Question: how do plants eat? Answer:', chosen: ' plants make sugar from light.', rejected: ' they eat dirt.' },
      { line: 2, prompt: 'Tell me a joke.\n', chosen: '"Why did the éclair cross?" 😀 ha', rejected: 'No.' },
      // Identical responses: the split backs off to the last shared word so neither is empty.
      { line: 3, prompt: 'same', chosen: ' same', rejected: ' same' },
    ]);
    checkAllSources(file, pairs);
  });
});

describe('implicit prompt split', () => {
  it('never cuts a surrogate pair and leaves the space to the responses', () => {
    assert.equal(implicitPromptLength('Hi \u{1F600} yes', 'Hi \u{1F603} no'), 2);
    assert.equal(implicitPromptLength('Answer: yes', 'Answer: no'), 7);
    assert.equal(implicitPromptLength('abc', 'xyz'), 0);
    assert.equal(implicitPromptLength('one two', 'one two three'), 3);
  });
});

describe('TRL conversational', () => {
  it('takes the last assistant message after the shared prompt messages, keeping the lists', async () => {
    const file = fixture('trl-conversational.jsonl');
    const { format, pairs, issues } = await loadPreferenceFile(file);
    assert.equal(format, 'trl-conversational');
    assert.deepEqual(issues, []);
    assert.deepEqual(pairs.map(texts), [
      { line: 1, prompt: '\n\nHuman: What color is the sky?\n\nAssistant:', chosen: 'It is blue.\nMostly.', rejected: 'It is green.' },
      { line: 2, prompt: '\n\nSystem: Be brief.\n\nHuman: Hi "there"\n\nAssistant:', chosen: 'Hello! 👋', rejected: 'Go away.' },
    ]);
    assert.deepEqual(pairs[1].messages!.prompt.map((m) => m.role), ['system', 'user']);
    assert.deepEqual(pairs[1].messages!.chosen, [{ role: 'assistant', content: 'Hello! 👋' }]);
    assert.deepEqual(pairs[0].messages!.prompt, [{ role: 'user', content: 'What color is the sky?' }]);
    assert.equal(pairs[0].prompt.source, undefined, 'a rendered prompt is no single string of the file');
    checkAllSources(file, pairs);
  });
});

describe('TL;DR comparisons', () => {
  it('builds the prompt from subreddit, title and post and picks summaries[choice]', async () => {
    const file = fixture('tldr.jsonl');
    const { format, pairs, issues } = await loadPreferenceFile(file);
    assert.equal(format, 'tldr');
    assert.deepEqual(issues, []);
    assert.deepEqual(pairs.map(texts), [
      { line: 1, prompt: 'SUBREDDIT: r/cats\n\nTITLE: Cat problem\n\nPOST: My cat keeps waking me at 5am.\nWhat do I do?\n\nTL;DR:', chosen: ' cat wakes me early, need advice', rejected: ' I have a cat' },
      { line: 2, prompt: 'SUBREDDIT: r/cars\n\nPOST: Bought a car, it broke.\n\nTL;DR:', chosen: ' new car broke after a week — what now?', rejected: ' car' },
    ]);
    checkAllSources(file, pairs);
  });
});

describe('UltraFeedback', () => {
  it('takes the best- and worst-scored completions', async () => {
    const file = fixture('ultrafeedback.jsonl');
    const { format, pairs, issues } = await loadPreferenceFile(file);
    assert.equal(format, 'ultrafeedback');
    assert.deepEqual(issues, []);
    assert.deepEqual(pairs.map(texts), [
      { line: 1, prompt: 'Name a primary color.', chosen: 'Red is a primary color.', rejected: 'Purple.' },
      { line: 2, prompt: '2+2?', chosen: '4', rejected: '5' },
    ]);
    checkAllSources(file, pairs);
  });
});

describe('JSON array files', () => {
  it('reads a pretty-printed array: record lines, literal lines and columns, bad elements reported', async () => {
    const file = fixture('array.json');
    const { format, pairs, issues } = await loadPreferenceFile(file);
    assert.equal(format, 'trl');
    assert.deepEqual(pairs.map(texts), [
      { line: 2, prompt: 'First "prompt"', chosen: 'Good answer\nwith a line break', rejected: 'Bad answer' },
      { line: 7, prompt: 'Second', chosen: 'café 😀 yes', rejected: 'no' },
      { line: 9, prompt: 'Fourth', chosen: 'ok [brackets] {braces} ]', rejected: 'fine' },
    ]);
    assert.deepEqual(issues, [{ line: 8, message: '"chosen" must be a string or a list of messages, got number' }]);
    // The first record spans lines 2-6; its chosen literal sits on line 4.
    assert.equal(pairs[0].chosen.source!.line, 4);
    assert.equal(pairs[0].prompt.source!.line, 3);
    checkAllSources(file, pairs);
    const fromText = parsePreferenceText(fs.readFileSync(file, 'utf8'));
    assert.deepEqual(fromText.pairs.map(texts), pairs.map(texts));
    assert.deepEqual(fromText.issues, issues);
  });

  it('honours a format override', async () => {
    const { format, pairs } = await loadPreferenceFile(fixture('trl.jsonl'), { format: 'hh' });
    assert.equal(format, 'hh');
    assert.equal(pairs.length, 0, 'TRL records without HH turns are not HH transcripts');
  });
});

describe('detectFormat', () => {
  it('tells formats apart by their keys', () => {
    assert.equal(detectFormat({ prompt: 'p', chosen: 'a', rejected: 'b' }), 'trl');
    assert.equal(detectFormat({ chosen: 'a', rejected: 'b' }), 'trl');
    assert.equal(detectFormat({ chosen: '\n\nHuman: hi\n\nAssistant: a', rejected: '\n\nHuman: hi\n\nAssistant: b' }), 'hh');
    assert.equal(detectFormat({ chosen: [{ role: 'assistant', content: 'a' }], rejected: [] }), 'trl-conversational');
    assert.equal(detectFormat({ info: {}, summaries: [], choice: 0 }), 'tldr');
    assert.equal(detectFormat({ instruction: 'x', completions: [] }), 'ultrafeedback');
    assert.equal(detectFormat({ foo: 1 }), null);
    assert.equal(detectFormat([1, 2]), null);
    assert.equal(detectFormat('text'), null);
  });
});
