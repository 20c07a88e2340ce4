// Degree views' data on the real HH sample: data degree per pair, joined with a run's model degrees,
// hardest-first ordering, the record under a line, and the prompt preview.
import { describe, it, before } from 'node:test';
import * as assert from 'node:assert/strict';
import { loadPreferenceFile, PreferencePair } from '../../../src/core/data';
import { createExtractor } from '../../../src/core/keys';
import type { RunDegreeView } from '../../../src/core/protocol';
import { datasetDegreeRows, exampleDegreeView, lastUserTurn, pairAtLine } from '../../../src/core/runs';
import { HH_SAMPLE } from '../../helpers/paths';

describe('example and dataset degrees', () => {
  let pairs: PreferencePair[];
  const rake = createExtractor('rake');
  before(async () => {
    pairs = (await loadPreferenceFile(HH_SAMPLE)).pairs.slice(0, 60);
  });

  it('data degrees are in [-1, 1]; without a run the table is sorted by data degree, lowest first', () => {
    const rows = datasetDegreeRows(pairs, rake, 8, new Map());
    assert.equal(rows.length, 60);
    for (const r of rows) assert.ok(r.data! >= -1 && r.data! <= 1 && r.margin === null);
    for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1].data! <= rows[i].data!, `row ${i} out of order`);
    assert.ok(new Set(rows.map((r) => r.data)).size > 3, 'the data degree should vary across HH pairs');
  });

  it('with model degrees the lowest margin comes first; pairs without one go last', () => {
    const records = new Map<number, RunDegreeView>([
      [pairs[5].line, { line: pairs[5].line, model: { margin: 0.3, prob: 0.57 } }],
      [pairs[9].line, { line: pairs[9].line, model: { margin: -1.2, prob: 0.23 } }],
    ]);
    const rows = datasetDegreeRows(pairs, rake, 8, records);
    assert.deepEqual(rows.slice(0, 2).map((r) => [r.line, r.margin]), [[pairs[9].line, -1.2], [pairs[5].line, 0.3]]);
    assert.equal(rows[2].margin, null);
  });

  it('the example view joins the data degree with the run record, and says why one is missing', () => {
    const pair = pairs[2];
    const record: RunDegreeView = { line: pair.line, model: { margin: 0.4, prob: 0.6 }, spo: { pref: [0.7, 0.3], dispref: [0.2, 0.8], prefExpected: 0.3, disprefExpected: 0.8 } };
    const view = exampleDegreeView('hh.jsonl', pair.line, pair, null, rake, 8, { run: 'r1', note: 'from r1', records: new Map([[pair.line, record]]) });
    assert.equal(view.model?.margin, 0.4);
    assert.deepEqual(view.spo?.pref, [0.7, 0.3]);
    assert.ok(view.data && view.data.chosenOnly.length + view.data.rejectedOnly.length > 0);
    assert.match(view.chosenPreview, /\S/);
    const other = exampleDegreeView('hh.jsonl', pairs[3].line, pairs[3], null, rake, 8, { run: 'r1', note: 'from r1', records: new Map([[pair.line, record]]) });
    assert.equal(other.model, null);
    assert.match(other.runNote, /no degrees for line 4/);
    const bad = exampleDegreeView('hh.jsonl', 7, null, 'line 7: not valid JSON', rake, 8, { run: null, note: 'none', records: new Map() });
    assert.equal(bad.data, null);
    assert.equal(bad.dataProblem, 'line 7: not valid JSON');
  });

  it('finds the record holding a line and previews the last Human turn', () => {
    const sparse = [pairs[0], { ...pairs[1], line: 10 }, { ...pairs[2], line: 20 }];
    assert.equal(pairAtLine(sparse, 15)?.line, 10);
    assert.equal(pairAtLine(sparse, 20)?.line, 20);
    assert.equal(pairAtLine(sparse.slice(1), 3), null);
    assert.equal(lastUserTurn('\n\nHuman: hi\n\nAssistant: hello\n\nHuman: how do I pick a lock?\n\nAssistant:'), 'how do I pick a lock?');
    assert.equal(lastUserTurn('Summarize this post.'), 'Summarize this post.');
  });
});
