// The incremental splitters give the same records whatever the chunk boundaries, so a record cut
// across reads (inside a UTF-8 character, an escape or a CRLF) is reassembled exactly.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { FIXTURES_DIR } from '../../helpers/paths';
import { SeededRandom } from '../../../src/core/random';
import { JsonlByteSplitter, jsonlTextRecords } from '../../../src/core/data/jsonlSplitter';
import { JsonArraySplitter } from '../../../src/core/data/jsonArraySplitter';
import { locateJsonValue } from '../../../src/core/data/jsonLocate';

const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES_DIR, 'data', name));

function randomCuts(length: number, rng: SeededRandom): number[] {
  const cuts = [0];
  while (cuts[cuts.length - 1] < length) cuts.push(Math.min(length, cuts[cuts.length - 1] + 1 + rng.int(7)));
  return cuts;
}

describe('JSONL splitting', () => {
  it('reassembles lines cut anywhere, dropping BOM and CR, like the string splitter', () => {
    const rng = new SeededRandom(3);
    for (const name of ['trl-crlf-bom.jsonl', 'trl.jsonl', 'bad-lines.jsonl']) {
      const bytes = fixture(name);
      const expected = [...jsonlTextRecords(bytes.toString('utf8'))];
      for (let trial = 0; trial < 5; trial++) {
        const splitter = new JsonlByteSplitter();
        const cuts = randomCuts(bytes.length, rng);
        const got = cuts.slice(1).flatMap((end, i) => splitter.push(bytes.subarray(cuts[i], end)));
        got.push(...splitter.end());
        assert.deepEqual(got, expected, name);
      }
    }
  });

  it('keeps the last line without a trailing newline', () => {
    const splitter = new JsonlByteSplitter();
    assert.deepEqual([...splitter.push(Buffer.from('{"a":1}\n{"b":2}')), ...splitter.end()], [
      { text: '{"a":1}', line: 1, column: 0 }, { text: '{"b":2}', line: 2, column: 0 },
    ]);
  });
});

describe('JSON array splitting', () => {
  it('finds the same elements, lines and columns whatever the chunking', () => {
    const text = fixture('array.json').toString('utf8');
    const whole = new JsonArraySplitter(1 << 20);
    const expected = [...whole.push(text), ...whole.end()];
    assert.deepEqual(expected.map((r) => ('text' in r ? [r.line, r.column] : r)), [[2, 2], [7, 2], [8, 2], [9, 2]]);
    const rng = new SeededRandom(5);
    for (let trial = 0; trial < 10; trial++) {
      const splitter = new JsonArraySplitter(1 << 20);
      const cuts = randomCuts(text.length, rng);
      const got = cuts.slice(1).flatMap((end, i) => splitter.push(text.slice(cuts[i], end)));
      assert.deepEqual([...got, ...splitter.end()], expected);
    }
  });
});

describe('locating values in raw JSON', () => {
  it('follows keys (last duplicate wins, escaped keys decoded) and indices', () => {
    const text = '{"a": [1, {"b": "x"}, "y"], "k\\u0065y": "v", "a": [0, "z"]}';
    assert.equal(text.slice(locateJsonValue(text, ['a', 1])), '"z"]}');
    assert.equal(text.slice(locateJsonValue(text, ['key'])).slice(0, 3), '"v"');
    assert.equal(locateJsonValue(text, ['missing']), -1);
    assert.equal(locateJsonValue(text, ['a', 5]), -1);
  });
});
