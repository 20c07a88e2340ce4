// Issue 13 §3 in a real VS Code: a multi-megabyte line is highlighted in slices while the extension host keeps
// answering (a hover on another line answers while the long line's highlights are still being computed), its
// capped highlights carry the visible note, and a line past the length limit gets the "too long" note.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isReadIssue, parsePreferenceLine } from '../../../src/core/data';
import { analyzePair, createExtractor, KeyDecoration } from '../../../src/core/keys';
import { DISPLAY_LIMITS } from '../../../src/core/keys/displayLimits';
import { WORK_CHUNK } from '../../../src/core/slicedWork';
import { SLICE_ITEMS } from '../../../src/extension/keys/hostSlices';
import type { HighlightProgress } from '../../../src/extension/keys/keyHighlighter';
import { openFile, spoExtension, takeScreenshot, waitFor, workspaceDir } from '../helpers';

const progress = () => vscode.commands.executeCommand<HighlightProgress>('spo._test.getHighlightProgress');
const decorations = () => vscode.commands.executeCommand<KeyDecoration[]>('spo._test.getKeyDecorations');
const notes = () => vscode.commands.executeCommand<Array<{ line: number; note: string }>>('spo._test.getKeyNotes');

/** waitFor for a value: resolves to the first defined one. */
async function waitForValue<T>(get: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  return (await waitFor(get, timeoutMs, what)) as T;
}

const SENTENCE = 'The capital city of France is Paris, and Lyon is a big city with many people who like good food. ';

function record(prompt: string, chosenChars: number): string {
  return JSON.stringify({ prompt, chosen: SENTENCE.repeat(Math.ceil(chosenChars / SENTENCE.length)).slice(0, chosenChars), rejected: 'Lyon is in France. Paris is far away.' });
}

describe('long lines are highlighted in slices', function () {
  this.timeout(240_000);
  const file = () => path.join(workspaceDir(), 'long-lines.jsonl');

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(file(), { force: true });
  });

  it('a 3.5 MB line: a hover answers mid-highlighting, highlights arrive capped with the note; a 4.2 MB line gets the too-long note', async () => {
    const short = JSON.stringify({ prompt: 'Capital of France?', chosen: 'The capital city of France is Paris.', rejected: 'The capital city is Lyon.' });
    const long = record('Tell me about France.', 3_500_000);
    const tooLong = record('More about France.', DISPLAY_LIMITS.lineChars + 200_000);
    fs.writeFileSync(file(), `${short}\n${long}\n${tooLong}\n`);

    // Where the short line's best chosen key is, from the core analysis (the hover must find it).
    const pair = parsePreferenceLine(short, 1);
    assert.ok(pair && !isReadIssue(pair));
    const key = analyzePair(pair, createExtractor('rake'), 8).chosen.keys[0];
    const column = pair.chosen.source!.toRaw(key.start, key.end).start;

    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const opened = Date.now();
    await openFile(file());
    await waitFor(() => spoExtension().isActive, 20_000, 'the extension to activate');
    const before = await progress();
    let list: KeyDecoration[] = [];

    // The test runs in the extension host itself: a timer that measures how late it fires sees every
    // synchronous stretch of the host while the highlighting runs.
    let lastTick = Date.now();
    let longestStallMs = 0;
    // Garbage-collector pauses, to tell the runtime's stalls from the highlighting's own synchronous work.
    const gcPauses: number[] = [];
    const gcObserver = new PerformanceObserver((entries) => { for (const e of entries.getEntries()) gcPauses.push(e.duration); });
    gcObserver.observe({ entryTypes: ['gc'] });
    const monitor = setInterval(() => {
      const now = Date.now();
      longestStallMs = Math.max(longestStallMs, now - lastTick - 20);
      lastTick = now;
    }, 20);
    try {
      // Highlighting of the long line is under way (a job runs and slices go by)…
      const during = await waitForValue(async () => {
        const p = await progress();
        return p.running > 0 && p.slices > before.slices + 2 ? p : undefined;
      }, 60_000, 'the highlighting work to be under way');
      // …and a real hover request (workbench → extension host → workbench) is answered meanwhile: after its
      // answer the same job is still running, further on.
      const t0 = Date.now();
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', vscode.Uri.file(file()), new vscode.Position(0, column));
      const hoverMs = Date.now() - t0;
      const afterHover = await progress();
      const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      assert.ok(text.includes(key.phrase), `hover on line 1 column ${column + 1}: ${text}`);
      assert.ok(afterHover.running > 0 && afterHover.finished === during.finished,
        `the highlighting finished before the hover answered: ${JSON.stringify({ during, afterHover })}`);
      assert.ok(afterHover.slices > during.slices, `no slice ran while the hover was answered: ${JSON.stringify({ during, afterHover })}`);

      const done = await waitForValue(async () => {
        const p = await progress();
        const list = p.running === 0 ? await decorations() : [];
        return list.some((d) => d.line === 2) ? { p, list } : undefined;
      }, 180_000, 'highlights on the 3.5 MB line');
      clearInterval(monitor);
      const highlightMs = Date.now() - opened;
      gcObserver.disconnect();
      const longestGcMs = Math.max(0, ...gcPauses);
      console.log(`[long lines] gc: ${gcPauses.length} pauses, longest ${longestGcMs.toFixed(1)} ms, total ${gcPauses.reduce((a, b) => a + b, 0).toFixed(0)} ms`);
      console.log(`[long lines] a hover answered in ${hoverMs} ms mid-highlighting; highlights after ${highlightMs} ms; the host's longest stall ${longestStallMs} ms; `
        + `${done.p.slices - before.slices} slices, longest ${done.p.longestSliceItems} items / ${done.p.longestSliceMs.toFixed(1)} ms`);
      assert.ok(done.p.longestSliceItems <= SLICE_ITEMS + WORK_CHUNK, `a slice did ${done.p.longestSliceItems} items`);
      // Relative, so a loaded machine does not make it flaky: before, the whole line was one synchronous stretch.
      // The garbage collector's longest pause is the runtime's, not the highlighting's: on quiet runs it is the
      // longest stall (~140 ms). Two runs in six once saw one slice of ~2 s, before GC pauses were recorded; the
      // message now says whether such a stall was the collector's.
      assert.ok(longestStallMs - longestGcMs < highlightMs / 4,
        `the extension host stalled for ${longestStallMs} ms of ${highlightMs} ms (longest GC pause ${longestGcMs.toFixed(0)} ms)`);
      list = done.list;
    } finally {
      clearInterval(monitor);
    }

    const onLong = list.filter((d) => d.line === 2);
    assert.ok(onLong.length > 0 && onLong.length <= DISPLAY_LIMITS.spansPerLine, `${onLong.length} highlights on line 2`);
    assert.ok(onLong.filter((d) => d.phrase === onLong[0].phrase).length <= DISPLAY_LIMITS.occurrencesPerPhrase);
    assert.ok(list.some((d) => d.line === 1), 'the short line is highlighted too');
    assert.ok(!list.some((d) => d.line === 3), 'the line past the limit has no highlights');

    const shown = await notes();
    const noteOf = (line: number) => shown.find((n) => n.line === line)?.note ?? '';
    assert.match(noteOf(2), /more key spans not shown \(at most 100 per phrase, 1000 per line\)/);
    assert.match(noteOf(3), /line of [\d,]+ characters: too long to highlight \(limit 4,000,000\)/);
    assert.equal(noteOf(1), '');
    await takeScreenshot('long-lines');
  });
});
