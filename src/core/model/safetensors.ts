// safetensors files: u64 LE header length N, N bytes of JSON header, then raw little-endian tensor data.
// Reads F32/F16/BF16 (as float32), I32/I64; writes F32/I32/I64 with sorted names and an 8-byte aligned header.
import * as fs from 'fs';
import * as path from 'path';
import { assertRegularFile, writeFileAtomic } from '../fs/safeFiles';

export type SafetensorsDtype = 'F32' | 'F16' | 'BF16' | 'I32' | 'I64';

const BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2, I32: 4, I64: 8 };
/** Header sizes beyond this are corrupt files, not real checkpoints. */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export interface StoredTensor {
  /** The dtype in the file; float formats come back as float32 data. */
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array | Int32Array | BigInt64Array;
}

export interface SafetensorsFile {
  tensors: Map<string, StoredTensor>;
  metadata: Record<string, string>;
}

export interface TensorToWrite {
  dtype?: 'F32' | 'I32' | 'I64';
  shape: number[];
  data: Float32Array | Int32Array | BigInt64Array;
}

function numel(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function decode(dtype: SafetensorsDtype, bytes: Buffer): Float32Array | Int32Array | BigInt64Array {
  // Copy into a fresh, aligned ArrayBuffer: the file buffer's data may start at any byte offset.
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  const ab = copy.buffer;
  switch (dtype) {
    case 'F32':
      return new Float32Array(ab);
    case 'I32':
      return new Int32Array(ab);
    case 'I64':
      return new BigInt64Array(ab);
    case 'F16': {
      const src = new Uint16Array(ab);
      const out = new Float32Array(src.length);
      for (let i = 0; i < src.length; i++) out[i] = halfToFloat(src[i]);
      return out;
    }
    case 'BF16': {
      // bfloat16 is the top half of a float32.
      const src = new Uint16Array(ab);
      const bits = new Uint32Array(src.length);
      for (let i = 0; i < src.length; i++) bits[i] = src[i] << 16;
      return new Float32Array(bits.buffer);
    }
  }
}

/** Parse a safetensors buffer; `source` names the file in errors. */
export function parseSafetensors(buf: Buffer, source: string): SafetensorsFile {
  if (buf.length < 8) throw new Error(`${source}: not a safetensors file (${buf.length} bytes)`);
  const n = Number(buf.readBigUInt64LE(0));
  if (n > buf.length - 8 || n > MAX_HEADER_BYTES) throw new Error(`${source}: corrupt safetensors header length ${n}`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
  } catch (err) {
    throw new Error(`${source}: safetensors header is not valid JSON (${(err as Error).message})`);
  }
  const base = 8 + n;
  const tensors = new Map<string, StoredTensor>();
  const entries = checkHeader(header, source, buf.length - base);
  for (const e of entries.tensors) tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: decode(e.dtype, buf.subarray(base + e.begin, base + e.end)) });
  return { tensors, metadata: entries.metadata };
}

/** One tensor's entry of a type-checked header. */
export interface HeaderEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Type-check a parsed header against the data size: an object of {dtype, shape, data_offsets} entries
 * (a file from a repository may hold anything: null, a missing shape, negative dimensions).
 */
