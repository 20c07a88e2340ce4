// Issue 13 §2: a workspace cannot freeze or exhaust a reader. Before, `degrees.jsonl -> /dev/zero` was still
// being read after 60 s at 4.8 GB on one hover, `config.json -> /dev/zero` reached 1.26 GB from the run-list
// poll, and the CLI hung on a FIFO. Each read here must now end at once (the test's timeout is the guard).
import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describeRunAsync, lastOutcome, listCurveRunsAsync, listRunsAsync, readDegreesFile, readDegreesFileAsync, readMetricsFileAsync } from '../../../src/core/runs';
import { MetricsTail } from '../../../src/core/runs/metricsTail';
import { isRunTrainingAsync } from '../../../src/core/runs/runLiveness';
import { loadPreferenceFile } from '../../../src/core/data';
import { openRegularForRead, readRegularFile, readRegularFileSync, UnsafePathError } from '../../../src/core/fs/safeFiles';
import { readConfigFile, readConfigFileAsync } from '../../../src/core/train/config';

const FAST = { timeout: 10_000 };

describe('hostile workspace files are refused, not read forever (issue 13 §2)', () => {
  let dir: string;
  let run: string;
  let fifo: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-reads-'));
    run = path.join(dir, '.spo', 'runs', 'shipped');
    fs.mkdirSync(run, { recursive: true });
    for (const name of ['degrees.jsonl', 'config.json', 'metrics.jsonl']) fs.symlinkSync('/dev/zero', path.join(run, name));
    fifo = path.join(dir, 'pairs.jsonl');
    execFileSync('mkfifo', [fifo]);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('degrees.jsonl -> /dev/zero: the hover reader reports it at once', FAST, async () => {
    const read = await readDegreesFileAsync(path.join(run, 'degrees.jsonl'));
    assert.equal(read.records.size, 0);
    assert.match(read.problem ?? '', /character device: not reading it/);
    assert.equal(readDegreesFile(path.join(run, 'degrees.jsonl')).size, 0);
  });

  it('config.json -> /dev/zero: the run list still lists the run, without its config', FAST, async () => {
    assert.equal((await describeRunAsync(run)).config, null);
    assert.deepEqual((await listRunsAsync(path.dirname(run))).runs.map((r) => r.name), ['shipped']);
    assert.throws(() => readConfigFile(path.join(run, 'config.json')), /character device/);
    await assert.rejects(readConfigFileAsync(path.join(run, 'config.json')), /character device/);
  });

  it('metrics.jsonl -> /dev/zero: readers, the tail and the liveness probe return at once', FAST, async () => {
    await assert.rejects(readMetricsFileAsync(path.join(run, 'metrics.jsonl')), UnsafePathError);
    assert.deepEqual((await new MetricsTail(path.join(run, 'metrics.jsonl')).read()).events, []);
    assert.equal(await isRunTrainingAsync(path.join(run, 'metrics.jsonl'), Date.now()), false);
    assert.equal(lastOutcome([]), 'not-started');
  });

  it('a runs folder holding a config.json -> /dev/zero and a FIFO still lists, and the curves list with it', FAST, async () => {
    const runsDir = path.join(dir, 'fifo-runs');
    const withFifo = path.join(runsDir, '20261127-000002');
    fs.mkdirSync(withFifo, { recursive: true });
    execFileSync('mkfifo', [path.join(withFifo, 'config.json')]);
    execFileSync('mkfifo', [path.join(withFifo, 'metrics.jsonl')]);
    const zeroed = path.join(runsDir, '20261127-000001');
    fs.mkdirSync(zeroed);
    fs.symlinkSync('/dev/zero', path.join(zeroed, 'config.json'));
    execFileSync('mkfifo', [path.join(runsDir, 'a-fifo-beside-the-runs')]);
    const listing = await listRunsAsync(runsDir);
    assert.deepEqual(listing.runs.map((r) => [r.name, r.config]), [['20261127-000002', null], ['20261127-000001', null]]);
    const curves = await listCurveRunsAsync(runsDir, path.join(dir, 'no-experiments'));
    assert.deepEqual(curves, { runs: listing.runs, truncated: [] });
    assert.equal(await isRunTrainingAsync(path.join(withFifo, 'metrics.jsonl'), Date.now()), false);
    assert.deepEqual(await new MetricsTail(path.join(withFifo, 'metrics.jsonl')).readAll(), { events: [], badLines: [], reset: false });
  });

  it('the CLI data reader refuses a FIFO and a link to a character device instead of hanging', FAST, async () => {
    await assert.rejects(loadPreferenceFile(fifo), /a FIFO: refusing to read it/);
    const zero = path.join(dir, 'zero.jsonl');
    fs.symlinkSync('/dev/zero', zero);
    await assert.rejects(loadPreferenceFile(zero), /a character device: refusing to read it/);
    assert.throws(() => readRegularFileSync(fifo, { maxBytes: 10 }), /FIFO/);
  });

  it('a regular file over its cap is refused by size, naming the file and the limit', FAST, async () => {
    const big = path.join(dir, 'big.json');
    fs.writeFileSync(big, 'x'.repeat(2048));
    await assert.rejects(readRegularFile(big, { maxBytes: 1024 }), /big\.json is 2048 bytes, over the 1024-byte limit/);
    assert.equal(readRegularFileSync(big, { maxBytes: 4096 }).length, 2048);
  });

  it('the tail readers open without blocking and check what they opened, not what a stat saw before', FAST, async () => {
    // A path swapped for a FIFO between the liveness probe's stat and its open must not block the run picker.
    await assert.rejects(openRegularForRead(fifo), /pairs\.jsonl is a FIFO: not reading it/);
    await assert.rejects(openRegularForRead(path.join(run, 'metrics.jsonl')), /character device/);
    const file = path.join(dir, 'plain.jsonl');
    fs.writeFileSync(file, '{"type":"done"}\n');
    const { handle, stat } = await openRegularForRead(file);
    await handle.close();
    assert.equal(stat.size, 16);
  });
});
