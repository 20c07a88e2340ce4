// Issue 13 §7: a tokenizer.json with a catastrophic Split regex hung on a 35-character response for more than
// 40 s. The static check (nested quantifiers) misses ambiguous alternations such as `(a|a)+b`; the time bound
// runs each regex, compiled as the tokenizers library compiles it, on probe texts in a worker and refuses one
// that does not finish, naming the file and the pattern. Real pre-tokenizer regexes pass.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadTokenizer, HfTextTokenizer } from '../../../src/core/model/tokenizer';
import { trainByteLevelBpe } from '../../../src/core/model/bpeTrainer';
import { compileAsTokenizers, nestedQuantifier, probeTexts, REGEX_PROBE_MS, slowRegex } from '../../../src/core/model/regexGuard';

const GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
const LLAMA3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const QWEN2 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

const probe = (pattern: string) => slowRegex([{ where: 'pattern', pattern, regex: compileAsTokenizers(pattern) }]);

/** A byte-level BPE tokenizer.json with `pattern` as a Split pre-tokenizer in front of its own. */
function withSplit(pattern: string): { json: Record<string, unknown>; config: Record<string, unknown> } {
  const bpe = trainByteLevelBpe(['some text to learn merges from', 'more text'], { vocabSize: 280, modelMaxLength: 64 });
  const json = JSON.parse(JSON.stringify(bpe.tokenizerJson)) as Record<string, unknown>;
  json.pre_tokenizer = { type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { Regex: pattern }, behavior: 'Isolated', invert: false }, json.pre_tokenizer] };
  return { json, config: bpe.tokenizerConfig as Record<string, unknown> };
}

describe('tokenizer regexes are run under a time bound', () => {
  it('ambiguous alternations pass the static check but not the probes', { timeout: 60_000 }, () => {
    for (const bad of ['(a|a)+b', '(a|aa)+$', '(\\w|\\d)+$', '(\\p{L}|[a-z])*!']) {
      assert.equal(nestedQuantifier(bad), null, `${bad} has no nested quantifier`);
      const slow = probe(bad);
      assert.ok(slow, `${bad} was not caught`);
      assert.ok(slow.probe.length > 20, `${bad}: probe ${JSON.stringify(slow.probe)}`);
    }
  });

  it('nested quantifiers fail the probes too, and (a|ab)*c, linear on every probe, passes', { timeout: 60_000 }, () => {
    for (const bad of ['(a+)+b', '(a*)*b', '^(a+)+$']) assert.ok(probe(bad), bad);
    // Each position of "abab…" leaves one way on, so this is no catastrophic pattern: refusing it would be wrong.
    assert.equal(probe('(a|ab)*c'), null);
  });

  it('the real GPT-2, Llama 3 and Qwen2 pre-tokenizer regexes pass', { timeout: 60_000 }, () => {
    for (const good of [GPT2, LLAMA3, QWEN2]) assert.equal(probe(good), null, good);
  });

  it('probe texts are runs of the pattern\'s own characters, ended by one it does not expect', () => {
    const texts = probeTexts('(a|b)+c');
    assert.ok(texts.includes(`${'a'.repeat(40)}\u0001`) && texts.includes(`${'ab'.repeat(20)}\u0001`));
    assert.ok(texts.some((t) => t.length > 1000), 'a long probe for polynomial blow-ups');
  });

  it('a tokenizer.json with (a|a)+b is refused at load, naming the file, the place and the pattern', { timeout: 60_000 }, () => {
    const { json } = withSplit('(a|a)+b');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-regex-'));
    try {
      fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(json));
      const started = Date.now();
      assert.throws(() => loadTokenizer(dir), (err: Error) => {
        assert.ok(err.message.startsWith(path.join(dir, 'tokenizer.json')), err.message);
        assert.match(err.message, /pre_tokenizer\.pretokenizers\.0\.pattern\.Regex \("\(a\|a\)\+b"\) did not finish within \d+ ms on a \d+-character probe text \("aaaa.*refused/);
        return true;
      });
      // Refused in about the time bound, not after the 40 s (and far more) the pattern would take.
      assert.ok(Date.now() - started < REGEX_PROBE_MS + 15_000, `${Date.now() - started} ms`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a tokenizer with an explicit GPT-2 Split regex still builds and encodes', { timeout: 60_000 }, () => {
    const { json, config } = withSplit(GPT2);
    const tokenizer = new HfTextTokenizer(json, config);
    assert.ok(tokenizer.encode("it's 2024 and the text still encodes!").length > 0);
  });
});