export function checkHeader(header: unknown, source: string, dataBytes: number): { tensors: HeaderEntry[]; metadata: Record<string, string> } {
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new Error(`${source}: safetensors header must be a JSON object, got ${header === null ? 'null' : Array.isArray(header) ? 'an array' : typeof header}`);
  }
  let metadata: Record<string, string> = {};
  const tensors: HeaderEntry[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) throw new Error(`${source}: safetensors __metadata__ must be an object`);
      metadata = (raw ?? {}) as Record<string, string>;
      continue;
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${source}: tensor '${name}' has no header entry object`);
    const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof info.dtype !== 'string' || !(info.dtype in BYTES)) {
      throw new Error(`${source}: tensor '${name}' has unsupported dtype ${JSON.stringify(info.dtype)} (supported: ${Object.keys(BYTES).join(', ')})`);
    }
    const dtype = info.dtype as SafetensorsDtype;
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new Error(`${source}: tensor '${name}' has a bad shape ${JSON.stringify(shape)} (expected non-negative integers)`);
    }
    const offsets = info.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o))) {
      throw new Error(`${source}: tensor '${name}' has bad data_offsets ${JSON.stringify(offsets)} (expected [begin, end])`);
    }
    const [b, e] = offsets as [number, number];
    if (!(b >= 0 && e >= b && e <= dataBytes) || e - b !== numel(shape) * BYTES[dtype]) {
      throw new Error(`${source}: tensor '${name}' has bad data_offsets [${b}, ${e}] for ${dtype}[${shape.join(', ')}]`);
    }
    tensors.push({ name, dtype, shape: shape.slice(), begin: b, end: e });
  }
  return { tensors, metadata };
}

/** Read and check only the header (no tensor data): what a resume validates a checkpoint with. */
export function readSafetensorsHeader(file: string): { tensors: HeaderEntry[]; metadata: Record<string, string> } {
  assertRegularFile(file, 'safetensors file');
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size < 8) throw new Error(`${file}: not a safetensors file (${size} bytes)`);
    const len = Buffer.alloc(8);
    fs.readSync(fd, len, 0, 8, 0);
    const n = Number(len.readBigUInt64LE(0));
    if (n > size - 8 || n > MAX_HEADER_BYTES) throw new Error(`${file}: corrupt safetensors header length ${n}`);
    const json = Buffer.alloc(n);
    fs.readSync(fd, json, 0, n, 8);
    let header: unknown;
    try {
      header = JSON.parse(json.toString('utf8'));
    } catch (err) {
      throw new Error(`${file}: safetensors header is not valid JSON (${(err as Error).message})`);
    }
    return checkHeader(header, file, size - 8 - n);
  } finally {
    fs.closeSync(fd);
  }
}

export function readSafetensors(file: string): SafetensorsFile {
  assertRegularFile(file, 'safetensors file'); // a link to /dev/zero must not be read forever
  return parseSafetensors(fs.readFileSync(file), file);
}

/** Serialise tensors (names sorted, header space-padded to 8 bytes so data is aligned). */
export function serializeSafetensors(tensors: Map<string, TensorToWrite>, metadata: Record<string, string> = {}): Buffer {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  const parts: Buffer[] = [];
  let offset = 0;
  for (const name of [...tensors.keys()].sort()) {
    const t = tensors.get(name)!;
    const dtype = t.dtype ?? (t.data instanceof Int32Array ? 'I32' : t.data instanceof BigInt64Array ? 'I64' : 'F32');
    const bytes = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    if (bytes.length !== numel(t.shape) * BYTES[dtype]) {
      throw new Error(`tensor '${name}': ${t.data.length} values do not fill ${dtype}[${t.shape.join(', ')}]`);
    }
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    parts.push(bytes);
    offset += bytes.length;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (8 - (json.length % 8)) % 8;
  if (pad) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, ...parts]);
}

export function writeSafetensors(file: string, tensors: Map<string, TensorToWrite>, metadata: Record<string, string> = {}): void {
  writeFileAtomic(file, serializeSafetensors(tensors, metadata));
}

export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';

/**
 * All tensors of a checkpoint folder: `model.safetensors`, or the shards listed in
 * `model.safetensors.index.json` (`weight_map`: tensor name → shard file).
 */
export function readCheckpointTensors(dir: string): Map<string, StoredTensor> {
  const single = path.join(dir, SINGLE_FILE);
  const index = path.join(dir, INDEX_FILE);
  if (fs.existsSync(single)) return readSafetensors(single).tensors;
  if (!fs.existsSync(index)) throw new Error(`${dir}: no ${SINGLE_FILE} or ${INDEX_FILE}`);
  let weightMap: Record<string, string>;
  try {
    weightMap = JSON.parse(fs.readFileSync(index, 'utf8')).weight_map;
  } catch (err) {
    throw new Error(`${index}: not valid JSON (${(err as Error).message})`);
  }
  if (!weightMap || typeof weightMap !== 'object') throw new Error(`${index}: missing "weight_map"`);
  const out = new Map<string, StoredTensor>();
  for (const shard of [...new Set(Object.values(weightMap))].sort()) {
    const shardPath = path.join(dir, shard);
    if (!fs.existsSync(shardPath)) throw new Error(`${index}: shard '${shard}' does not exist`);
    for (const [name, t] of readSafetensors(shardPath).tensors) {
      if (weightMap[name] !== shard) continue;
      out.set(name, t);
    }
  }
  for (const [name, shard] of Object.entries(weightMap)) {
    if (!out.has(name)) throw new Error(`${index}: tensor '${name}' is not in shard '${shard}'`);
  }
  return out;
}
