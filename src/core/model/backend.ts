// Picks the TF.js backend at run time: native CUDA → native CPU → WebAssembly → pure JS, the first
// that loads. The native builds are optional dependencies that rarely install offline, so failing to
// load them is normal and only noted.
import * as fs from 'fs';
import * as path from 'path';
import type { TF } from './types';

export type BackendChoice = 'auto' | 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];

export interface LoadTfOptions {
  backend?: BackendChoice;
  /** Folder holding tfjs-backend-wasm*.wasm (the bundle copies them next to dist/*.js). */
  wasmDir?: string;
}

export interface LoadedTf {
  tf: TF;
  /** The TF.js backend name now active: 'tensorflow', 'wasm' or 'cpu'. */
  backend: string;
  /** One line per better backend that was not used, saying why. */
  notes: string[];
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0];
}

function loadNative(pkg: 'tfjs-node-gpu' | 'tfjs-node'): TF {
  try {
    // Literal requires so bundlers can mark them external; both throw MODULE_NOT_FOUND when absent.
    return pkg === 'tfjs-node-gpu'
      ? (require('@tensorflow/tfjs-node-gpu') as TF)
      : (require('@tensorflow/tfjs-node') as TF);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'MODULE_NOT_FOUND') throw new Error(`@tensorflow/${pkg} is not installed`);
    throw new Error(`@tensorflow/${pkg} failed to load: ${firstLine(err)}`);
  }
}

function loadUnion(): TF {
  return require('@tensorflow/tfjs') as TF;
}

/**
 * The wasm backend lacks UnsortedSegmentSum, the kernel behind tf.gather's gradient. Our models use a
 * scatterND embedding gradient instead, but register a JS kernel too so any other gather works.
 */
export function registerWasmUnsortedSegmentSum(tf: TF): void {
  if (tf.getKernel('UnsortedSegmentSum', 'wasm')) return;
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, segmentIds } = inputs as unknown as Record<string, { dataId: object; shape: number[]; dtype: string }>;
      const numSegments = (attrs as { numSegments: number }).numSegments;
      const be = backend as unknown as {
        readSync(id: object): ArrayLike<number>;
        makeOutput(shape: number[], dtype: string, memoryOffset?: number, values?: ArrayLike<number>): unknown;
      };
      const xv = be.readSync(x.dataId);
      const ids = be.readSync(segmentIds.dataId);
      const innerShape = x.shape.slice(segmentIds.shape.length);
      const inner = innerShape.reduce((a, b) => a * b, 1);
      const out = x.dtype === 'int32' ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
      for (let i = 0; i < ids.length; i++) {
        const s = ids[i];
        if (s < 0 || s >= numSegments) continue;
        for (let k = 0; k < inner; k++) out[s * inner + k] += xv[i * inner + k];
      }
      return be.makeOutput([numSegments, ...innerShape], x.dtype, undefined, out) as never;
    },
  });
}

/** The esbuild bundle copies the .wasm files next to itself; tsc output uses node_modules' own. */
function bundledWasmDir(): string | undefined {
  return fs.existsSync(path.join(__dirname, 'tfjs-backend-wasm.wasm')) ? __dirname : undefined;
}

async function activateWasm(tf: TF, wasmDir: string | undefined): Promise<void> {
  const wasm = require('@tensorflow/tfjs-backend-wasm') as { setWasmPaths(prefix: string): void };
  const dir = wasmDir ?? bundledWasmDir();
  if (dir) wasm.setWasmPaths(dir.endsWith(path.sep) || dir.endsWith('/') ? dir : dir + '/');
  registerWasmUnsortedSegmentSum(tf);
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to initialise');
}

/** Load TF.js with the requested backend ('auto': the best that works). A forced backend that fails throws. */
export async function loadTf(options: LoadTfOptions = {}): Promise<LoadedTf> {
  const choice = options.backend ?? 'auto';
  if (!BACKEND_CHOICES.includes(choice)) {
    throw new Error(`unknown backend '${choice}' (expected one of ${BACKEND_CHOICES.join(', ')})`);
  }
  const notes: string[] = [];
  const finish = async (tf: TF): Promise<LoadedTf> => {
    // PROD silences the "install tfjs-node" banner and debug warnings that would clutter output.
    tf.env().set('PROD', true);
    await tf.ready();
    return { tf, backend: tf.getBackend(), notes };
  };

  for (const pkg of ['tfjs-node-gpu', 'tfjs-node'] as const) {
    if (choice !== 'auto' && choice !== pkg) continue;
    try {
      const tf = loadNative(pkg);
      if (!(await tf.setBackend('tensorflow'))) throw new Error(`the native 'tensorflow' backend did not initialise`);
      return await finish(tf);
    } catch (err) {
      if (choice === pkg) throw new Error(`backend '${pkg}' unavailable: ${firstLine(err)}`);
      notes.push(`${pkg}: ${firstLine(err)}`);
    }
  }

  const tf = loadUnion();
  if (choice === 'auto' || choice === 'wasm') {
    try {
      await activateWasm(tf, options.wasmDir);
      return await finish(tf);
    } catch (err) {
      if (choice === 'wasm') throw new Error(`backend 'wasm' unavailable: ${firstLine(err)}`);
      notes.push(`wasm: ${firstLine(err)}`);
    }
  }
  if (!(await tf.setBackend('cpu'))) throw new Error(`backend 'cpu' unavailable: setBackend('cpu') failed`);
  return finish(tf);
}
