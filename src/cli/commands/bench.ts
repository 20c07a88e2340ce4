// `spo bench train`: tokens/s of an LM (SFT) step, a DPO step and a DPO+SPO step on one fixed small
// GPT-2, with the backend, peak RSS and matmul-bound MFU; plus PyTorch's LM step when available.
import * as os from 'os';
import { parseArgs } from 'node:util';
import type * as tfjs from '@tensorflow/tfjs';
import { CliCommand, UsageError } from '../command';
import { loadTf, BACKEND_CHOICES, BackendChoice } from '../../core/model/backend';
import { createGpt2 } from '../../core/model/gpt2';
import type { CausalLM, CausalLMConfig, TF } from '../../core/model/types';
import type { EncodedPair } from '../../core/model/logprobs';
import { SeededRandom } from '../../core/random';
import { AdamW } from '../../core/train/optim';
import { lmLoss } from '../../core/train/sft';
import { createSpoHeads, disposeSpoHeads, SpoHeads } from '../../core/train/spoHeads';
import { StepInput, StepSettings, referenceLogps, stepLoss } from '../../core/train/step';
import { TorchLmStep, runTorchLmStep, tfjsKernels, torchPython } from './benchTorch';
import { ENGINES_USAGE, runEnginesBench } from './benchEngines';

const USAGE = `usage: spo bench train [--json] [--steps N] [--backend B] [--no-torch]
       spo bench engines [...]   (the torch and TF.js engines' tokens/s on one small Llama; below)

Times one training step of each kind on a fixed model (vocab 2000, context 128, d_model 128,
2 layers, 4 heads; batch 8 sequences for LM, 8 pairs for DPO): an LM (SFT) step, a DPO step
(policy forward/backward + reference forward) and a DPO+SPO step (plus the SPO variants and heads,
γ 0.1, K 4). Prints tokens/s (tokens of the batch's sequences per second of step time), the ratio
of the DPO+SPO to the DPO step cost (target ≤ 1.4), peak RSS, and the MFU relative to this
backend's own large-matMul throughput. With PyTorch in the project's torch environment
(~/.cache/spo-studio/torch-env, npm run setup:torch; else python3), also runs bench/torch_lm_step.py
at 1 and 2 threads and prints the TF.js/PyTorch LM ratio at each, with both sides' kernel library
and thread count. No ratio is printed when that PyTorch lacks an optimized BLAS (the reference
BLAS would make any framework look fast next to it); the output says why.

  --json       one JSON line: {"backend","lm_tokens_per_s","dpo_tokens_per_s","spo_tokens_per_s",
               "spo_dpo_step_ratio","peak_rss_mb","matmul_gflops","mfu_lm","mfu_dpo","mfu_spo",
               "tfjs_kernels","tfjs_threads","torch_lm_tokens_per_s","torch_blas",
               "tfjs_torch_ratio","torch_lm_tokens_per_s_2t","tfjs_torch_ratio_2t",...}
  --steps N    timed steps per kind after one warm-up step (default 3; the median is reported)
  --backend B  ${BACKEND_CHOICES.join(' | ')} (default auto)
  --no-torch   skip the PyTorch comparison

${ENGINES_USAGE}`;

const V = 2000, T = 128, D = 128, L = 2, H = 4, B = 8, K = 4;
const MODEL: CausalLMConfig = {
  architecture: 'gpt2', vocabSize: V, contextLength: T, dModel: D, nLayers: L, nHeads: H, nKvHeads: H,
  dFf: 4 * D, tieWordEmbeddings: true, normEps: 1e-5,
};

/** Forward+backward FLOPs per token (nanoGPT's estimate: 6·matmul params + attention). */
function trainFlopsPerToken(): number {
  const matmulParams = L * 12 * D * D + V * D;
  return 6 * matmulParams + 12 * L * T * D;
}
const forwardFlopsPerToken = () => trainFlopsPerToken() / 3;

function seq(rng: SeededRandom, promptLen: number, responseLen: number): EncodedPair {
  const ids = Array.from({ length: promptLen + responseLen }, () => rng.int(V));
  return { ids, responseStart: promptLen, responseEnd: ids.length, truncated: { prompt: 0, response: 0 } };
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Large square matMuls: the backend's practical matmul FLOP rate, the ceiling MFU is measured against. */
function matmulGflops(tf: TF): { cpu: number } {
  const n = 512;
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  tf.matMul(a, b).dispose();
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const c0 = process.cpuUsage();
    const c = tf.matMul(a, b);
    c.dataSync();
    const d = process.cpuUsage(c0);
    times.push((d.user + d.system) / 1e6);
    c.dispose();
  }
  a.dispose();
  b.dispose();
  return { cpu: (2 * n * n * n) / median(times) / 1e9 };
}

