// safetensors reading/writing, sharded checkpoints, and clear errors for bad model folders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FIXTURES_DIR } from '../../helpers/paths';
import {
  loadTf, loadCausalLM, parseSafetensors, readSafetensors, serializeSafetensors, writeSafetensors,
  TensorToWrite, parseHfConfig,
} from '../../../src/core/model';

const PARITY = path.join(FIXTURES_DIR, 'model', 'parity');

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'spo-st-'));
}

test('F32/I32/I64 round trip with metadata, sorted names and an 8-byte aligned header', () => {
  const tensors = new Map<string, TensorToWrite>([
    ['z.weight', { shape: [2, 3], data: new Float32Array([1.5, -2, 3e-8, 4, 5, Math.fround(Math.PI)]) }],
    ['a.ids', { dtype: 'I32', shape: [4], data: new Int32Array([1, -2, 3, 2147483647]) }],
    ['m.big', { dtype: 'I64', shape: [2], data: new BigInt64Array([1n, -(2n ** 40n)]) }],
    ['scalar', { shape: [], data: new Float32Array([7]) }],
  ]);
  const buf = serializeSafetensors(tensors, { format: 'pt', note: 'ok' });
  const headerLen = Number(buf.readBigUInt64LE(0));
  assert.equal(headerLen % 8, 0);
  const header = JSON.parse(buf.subarray(8, 8 + headerLen).toString('utf8'));
  assert.deepEqual(Object.keys(header), ['__metadata__', 'a.ids', 'm.big', 'scalar', 'z.weight']);
  const back = parseSafetensors(buf, 'mem');
  assert.deepEqual(back.metadata, { format: 'pt', note: 'ok' });
  for (const [name, t] of tensors) {
    const got = back.tensors.get(name)!;
    assert.deepEqual(got.shape, t.shape, name);
    assert.deepEqual(Array.from(got.data as ArrayLike<unknown>), Array.from(t.data as ArrayLike<unknown>), name);
  }
  assert.equal(back.tensors.get('m.big')!.dtype, 'I64');
});

test('F16 and BF16 written by PyTorch decode to the same float32 values', () => {
  const file = readSafetensors(path.join(PARITY, 'dtypes.safetensors'));
  const want = JSON.parse(fs.readFileSync(path.join(PARITY, 'dtypes.json'), 'utf8'));
  assert.equal(file.tensors.get('f16')!.dtype, 'F16');
  assert.deepEqual(file.tensors.get('f16')!.shape, [2, 5]);
  assert.deepEqual(Array.from(file.tensors.get('f16')!.data as Float32Array), want.f16);
  assert.equal(file.tensors.get('bf16')!.dtype, 'BF16');
  assert.deepEqual(Array.from(file.tensors.get('bf16')!.data as Float32Array), want.bf16);
  assert.deepEqual(file.metadata, { note: 'parity' });
});

test('corrupt files fail with the file name', () => {
  assert.throws(() => parseSafetensors(Buffer.from([1, 2, 3]), 'x.safetensors'), /x\.safetensors: not a safetensors file/);
  const bad = Buffer.alloc(16);
  bad.writeBigUInt64LE(1000n);
  assert.throws(() => parseSafetensors(bad, 'y.safetensors'), /y\.safetensors: corrupt safetensors header length/);
});

