// Files in folders a repository may have shipped (run folders, model folders): a cloned `.spo/runs/x`
// can hold `log.txt -> ~/.bashrc` or `config.json -> /dev/zero`. Every write here refuses to follow a
// symbolic link (O_NOFOLLOW where the platform has it, an lstat check everywhere), and every read takes
// only a regular file under a size cap, so a link to a device, a FIFO or a huge file fails fast, naming it.
import * as fs from 'fs';
import * as path from 'path';

/** A path that is a link, a device, outside its folder, or too big: never written through or read. */
export class UnsafePathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafePathError';
  }
}

// 0 on Windows, where symlinks need privileges and the lstat checks below do the job.
const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
// Opening a FIFO for reading blocks until a writer appears; O_NONBLOCK makes the open return at once
// (and is then harmless for the regular file we require).
const O_NONBLOCK = fs.constants.O_NONBLOCK ?? 0;

function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function kindOf(st: fs.Stats): string {
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a folder';
  return 'not a regular file';
}

/** Throw unless `file` is absent or a regular file (not a link). */
function assertWritableTarget(file: string): void {
  const st = lstatOrNull(file);
  if (st && !st.isFile()) throw new UnsafePathError(`${file} is ${kindOf(st)}: refusing to write through it`);
}

/** Control characters (C0, DEL, C1) in a name would end up in log lines and shells. */
export function hasControlCharacters(text: string): boolean {
  return /[\u0000-\u001f\u007f-\u009f]/.test(text);
}