/** Median wall and CPU seconds of a step. CPU time (wasm runs on one thread) is what the ratios use:
 * on a shared machine wall time mostly measures the other processes. */
interface Timed { seconds: number; cpuSeconds: number; tokens: number; flops: number }

function timeSteps(steps: number, run: () => Omit<Timed, 'seconds' | 'cpuSeconds'>): Timed {
  run(); // warm-up: kernels compile, Adam creates its moments
  const times: number[] = [];
  const cpu: number[] = [];
  let last: Omit<Timed, 'seconds' | 'cpuSeconds'> = { tokens: 0, flops: 0 };
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    last = run();
    const c = process.cpuUsage(c0);
    times.push((performance.now() - t0) / 1000);
    cpu.push((c.user + c.system) / 1e6);
  }
  return { seconds: median(times), cpuSeconds: median(cpu), ...last };
}

/** One optimizer step; `loss` may hand back a collect() that reads and frees the step's kept tensors. */
function trainStep(tf: TF, params: Map<string, tfjs.Variable>, opt: AdamW, loss: () => { loss: tfjs.Scalar; collect?: () => unknown }): void {
  let collect: (() => unknown) | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const r = loss();
    collect = r.collect;
    return r.loss;
  }, [...params.values()]);
  value.dataSync();
  collect?.();
  value.dispose();
  opt.apply(params, new Map(Object.entries(grads)), 1e-4);
  tf.dispose(Object.values(grads));
}

