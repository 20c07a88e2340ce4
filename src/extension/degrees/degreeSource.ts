// Degrees for the editor: the example under a line, found by the KeyContentEngine (one parsing policy,
// size cap and settings scope with the highlights), and the model/SPO degrees of the newest finished run
// on its data file, cached per data file until the run-folder watcher sees a run change, or a hover finds that
// a path the answer depends on changed (the watcher may lag or miss events: a loaded machine, some file systems).
import * as path from 'path';
import * as vscode from 'vscode';
import type { ExampleDegreeView } from '../../core/protocol';
import { exampleDegreeView, lookUpDegreesRunAsync, pathsFingerprintAsync, readDegreesFileAsync, RunDegrees } from '../../core/runs';
import { LruCache } from '../../core/keys';
import { RUN_FILES } from '../../core/train/runFolder';
import { KeyContentEngine } from '../keys/keyContentEngine';
import { runsDirectory, workspaceRoot } from '../training/runsLocation';

/** Data files whose run degrees are kept (each holds one degrees map: a record per pair). */
const CACHED_DATA_FILES = 8;

const RESTRICTED_NOTE = 'Restricted Mode: run folders are not read on hover (Inspect Preference Degree reads them; trusting the workspace shows them here).';

export class DegreeSource implements vscode.Disposable {
  /** Run degrees by resolved data file; a pending read is shared by the hovers that wait on it. */
  private readonly cache = new LruCache<string, Promise<Lookup>>(CACHED_DATA_FILES);
  private watcher: vscode.Disposable[] = [];

  constructor(private readonly engine: KeyContentEngine) {
    this.watchRuns();
  }

  /**
   * Watch the runs folder again (it moved: another setting or workspace folder). A run folder appearing or
   * going, or its degrees.jsonl / config.json changing, drops every cached lookup: it may change which run
   * is the newest on any data file.
   */
  watchRuns(): void {
    this.disposeWatcher();
    this.cache.clear();
    const runsDir = runsDirectory();
    if (!runsDir) return;
    const pattern = new vscode.RelativePattern(vscode.Uri.file(runsDir), `{*,*/${RUN_FILES.degrees},*/${RUN_FILES.config}}`);
    const watcher = vscode.workspace.createFileSystemWatcher(pattern);
    const drop = () => this.cache.clear();
    this.watcher = [watcher, watcher.onDidCreate(drop), watcher.onDidChange(drop), watcher.onDidDelete(drop)];
  }

  /**
   * Model/SPO degrees of the newest finished run on `dataFile` (empty with a note when none). Read without
   * blocking, regular files under a size cap only. In Restricted Mode the run folders (which may have come
   * with the repository) are read only on an explicit action (`explicit`: a command, not a hover). An
   * explicit action looks again rather than trusting the cache, so a command never shows less than the disk.
   */
  async runDegrees(dataFile: string, explicit: boolean): Promise<RunDegrees> {
    if (!vscode.workspace.isTrusted && !explicit) return { run: null, note: RESTRICTED_NOTE, records: new Map() };
    const key = path.resolve(dataFile);
    const cached = explicit ? undefined : this.cache.get(key);
    if (cached) {
      const lookup = await cached;
      // A few lstats instead of a listing of every run folder: still the same answer unless one of them moved.
      if (await pathsFingerprintAsync(lookup.dependsOn) === lookup.fingerprint) return lookup.degrees;
      const newer = this.cache.get(key);
      if (newer && newer !== cached) return (await newer).degrees; // another hover is already looking again
    }
    const pending = lookUpRunDegrees(key);
    this.cache.set(key, pending);
    return (await pending).degrees;
  }

  /** The degree view of the example whose record holds the 1-based `line`. */
  async exampleView(document: vscode.TextDocument, line: number, explicit: boolean): Promise<ExampleDegreeView> {
    const found = this.engine.pairAt(document, line);
    const pair = found.kind === 'pair' ? found.pair : null;
    const problem = found.kind === 'issue' ? `line ${found.issue.line}: ${found.issue.message}` : found.kind === 'none' ? found.reason : null;
    const { maxKeys } = this.engine.settingsFor(document.uri);
    const run = await this.runDegrees(document.fileName, explicit);
    return exampleDegreeView(document.fileName, line, pair, problem, this.engine.extractorFor(document.uri), maxKeys, run);
  }

  dispose(): void {
    this.disposeWatcher();
    this.cache.clear();
  }

  private disposeWatcher(): void {
    while (this.watcher.length) this.watcher.pop()?.dispose();
  }
}

/** A lookup's answer and what it depends on: the paths, fingerprinted before they were read. */
interface Lookup {
  degrees: RunDegrees;
  dependsOn: string[];
  fingerprint: string;
}

/** Find the run on `dataFile` and read its degrees.jsonl (lenient: bad lines are skipped and counted). */
async function lookUpRunDegrees(dataFile: string): Promise<Lookup> {
  const runsDir = runsDirectory();
  const root = workspaceRoot();
  if (!runsDir || !root) return { degrees: noRun(), dependsOn: [], fingerprint: '' };
  const { run, dependsOn } = await lookUpDegreesRunAsync(runsDir, dataFile, root);
  // Taken before the degrees are read: a change while they are read makes the next hover look again. (A change
  // between the listing and this is left to the watcher.)
  const fingerprint = await pathsFingerprintAsync(dependsOn);
  if (!run) return { degrees: noRun(), dependsOn, fingerprint };
  const read = await readDegreesFileAsync(path.join(run.dir, RUN_FILES.degrees));
  if (read.problem) return { degrees: { run: null, note: `Degrees of run ${run.name} not shown: ${read.problem}`, records: new Map() }, dependsOn, fingerprint };
  const skipped = read.skipped ? ` (${read.skipped} unreadable line${read.skipped === 1 ? '' : 's'} of ${RUN_FILES.degrees} skipped)` : '';
  return { degrees: { run: run.name, note: `Model and SPO degrees from run ${run.name}${skipped}`, records: read.records }, dependsOn, fingerprint };
}

function noRun(): RunDegrees {
  return { run: null, note: 'No finished training run on this file yet: Train SPO to see the model and SPO degrees.', records: new Map() };
}
