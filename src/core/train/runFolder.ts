// The run folder (design.md): config.json, metrics.jsonl (every TrainerEvent, one JSON object a line),
// log.txt, split.json, tokenizer.json, reference/, checkpoints/step-N/, degrees.jsonl (+ eval_degrees.jsonl).
import * as fs from 'fs';
import * as path from 'path';
import type { TrainerEvent } from '../protocol/trainer';
import {
  READ_LIMITS, UnsafePathError, appendFileNoFollow, escapeControlCharacters, mkdirNoFollow, readRegularFileSync, repairTornTail, writeFileAtomic,
} from '../fs/safeFiles';

export const RUN_FILES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  log: 'log.txt',
  split: 'split.json',
  tokenizer: 'tokenizer.json',
  reference: 'reference',
  refLogps: 'reference/logps.json',
  checkpoints: 'checkpoints',
  degrees: 'degrees.jsonl',
  /** With `eval_data`: that file's pairs, kept apart so every degrees.jsonl line refers to the data file. */
  evalDegrees: 'eval_degrees.jsonl',
} as const;

/**
 * The one timestamp of run and experiment folder names: UTC `20261127-002005`, so a folder holding
 * runs and experiments started at any time lists them in time order.
 */
export function runTimestamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/**
 * A run folder. A repository may ship one (`.spo/runs/x` with `log.txt -> ~/.bashrc`), so nothing here
 * writes through a link: the folder itself and every part below it must be real, and files are opened
 * without following links (safeFiles.ts).
 */
export class RunFolder {
  private tailsRepaired = false;

  constructor(readonly dir: string) {}

  path(name: string): string {
    return path.join(this.dir, name);
  }

  exists(name: string): boolean {
    return fs.existsSync(this.path(name));
  }

  /** Create the folder; refuse when it (or a part of the path inside it) is a link or not a folder. */
  claim(): void {
    let st: fs.Stats | null = null;
    try {
      st = fs.lstatSync(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (st && !st.isDirectory()) {
      throw new UnsafePathError(`run folder ${this.dir} is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}: refusing to write into it`);
    }
    fs.mkdirSync(this.dir, { recursive: true });
  }

  /** Create `name` (a folder inside the run folder) without passing through a link. */
  mkdir(name: string): string {
    this.claim();
    const dir = this.path(name);
    mkdirNoFollow(this.dir, dir);
    return dir;
  }

  /** Write a file inside the run folder by temp-file-and-rename (never through a link). */
  writeFile(name: string, data: string | Uint8Array): void {
    const file = this.path(name);
    this.mkdir(path.dirname(name));
    writeFileAtomic(file, data);
  }

  writeJson(name: string, value: unknown): void {
    // Write then rename, so a crash never leaves half a JSON file behind.
    this.writeFile(name, JSON.stringify(value, null, 2) + '\n');
  }

  readJson<T>(name: string): T {
    const file = this.path(name);
    try {
      return JSON.parse(readRegularFileSync(file, READ_LIMITS.json).toString('utf8')) as T;
    } catch (err) {
      throw new Error(`${file}: cannot read (${(err as Error).message})`);
    }
  }

  /** Append one event to metrics.jsonl, and log/alert/done events to log.txt as text. */
  record(event: TrainerEvent): void {
    this.claim();
    if (!this.tailsRepaired) {
      // A crash mid-append leaves a torn last line; end it so this run's first event starts a line of its own.
      repairTornTail(this.path(RUN_FILES.metrics));
      repairTornTail(this.path(RUN_FILES.log));
      this.tailsRepaired = true;
    }
    appendFileNoFollow(this.path(RUN_FILES.metrics), JSON.stringify(event) + '\n');
    const line = describeEvent(event);
    // One event, one line: names and messages from a shipped folder cannot inject lines into log.txt.
    if (line) appendFileNoFollow(this.path(RUN_FILES.log), `${new Date(event.time).toISOString()} ${escapeControlCharacters(line)}\n`);
  }

  checkpointDir(step: number): string {
    return path.join(this.dir, RUN_FILES.checkpoints, `step-${step}`);
  }

  /** Steps of complete checkpoints (trainer_state.json is written last), ascending. */
  checkpointSteps(): number[] {
    const root = this.path(RUN_FILES.checkpoints);
    if (!fs.existsSync(root)) return [];
    return fs.readdirSync(root)
      .filter((name) => checkpointFolderStep(name) !== null && fs.existsSync(path.join(root, name, CHECKPOINT_WRITTEN_LAST)))
      .map((name) => checkpointFolderStep(name) as number)
      .sort((a, b) => a - b);
  }

  /**
   * The highest complete checkpoint's step, without blocking (null when none): the extension host asks it of run
   * folders a repository may have shipped. Only the newest few `step-N` folders are looked into, so a folder of
   * 100,000 of them costs one listing, not 100,000 stats; an incomplete one (still being written, or torn by a crash)
   * is passed over, as resume does.
   */
  async newestCheckpointStepAsync(): Promise<number | null> {
    let names: string[];
    try {
      names = await fs.promises.readdir(this.path(RUN_FILES.checkpoints));
    } catch {
      return null;
    }
    const steps = names.map(checkpointFolderStep).filter((s): s is number => s !== null).sort((a, b) => b - a);
    for (const step of steps.slice(0, MAX_CHECKPOINTS_LOOKED_INTO)) {
      if (await fs.promises.stat(path.join(this.checkpointDir(step), CHECKPOINT_WRITTEN_LAST)).then(() => true, () => false)) return step;
    }
    return null;
  }
}

/** Past this many incomplete checkpoints in a row, a run folder is not a resumable one (a crash tears one, not 16). */
const MAX_CHECKPOINTS_LOOKED_INTO = 16;

/** The file a checkpoint writes last: a `step-N` folder without it is still being written (or was torn by a crash). */
const CHECKPOINT_WRITTEN_LAST = 'trainer_state.json';

/** The step of a checkpoint folder name (`step-12` → 12); null for any other name. */
function checkpointFolderStep(name: string): number | null {
  const m = /^step-(\d+)$/.exec(name);
  return m ? Number(m[1]) : null;
}

/** One human line for log.txt / plain stderr (null for events that are not worth a line). */
export function describeEvent(e: TrainerEvent): string | null {
  switch (e.type) {
    case 'started': return `started run ${e.runName} in ${e.runDir} on backend ${e.backend}${e.backendNote ? ` (${e.backendNote})` : ''}, ${e.totalSteps} steps`;
    case 'log': return `[${e.level}] ${e.message}`;
    case 'alert': return `[alert ${e.code}] step ${e.step}: ${e.message}`;
    case 'checkpoint': return `checkpoint step ${e.step}: ${e.path}`;
    case 'done': return `done (${e.reason}) at step ${e.step}${e.message ? `: ${e.message}` : ''}`;
    case 'metrics': {
      const r = e.row;
      const keys = e.split === 'eval'
        ? ['eval/loss', 'eval/rewards/accuracies', 'eval/rewards/margins', 'eval/spo/acc_pref', 'eval/spo/acc_dispref']
        : ['loss', 'loss/align', 'rewards/accuracies', 'rewards/margins', 'spo/acc_pref', 'grad_norm', 'learning_rate', 'tokens_per_second'];
      const parts = keys.filter((k) => r[k] !== undefined).map((k) => `${k}=${formatNumber(r[k])}`);
      return `step ${r.step} ${parts.join(' ')}`;
    }
    default: return null;
  }
}

function formatNumber(x: number): string {
  if (Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? x.toExponential(2) : x.toFixed(4);
}