export const benchCommand: CliCommand = {
  name: 'bench',
  summary: 'benchmark training (spo bench train: LM, DPO and DPO+SPO steps; spo bench engines: torch vs TF.js engine tokens/s)',
  usage: USAGE,
  async run(argv, io) {
    if (argv[0] === 'engines') return runEnginesBench(argv.slice(1), io);
    const { values, positionals } = parseArgs({
      args: argv, allowPositionals: true,
      options: { json: { type: 'boolean', default: false }, steps: { type: 'string', default: '3' }, backend: { type: 'string', default: 'auto' }, 'no-torch': { type: 'boolean', default: false } },
    });
    if (positionals[0] !== 'train' || positionals.length !== 1) throw new UsageError(`expected 'spo bench train' or 'spo bench engines' (spo bench --help for usage)`);
    const steps = Number(values.steps);
    if (!Number.isInteger(steps) || steps < 1) throw new UsageError(`--steps must be a positive integer, got '${values.steps}'`);
    if (!BACKEND_CHOICES.includes(values.backend as BackendChoice)) throw new UsageError(`--backend must be one of ${BACKEND_CHOICES.join(', ')}, got '${values.backend}'`);
    const say = (s: string) => { if (!values.json) io.stderr.write(s + '\n'); };

    const { tf, backend } = await loadTf({ backend: values.backend as BackendChoice });
    say(`backend ${backend}; model V${V} T${T} d${D} L${L} H${H}, batch ${B}`);
    const rng = new SeededRandom(1);
    const policy: CausalLM = createGpt2(tf, MODEL, 1, { namePrefix: 'bench_policy' });
    const reference: CausalLM = createGpt2(tf, MODEL, 1, { namePrefix: 'bench_ref', trainable: false });
    const heads: SpoHeads = createSpoHeads(tf, D, K, 1, 'bench_heads');
    const policyParams = new Map([...policy.weights.values()].map((v) => [v.name, v]));
    const allParams = new Map([...policyParams, ...[...heads.weights.values()].map((v) => [v.name, v] as const)]);
    const opt = new AdamW(tf, { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, maxGradNorm: 1 });

    // LM: 8 full-length sequences.
    const lmSeqs = Array.from({ length: B }, () => seq(rng, 0, T));
    const lm = timeSteps(steps, () => {
      trainStep(tf, policyParams, opt, () => ({ loss: lmLoss(tf, policy, lmSeqs, 0) }));
      return { tokens: B * T, flops: B * T * trainFlopsPerToken() };
    });
    const line = (name: string, t: Timed) => say(`${name.padEnd(13)} ${t.seconds.toFixed(3)} s wall, ${t.cpuSeconds.toFixed(3)} s CPU  ${(t.tokens / t.seconds).toFixed(0)} tokens/s`);
    line('LM step', lm);

    // DPO: 8 pairs of 64-token prompt + 64-token response; the reference runs each step (TRL default).
    const pairs = [...Array.from({ length: B }, () => seq(rng, 64, 64)), ...Array.from({ length: B }, () => seq(rng, 64, 64))];
    const settings = (gamma: number): StepSettings => ({
      loss: 'sigmoid', lossOptions: { beta: 0.1, labelSmoothing: 0, simpoGamma: 0.5, orpoLambda: 0.1 }, gamma, pooling: 'mean', padId: 0,
    });
    const dpoInput = (): StepInput => ({ sequences: pairs, pairs: B, pref: [], dispref: [], coverage: 0, refLogps: referenceLogps(tf, reference, pairs, B, 0) });
    const pairTokens = 2 * B * T;
    const dpoFlops = pairTokens * (trainFlopsPerToken() + forwardFlopsPerToken());
    const dpo = timeSteps(steps, () => {
      const input = dpoInput();
      trainStep(tf, policyParams, opt, () => stepLoss(tf, policy, null, input, settings(0)));
      return { tokens: pairTokens, flops: dpoFlops };
    });
    line('DPO step', dpo);

    // DPO+SPO: each response gets a variant of class c = 0..3 in turn (c = 0 reuses the intact row);
    // removed key content shortens a response by c/3 of 30 % of its tokens.
    const spo = timeSteps(steps, () => {
      const base = dpoInput();
      const sequences = pairs.slice();
      const pref: StepInput['pref'] = [];
      const dispref: StepInput['dispref'] = [];
      let extraTokens = 0;
      for (let r = 0; r < 2 * B; r++) {
        const c = r % K;
        let row = r;
        if (c > 0) {
          const cut = Math.round((c / (K - 1)) * 0.3 * 64);
          const v = seq(rng, 64, 64 - cut);
          row = sequences.length;
          sequences.push(v);
          extraTokens += v.ids.length;
        }
        (r < B ? pref : dispref).push({ row, label: c });
      }
      const input: StepInput = { ...base, sequences, pref, dispref, coverage: 1 };
      trainStep(tf, allParams, opt, () => stepLoss(tf, policy, heads, input, settings(0.1)));
      return { tokens: pairTokens, flops: dpoFlops + extraTokens * trainFlopsPerToken() };
    });
    line('DPO+SPO step', spo);

    const gflops = matmulGflops(tf);
    // Both sides on CPU time, so machine load cancels out.
    const mfu = (t: Timed) => t.flops / t.cpuSeconds / (gflops.cpu * 1e9);
    const result: Record<string, unknown> = {
      backend,
      lm_tokens_per_s: +(lm.tokens / lm.seconds).toFixed(1),
      dpo_tokens_per_s: +(dpo.tokens / dpo.seconds).toFixed(1),
      spo_tokens_per_s: +(spo.tokens / spo.seconds).toFixed(1),
      lm_cpu_tokens_per_s: +(lm.tokens / lm.cpuSeconds).toFixed(1),
      dpo_cpu_tokens_per_s: +(dpo.tokens / dpo.cpuSeconds).toFixed(1),
      spo_cpu_tokens_per_s: +(spo.tokens / spo.cpuSeconds).toFixed(1),
      lm_step_s: +lm.seconds.toFixed(4),
      dpo_step_s: +dpo.seconds.toFixed(4),
      spo_step_s: +spo.seconds.toFixed(4),
      spo_dpo_step_ratio: +(spo.cpuSeconds / dpo.cpuSeconds).toFixed(3),
      spo_dpo_step_ratio_wall: +(spo.seconds / dpo.seconds).toFixed(3),
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      matmul_gflops: +gflops.cpu.toFixed(2),
      load_average: os.loadavg().map((x) => +x.toFixed(2)),
      mfu_lm: +mfu(lm).toFixed(3),
      mfu_dpo: +mfu(dpo).toFixed(3),
      mfu_spo: +mfu(spo).toFixed(3),
      steps,
      config: { vocab: V, context: T, d_model: D, layers: L, heads: H, batch: B, classes: K },
    };
    policy.dispose(); reference.dispose(); opt.dispose(); disposeSpoHeads(heads);
    const kernels = tfjsKernels(tf, backend);
    result.tfjs_kernels = kernels.library;
    result.tfjs_threads = kernels.threads;
    if (kernels.note) result.tfjs_note = kernels.note;
    if (!values['no-torch']) {
      say(`running bench/torch_lm_step.py with ${torchPython()} at 1 and 2 threads …`);
      compareWithTorch(result, runTorchLmStep(steps, 1), runTorchLmStep(steps, 2));
    }
    if (values.json) {
      io.stdout.write(JSON.stringify(result) + '\n');
    } else {
      io.stdout.write([
        `backend            ${backend}`,
        `LM step            ${result.lm_tokens_per_s} tokens/s (${result.lm_step_s} s, MFU ${result.mfu_lm})`,
        `DPO step           ${result.dpo_tokens_per_s} tokens/s (${result.dpo_step_s} s, MFU ${result.mfu_dpo})`,
        `DPO+SPO step       ${result.spo_tokens_per_s} tokens/s (${result.spo_step_s} s, MFU ${result.mfu_spo})`,
        `SPO/DPO step cost  ${result.spo_dpo_step_ratio}× CPU time (${result.spo_dpo_step_ratio_wall}× wall; target ≤ 1.4×)`,
        `peak RSS           ${result.peak_rss_mb} MB`,
        `matMul ceiling     ${result.matmul_gflops} GFLOP/s per CPU second (512³ on this backend)`,
        `load average       ${(result.load_average as number[]).join(' ')}`,
        `TF.js kernels      ${result.tfjs_kernels}, ${result.tfjs_threads} thread(s)${result.tfjs_note ? ` (${result.tfjs_note})` : ''}`,
        ...torchLines(result),
      ].join('\n') + '\n');
    }
    return 0;
  },
};