/** Text safe for one log line: control characters as \uXXXX escapes. */
export function escapeControlCharacters(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Whether `inner` is `outer` or below it (both already resolved). */
export function isInside(outer: string, inner: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The real path of `p`, or of its deepest existing ancestor joined with the rest (for folders not made yet). */
export function realPathOf(p: string): string {
  const abs = path.resolve(p);
  const rest: string[] = [];
  let cur = abs;
  for (;;) {
    try {
      return path.join(fs.realpathSync(cur), ...rest.reverse());
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      const parent = path.dirname(cur);
      if (parent === cur) return abs;
      rest.push(path.basename(cur));
      cur = parent;
    }
  }
}

/** Throw unless `target` (existing or not) resolves, links followed, inside `root`. */
export function assertResolvesInside(root: string, target: string, what = 'folder'): void {
  const realRoot = realPathOf(root);
  const real = realPathOf(target);
  if (!isInside(realRoot, real)) {
    throw new UnsafePathError(`${what} ${target} resolves to ${real}, outside ${realRoot}: refusing to use it`);
  }
}

/**
 * Create `dir` (and its parents below `root`) where no part below `root` is a link: `root/a/b` with `a`
 * a link to elsewhere is refused. `root` itself may be anything the caller trusts.
 */
export function mkdirNoFollow(root: string, dir: string): void {
  const absRoot = path.resolve(root);
  const absDir = path.resolve(dir);
  if (!isInside(absRoot, absDir)) throw new UnsafePathError(`${absDir} is outside ${absRoot}`);
  const parts = path.relative(absRoot, absDir).split(path.sep).filter((s) => s !== '');
  let cur = absRoot;
  const rootSt = lstatOrNull(cur);
  if (!rootSt) fs.mkdirSync(cur, { recursive: true });
  else if (rootSt.isSymbolicLink()) {
    if (!fs.statSync(cur).isDirectory()) throw new UnsafePathError(`${cur} is not a folder`);
  } else if (!rootSt.isDirectory()) throw new UnsafePathError(`${cur} is ${kindOf(rootSt)}, not a folder`);
  for (const part of parts) {
    cur = path.join(cur, part);
    const st = lstatOrNull(cur);
    if (!st) {
      try {
        fs.mkdirSync(cur);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      continue;
    }
    if (!st.isDirectory()) throw new UnsafePathError(`${cur} is ${kindOf(st)}, not a folder: refusing to write through it`);
  }
}

/** Write all of `data` to an open descriptor, then fsync it. */
function writeAllAndSync(fd: number, data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let off = 0;
  while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
  fs.fsyncSync(fd);
}

/** fsync a folder, so a rename inside it survives a power cut (not possible on Windows: skipped). */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Windows cannot open a folder; the rename is still atomic there.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Replace `file` atomically: write `file.tmp-<pid>` (created fresh, never through a link), fsync, rename.
 * A link at `file` is refused (rename would replace only the link, but the intent is hostile).
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  assertWritableTarget(file);
  const tmp = `${file}.tmp-${process.pid}`;
  if (lstatOrNull(tmp)) fs.rmSync(tmp, { force: true }); // unlink removes a link itself, never its target
  const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | O_NOFOLLOW, 0o644);
  try {
    writeAllAndSync(fd, data);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}

/** Open `file` for appending without following a link; it must be a regular file (or absent). */
function openForAppend(file: string): number {
  assertWritableTarget(file);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | O_NOFOLLOW | O_NONBLOCK, 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw new UnsafePathError(`${file} is a symbolic link: refusing to write through it`);
    throw err;
  }
  // Between the lstat and the open a link could not slip in (O_NOFOLLOW), but a FIFO could.
  if (!fs.fstatSync(fd).isFile()) {
    fs.closeSync(fd);
    throw new UnsafePathError(`${file} is not a regular file: refusing to write to it`);
  }
  return fd;
}

/** Append `text` to `file` (created if absent), never through a link. */
export function appendFileNoFollow(file: string, text: string): void {
  const fd = openForAppend(file);
  try {
    const bytes = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * End a torn last line (a crash mid-append) with a newline, so the next appended record starts on its
 * own line instead of being glued onto the fragment. Returns whether it repaired anything.
 */
export function repairTornTail(file: string): boolean {
  const st = lstatOrNull(file);
  if (!st) return false;
  if (!st.isFile()) throw new UnsafePathError(`${file} is ${kindOf(st)}: refusing to write through it`);
  if (st.size === 0) return false;
  const fd = fs.openSync(file, fs.constants.O_RDONLY | O_NOFOLLOW);
  const last = Buffer.alloc(1);
  try {
    fs.readSync(fd, last, 0, 1, st.size - 1);
  } finally {
    fs.closeSync(fd);
  }
  if (last[0] === 0x0a) return false;
  appendFileNoFollow(file, '\n');
  return true;
}

export interface ReadLimits {
  /** Refuse files larger than this many bytes. */
  maxBytes: number;
}

/** Throw unless the descriptor is a regular file within the cap; returns its size. */
function checkOpened(fd: number, file: string, limits: ReadLimits): number {
  const st = fs.fstatSync(fd);
  if (!st.isFile()) throw new UnsafePathError(`${file} is ${kindOf(st)}: not reading it`);
  if (st.size > limits.maxBytes) {
    throw new UnsafePathError(`${file} is ${st.size} bytes, over the ${limits.maxBytes}-byte limit for this file: not reading it`);
  }
  return st.size;
}

function readOpened(fd: number, size: number, limits: ReadLimits, file: string): Buffer {
  // Read at most the cap + 1 bytes: a file that grows past its stat size is caught, not read forever.
  const buf = Buffer.alloc(Math.min(limits.maxBytes + 1, size + 65536));
  let got = 0;
  for (;;) {
    const n = fs.readSync(fd, buf, got, buf.length - got, got);
    if (n === 0) break;
    got += n;
    if (got > limits.maxBytes) throw new UnsafePathError(`${file} grew past the ${limits.maxBytes}-byte limit while being read`);
    if (got === buf.length) break;
  }
  return buf.subarray(0, got);
}

/**
 * Open a file for partial reads (a tail, a header), asynchronously: never blocks on a FIFO, and throws
 * unless the opened handle is a regular file, so a path swapped for a device between a stat and this open
 * is refused too. Returns the handle (the caller closes it) and what it is at open time (size, inode, mtime).
 */
export async function openRegularForRead(file: string): Promise<{ handle: fs.promises.FileHandle; stat: fs.Stats }> {
  const handle = await fs.promises.open(file, fs.constants.O_RDONLY | O_NONBLOCK);
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new UnsafePathError(`${file} is ${kindOf(stat)}: not reading it`);
    return { handle, stat };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/** Read a regular file (links to regular files are fine: reading cannot harm) under a size cap. */
export function readRegularFileSync(file: string, limits: ReadLimits): Buffer {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | O_NONBLOCK);
  try {
    const size = checkOpened(fd, file, limits);
    return readOpened(fd, size, limits, file);
  } finally {
    fs.closeSync(fd);
  }
}

/** The same, asynchronously: the extension host reads workspace files this way, so a read never blocks it. */
export async function readRegularFile(file: string, limits: ReadLimits): Promise<Buffer> {
  const handle = await fs.promises.open(file, fs.constants.O_RDONLY | O_NONBLOCK);
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new UnsafePathError(`${file} is ${kindOf(st)}: not reading it`);
    if (st.size > limits.maxBytes) {
      throw new UnsafePathError(`${file} is ${st.size} bytes, over the ${limits.maxBytes}-byte limit for this file: not reading it`);
    }
    const buf = Buffer.alloc(Math.min(limits.maxBytes + 1, st.size + 65536));
    let got = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, got, buf.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
      if (got > limits.maxBytes) throw new UnsafePathError(`${file} grew past the ${limits.maxBytes}-byte limit while being read`);
      if (got === buf.length) break;
    }
    return buf.subarray(0, got);
  } finally {
    await handle.close();
  }
}

/** Whether something (a link counts as itself, never followed) is at `p`, asked without blocking. */
export async function existsNoFollow(p: string): Promise<boolean> {
  return fs.promises.lstat(p).then(() => true, () => false);
}

/** Throw unless `file` exists and is a regular file (links to one allowed): for CLI inputs before a stream opens them. */
export function assertRegularFile(file: string, what = 'file'): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${file}: no such ${what}`);
    throw err;
  }
  if (!st.isFile()) throw new UnsafePathError(`${file} is ${kindOf(st)}, not a regular ${what}: refusing to read it`);
}

/** Size caps for files read from run folders (generous for real runs, far below an exhausted host). */
export const READ_LIMITS = {
  /** config.json, trainer_state.json, split.json, results.json. */
  json: { maxBytes: 64 * 1024 * 1024 },
  /** metrics.jsonl, degrees.jsonl. */
  jsonl: { maxBytes: 256 * 1024 * 1024 },
} as const;
