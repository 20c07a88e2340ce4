// The PyTorch side of `spo bench train`: bench/torch_lm_step.py run by the project's torch environment at a
// given thread count, with the BLAS it ran on. A PyTorch on the reference BLAS is not what users run (PyPI wheels
// bring MKL or OpenBLAS), so such a result is kept but flagged: the bench prints no ratio against it.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import type { TF } from '../../core/model/types';
import { choosePython, pythonChildEnv } from '../../core/engine/pythonLocation';

export interface TorchLmStep {
  torch_version: string;
  threads: number;
  lm_tokens_per_s: number;
  lm_cpu_tokens_per_s: number;
  matmul_gflops: number;
  blas_built: string;
  blas_loaded: string[];
  blas_optimized: boolean;
  blas_reason: string;
  cpu_kernels: string[];
}

/** The Python the torch engine uses by default (docs/engine-contract.md): the project environment, then python3. */
export function torchPython(): string {
  return choosePython().command;
}

/** bench/torch_lm_step.py of this checkout (from out/ or dist/, or the working folder). */
export function benchScript(): string | undefined {
  const candidates = [
    path.resolve(__dirname, '..', '..', '..', '..', 'bench', 'torch_lm_step.py'), // out/src/cli/commands → repo
    path.resolve(__dirname, '..', 'bench', 'torch_lm_step.py'), // dist/ → repo
    path.resolve(process.cwd(), 'bench', 'torch_lm_step.py'),
  ];
  return candidates.find((f) => fs.existsSync(f));
}

/** One run of the PyTorch LM step at `threads` threads; a string says why there is none. */
export function runTorchLmStep(steps: number, threads: number): TorchLmStep | string {
  const python = torchPython();
  const script = benchScript();
  if (!script) return 'bench/torch_lm_step.py not found';
  const env = pythonChildEnv();
  const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8', env });
  if (probe.error || probe.status !== 0) return `${python} has no torch (npm run setup:torch makes ~/.cache/spo-studio/torch-env)`;
  const r = spawnSync(python, [script, '--steps', String(steps), '--threads', String(threads)], { encoding: 'utf8', timeout: 600_000, env });
  if (r.status !== 0) return `torch_lm_step.py failed: ${(r.stderr || '').trim().split('\n').pop()}`;
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchLmStep;
}

/** What the TF.js side's kernels are: backend, wasm SIMD, threads. */
export function tfjsKernels(tf: TF, backend: string): { library: string; threads: number; note?: string } {
  if (backend === 'wasm') {
    const wasm = require('@tensorflow/tfjs-backend-wasm') as { getThreadsCount(): number };
    let simd = false;
    try { simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT'); } catch { /* not evaluated: the backend did not ask */ }
    return {
      library: `XNNPACK in WebAssembly (${simd ? 'SIMD' : 'no SIMD'})`,
      threads: wasm.getThreadsCount(),
      // tfjs-backend-wasm turns its threaded build off under Node (tensorflow/tfjs#3830: its pthread workers load
      // from blob: URLs, which Node's Worker refuses).
      note: 'TF.js runs wasm single-threaded under Node (its threaded build needs browser workers, tensorflow/tfjs#3830)',
    };
  }
  if (backend === 'tensorflow') return { library: 'libtensorflow (Eigen, oneDNN)', threads: os.cpus().length };
  return { library: 'pure JS', threads: 1 };
}