/**
 * Adds the PyTorch figures and the TF.js/PyTorch ratios to `result`. At 1 thread both sides run one thread, so CPU
 * time is compared (machine load cancels out); at 2 threads wall time, TF.js at its own thread count.
 */
export function compareWithTorch(result: Record<string, unknown>, one: TorchLmStep | string, two: TorchLmStep | string): void {
  if (typeof one === 'string') { result.torch_note = one; return; }
  result.torch_version = one.torch_version;
  result.torch_blas = `${one.blas_built}${one.blas_loaded.length ? ` (loaded: ${one.blas_loaded.join(', ')})` : ''}`;
  result.torch_kernels = one.cpu_kernels;
  result.torch_blas_optimized = one.blas_optimized;
  result.torch_blas_reason = one.blas_reason;
  result.torch_threads = one.threads;
  result.torch_lm_tokens_per_s = one.lm_tokens_per_s;
  result.torch_lm_cpu_tokens_per_s = one.lm_cpu_tokens_per_s;
  result.torch_matmul_gflops = one.matmul_gflops;
  if (typeof two !== 'string') {
    result.torch_threads_2t = two.threads;
    result.torch_lm_tokens_per_s_2t = two.lm_tokens_per_s;
    result.torch_matmul_gflops_2t = two.matmul_gflops;
  }
  if (!one.blas_optimized) {
    result.torch_note = `no TF.js/PyTorch ratio: this PyTorch has no optimized BLAS (${one.blas_reason})`;
    return;
  }
  result.tfjs_torch_ratio = +((result.lm_cpu_tokens_per_s as number) / one.lm_cpu_tokens_per_s).toFixed(3);
  result.tfjs_torch_ratio_wall = +((result.lm_tokens_per_s as number) / one.lm_tokens_per_s).toFixed(3);
  if (typeof two !== 'string') result.tfjs_torch_ratio_2t = +((result.lm_tokens_per_s as number) / two.lm_tokens_per_s).toFixed(3);
}

function torchLines(r: Record<string, unknown>): string[] {
  if (r.torch_lm_tokens_per_s === undefined) return [`PyTorch            skipped: ${r.torch_note ?? '--no-torch'}`];
  const lines = [
    `PyTorch kernels    torch ${r.torch_version}, BLAS ${r.torch_blas}; ${(r.torch_kernels as string[]).join(', ')}; ${r.torch_blas_reason}`,
    `PyTorch LM step    1 thread: ${r.torch_lm_tokens_per_s} tokens/s wall, ${r.torch_lm_cpu_tokens_per_s} per CPU second (matMul ${r.torch_matmul_gflops} GFLOP/s)`,
  ];
  if (r.torch_lm_tokens_per_s_2t !== undefined) {
    lines.push(`                   ${r.torch_threads_2t} threads: ${r.torch_lm_tokens_per_s_2t} tokens/s wall (matMul ${r.torch_matmul_gflops_2t} GFLOP/s)`);
  }
  if (r.tfjs_torch_ratio === undefined) {
    lines.push(`TF.js/PyTorch      ${r.torch_note}`);
  } else {
    lines.push(`TF.js/PyTorch      1 thread each: ${r.tfjs_torch_ratio} on CPU time (${r.tfjs_torch_ratio_wall} wall)`
      + (r.tfjs_torch_ratio_2t !== undefined ? `; PyTorch at 2 threads, TF.js at ${r.tfjs_threads}: ${r.tfjs_torch_ratio_2t} wall` : '') + ' (target ≥ 1)');
  }
  return lines;
}