test('a sharded checkpoint (model.safetensors.index.json) loads like the single file', async () => {
  const { tf } = await loadTf({ backend: 'cpu' });
  const src = path.join(PARITY, 'gpt2');
  const dir = tempDir();
  try {
    const all = readSafetensors(path.join(src, 'model.safetensors')).tensors;
    const names = [...all.keys()].sort();
    const shards = [names.slice(0, 10), names.slice(10)];
    const weightMap: Record<string, string> = {};
    shards.forEach((group, i) => {
      const file = `model-0000${i + 1}-of-00002.safetensors`;
      const part = new Map<string, TensorToWrite>();
      for (const n of group) {
        part.set(n, { shape: all.get(n)!.shape, data: all.get(n)!.data as Float32Array });
        weightMap[n] = file;
      }
      writeSafetensors(path.join(dir, file), part, { format: 'pt' });
    });
    fs.writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
    fs.copyFileSync(path.join(src, 'config.json'), path.join(dir, 'config.json'));
    const a = loadCausalLM(tf, src);
    const b = loadCausalLM(tf, dir);
    tf.tidy(() => {
      const ids = tf.tensor2d([[1, 2, 3, 4]], undefined, 'int32');
      assert.deepEqual(Array.from(b.forward(ids).logits.dataSync()), Array.from(a.forward(ids).logits.dataSync()));
    });
    a.dispose();
    b.dispose();
    // A weight_map entry whose shard lacks the tensor is reported by name.
    weightMap['transformer.extra.weight'] = 'model-00001-of-00002.safetensors';
    fs.writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: weightMap }));
    assert.throws(() => loadCausalLM(tf, dir), /tensor 'transformer\.extra\.weight' is not in shard 'model-00001-of-00002\.safetensors'/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('unknown architecture, missing tensor and mismatched shape give errors naming them', async () => {
  const { tf } = await loadTf({ backend: 'cpu' });
  const src = path.join(PARITY, 'llama-gqa');
  const config = JSON.parse(fs.readFileSync(path.join(src, 'config.json'), 'utf8'));
  assert.throws(
    () => parseHfConfig({ ...config, architectures: ['MistralForCausalLM'], model_type: 'mistral' }, 'cfg.json'),
    /cfg\.json: unsupported architecture MistralForCausalLM \(supported: GPT2LMHeadModel, LlamaForCausalLM\)/,
  );
  const dir = tempDir();
  try {
    const all = readSafetensors(path.join(src, 'model.safetensors')).tensors;
    const write = (edit: (m: Map<string, TensorToWrite>) => void): void => {
      const m = new Map<string, TensorToWrite>();
      for (const [n, t] of all) m.set(n, { shape: t.shape, data: t.data as Float32Array });
      edit(m);
      writeSafetensors(path.join(dir, 'model.safetensors'), m);
    };
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...config, architectures: ['BertModel'] }));
    write(() => undefined);
    assert.throws(() => loadCausalLM(tf, dir), /unsupported architecture BertModel/);

    fs.copyFileSync(path.join(src, 'config.json'), path.join(dir, 'config.json'));
    write((m) => m.delete('model.layers.1.mlp.up_proj.weight'));
    assert.throws(() => loadCausalLM(tf, dir), /missing tensor\(s\) for llama: model\.layers\.1\.mlp\.up_proj\.weight/);

    write((m) => m.set('model.layers.0.self_attn.k_proj.weight', { shape: [16, 16], data: new Float32Array(256) }));
    assert.throws(
      () => loadCausalLM(tf, dir),
      /tensor 'model\.layers\.0\.self_attn\.k_proj\.weight' has shape \[16, 16\] but config\.json implies \[8, 16\]/,
    );

    write((m) => m.set('model.layers.0.self_attn.q_proj.bias', { shape: [16], data: new Float32Array(16) }));
    assert.throws(() => loadCausalLM(tf, dir), /unexpected tensor\(s\) not in the llama layout: model\.layers\.0\.self_attn\.q_proj\.bias/);

    fs.rmSync(path.join(dir, 'model.safetensors'));
    assert.throws(() => loadCausalLM(tf, dir), /no model\.safetensors or model\.safetensors\.index\.json/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('original GPT-2 names (no transformer. prefix, attn.bias buffers) load', async () => {
  const { tf } = await loadTf({ backend: 'cpu' });
  const src = path.join(PARITY, 'gpt2');
  const dir = tempDir();
  try {
    const all = readSafetensors(path.join(src, 'model.safetensors')).tensors;
    const m = new Map<string, TensorToWrite>();
    for (const [n, t] of all) m.set(n.replace(/^transformer\./, ''), { shape: t.shape, data: t.data as Float32Array });
    m.set('h.0.attn.bias', { shape: [1, 1, 16, 16], data: new Float32Array(256) });
    writeSafetensors(path.join(dir, 'model.safetensors'), m);
    fs.copyFileSync(path.join(src, 'config.json'), path.join(dir, 'config.json'));
    const a = loadCausalLM(tf, src);
    const b = loadCausalLM(tf, dir);
    assert.deepEqual([...b.weights.keys()], [...a.weights.keys()]);
    a.dispose();
    b.dispose();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
