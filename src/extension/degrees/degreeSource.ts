// Degrees for the editor: finds the example under a line (JSONL: that line; JSON arrays: the record
// holding it) and the newest finished run with degrees.jsonl for the file, cached by its mtime.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { parsePreferenceLine, parsePreferenceText, PreferencePair } from '../../core/data';
import { createExtractor } from '../../core/keys';
import type { ExampleDegreeView } from '../../core/protocol';
import { exampleDegreeView, findDegreesRun, pairAtLine, readDegreesFileAsync, RunDegrees } from '../../core/runs';
import { RUN_FILES } from '../../core/train/runFolder';
import { readKeyContentSettings } from '../keys/settings';
import { runsDirectory, workspaceRoot } from '../training/runsLocation';

export class DegreeSource {
  private cache: { file: string; degreesFile: string; mtimeMs: number; value: RunDegrees } | null = null;

  /**
   * Model/SPO degrees of the newest finished run on `dataFile` (empty with a note when none). Read without
   * blocking, regular files under a size cap only. In Restricted Mode the run folders (which may have come
   * with the repository) are read only on an explicit action (`explicit`: a command, not a hover).
   */
  async runDegrees(dataFile: string, explicit: boolean): Promise<RunDegrees> {
    if (!vscode.workspace.isTrusted && !explicit) {
      return { run: null, note: 'Restricted Mode: run folders are not read on hover (Inspect Preference Degree reads them; trusting the workspace shows them here).', records: new Map() };
    }
    const runsDir = runsDirectory();
    const root = workspaceRoot();
    const run = runsDir && root ? findDegreesRun(runsDir, dataFile, root) : null;
    if (!run) return { run: null, note: 'No finished training run on this file yet: Train SPO to see the model and SPO degrees.', records: new Map() };
    const degreesFile = path.join(run.dir, RUN_FILES.degrees);
    let mtimeMs: number;
    try {
      mtimeMs = (await fs.promises.stat(degreesFile)).mtimeMs;
    } catch {
      return { run: null, note: `${degreesFile} cannot be read.`, records: new Map() };
    }
    if (this.cache && this.cache.degreesFile === degreesFile && this.cache.mtimeMs === mtimeMs) return this.cache.value;
    const read = await readDegreesFileAsync(degreesFile);
    if (read.problem) return { run: null, note: `Degrees of run ${run.name} not shown: ${read.problem}`, records: new Map() };
    const value: RunDegrees = { run: run.name, note: `Model and SPO degrees from run ${run.name}`, records: read.records };
    this.cache = { file: dataFile, degreesFile, mtimeMs, value };
    return value;
  }

  /** The pair whose record covers `line` (1-based), or the reason there is none. */
  pairAt(document: vscode.TextDocument, line: number): { pair: PreferencePair | null; problem: string | null } {
    const format = readKeyContentSettings(document.uri).format;
    if (document.fileName.endsWith('.jsonl')) {
      if (line < 1 || line > document.lineCount) return { pair: null, problem: `line ${line} is outside the file` };
      const parsed = parsePreferenceLine(document.lineAt(line - 1).text, line, format);
      if (parsed === null) return { pair: null, problem: `line ${line} is empty` };
      return 'chosen' in parsed ? { pair: parsed, problem: null } : { pair: null, problem: `line ${line}: ${parsed.message}` };
    }
    const loaded = parsePreferenceText(document.getText(), { format });
    const pair = pairAtLine(loaded.pairs, line);
    return pair ? { pair, problem: null } : { pair: null, problem: `no preference record at line ${line}` };
  }

  async exampleView(document: vscode.TextDocument, line: number, explicit: boolean): Promise<ExampleDegreeView> {
    const settings = readKeyContentSettings(document.uri);
    const { pair, problem } = this.pairAt(document, line);
    return exampleDegreeView(document.fileName, line, pair, problem, createExtractor(settings.extractor), settings.maxKeys, await this.runDegrees(document.fileName, explicit));
  }
}
