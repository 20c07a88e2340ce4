// `spo bench train` compares with PyTorch only when that PyTorch runs on an optimized BLAS.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { compareWithTorch } from '../../../src/cli/commands/bench';
import type { TorchLmStep } from '../../../src/cli/commands/benchTorch';

const torch = (over: Partial<TorchLmStep>): TorchLmStep => ({
  torch_version: '2.15.0', threads: 1, lm_tokens_per_s: 2000, lm_cpu_tokens_per_s: 2000, matmul_gflops: 60,
  blas_built: 'mkl', blas_loaded: [], blas_optimized: true, blas_reason: 'MKL linked into torch', cpu_kernels: ['MKL-DNN'], ...over,
});

describe('bench: the PyTorch baseline', () => {
  it('prints ratios at 1 thread (CPU time) and 2 threads (wall) against an optimized BLAS', () => {
    const result: Record<string, unknown> = { lm_tokens_per_s: 1000, lm_cpu_tokens_per_s: 1500 };
    compareWithTorch(result, torch({}), torch({ threads: 2, lm_tokens_per_s: 4000 }));
    assert.equal(result.tfjs_torch_ratio, 0.75);
    assert.equal(result.tfjs_torch_ratio_wall, 0.5);
    assert.equal(result.tfjs_torch_ratio_2t, 0.25);
    assert.equal(result.torch_threads_2t, 2);
  });

  it('refuses a ratio against the reference BLAS, saying why', () => {
    const result: Record<string, unknown> = { lm_tokens_per_s: 1000, lm_cpu_tokens_per_s: 1500 };
    const slow = torch({ blas_built: 'generic', blas_optimized: false, blas_reason: 'the reference (netlib) BLAS /usr/lib/x86_64-linux-gnu/blas/libblas.so.3 is what torch calls' });
    compareWithTorch(result, slow, slow);
    assert.equal(result.tfjs_torch_ratio, undefined);
    assert.equal(result.tfjs_torch_ratio_2t, undefined);
    assert.match(String(result.torch_note), /no TF\.js\/PyTorch ratio: .*reference \(netlib\) BLAS/);
    assert.equal(result.torch_lm_tokens_per_s, 2000); // the figure itself is still shown
  });
});
