// `spo bench engines`: the torch engine's and the TF.js engine's training tokens/s on the same small Llama on CPU
// (issue 12 §7), in one command. Both run `spo train` for real on one random-init Llama HF folder (made by the
// engine's fixture module unless --model is given), the same pairs, batch, max length and SPO settings; each
// side's threads and kernel library (BLAS) are printed beside its figures.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'node:util';
import { UsageError } from '../command';
import type { CliIO } from '../command';
import type { TrainerEvent } from '../../core/protocol/trainer';
import { BackendChoice, loadTf } from '../../core/model/backend';
import { choosePython, pythonChildEnv } from '../../core/engine/pythonLocation';
import { benchScript, tfjsKernels } from './benchTorch';

export const ENGINES_USAGE = `usage: spo bench engines [--json] [--model DIR] [--steps N] [--batch N] [--max-length N] [--pairs N] [--torch-threads N]

Trains the same model on the same pairs with each engine (spo train --engine tfjs, then --engine torch;
CPU, γ 0.1, K 4, sigmoid loss, logging every step, no eval, checkpoint or degrees) and prints each
engine's training tokens/s (median over the steps after the first, as each engine logs it: the policy
tokens of the chosen and rejected sequences per second), its median step time (between step events),
and its threads and kernel library (BLAS).

  --model DIR        a Llama/GPT-2 HF folder (default: a random-init Llama, d_model 128, 4 layers, 4 heads,
                     made by python -m spo_torch.fixtures in a temporary folder)
  --steps N          training steps per engine (default 8)
  --batch N          pairs per step (default 8)
  --max-length N     tokens per sequence (default 128)
  --pairs N          pairs in the data (default 32)
  --torch-threads N  torch intra-op threads (default: torch's own, the physical cores)
  --json             one JSON line: {"model", "batch", "max_length", "steps", "tfjs": {...}, "torch": {...},
                     "torch_tfjs_ratio", "load_average"}
`;

export interface EngineFigures {
  engine: 'tfjs' | 'torch';
  /** The started event's backend (wasm, tensorflow, torch-cpu …) and device. */
  backend: string;
  device: string;
  /** Steps whose figures are counted (all but the first, which warms up). */
  timed_steps: number;
  tokens_per_s: number;
  step_ms: number;
  threads: number;
  kernels: string;
  note?: string;
}

const median = (xs: number[]): number => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};

/**
 * An engine's figures from its run's events: the median logged tokens_per_second and the median interval
 * between consecutive step events, over the steps after the first.
 */
export function engineFigures(events: readonly TrainerEvent[]): Pick<EngineFigures, 'backend' | 'device' | 'timed_steps' | 'tokens_per_s' | 'step_ms'> {
  const started = events.find((e): e is Extract<TrainerEvent, { type: 'started' }> => e.type === 'started');
  const done = events.find((e): e is Extract<TrainerEvent, { type: 'done' }> => e.type === 'done');
  if (!started) throw new Error('the run has no started event');
  if (!done || done.reason !== 'completed') throw new Error(`the run did not complete (${done ? `${done.reason}: ${done.message ?? ''}` : 'no done event'})`);
  const rows = events.filter((e): e is Extract<TrainerEvent, { type: 'metrics' }> => e.type === 'metrics' && e.split === 'train');
  const timed = rows.filter((r) => r.row.step > 1);
  if (timed.length < 1) throw new Error('fewer than 2 logged steps: raise --steps');
  const intervals = timed.map((r) => r.time - rows[rows.indexOf(r) - 1].time);
  return {
    backend: started.backend,
    device: started.device ?? started.backend,
    timed_steps: timed.length,
    tokens_per_s: +median(timed.map((r) => r.row.tokens_per_second as number)).toFixed(1),
    step_ms: +median(intervals).toFixed(1),
  };
}

function positive(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer (got '${value}')`);
  return n;
}

/** The CLI's own entry (out/src/cli/main.js from tsc, dist/cli.js in the bundle), to run `spo train`. */
function cliEntry(): string {
  const candidates = [path.resolve(__dirname, '..', 'main.js'), path.join(__dirname, 'cli.js')];
  const found = candidates.find((f) => fs.existsSync(f));
  if (!found) throw new Error(`cannot find the spo CLI entry (looked for ${candidates.join(', ')})`);
  return found;
}

function python(args: string[], what: string, env: NodeJS.ProcessEnv = pythonChildEnv()): string {
  const py = choosePython().command;
  const r = spawnSync(py, args, { encoding: 'utf8', env, timeout: 600_000, maxBuffer: 64 * 2 ** 20 });
  if (r.error || r.status !== 0) {
    const last = (r.stderr || (r.error ? r.error.message : '')).trim().split('\n').pop();
    throw new Error(`${what} failed with ${py}${last ? `: ${last}` : ''} (npm run setup:torch makes the torch environment)`);
  }
  return r.stdout;
}

/** One `spo train` run to its end; its events from metrics.jsonl. */
function trainRun(cli: string, args: string[], runDir: string, env: NodeJS.ProcessEnv): Promise<TrainerEvent[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'train', ...args, '--output-dir', runDir], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let tail = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => { tail = (tail + d).slice(-4000); });
    child.on('error', reject);
    child.on('close', (code) => {
      const file = path.join(runDir, 'metrics.jsonl');
      if (!fs.existsSync(file)) { reject(new Error(`spo train exited with ${code} before it wrote events: ${tail.trim().split('\n').pop() ?? ''}`)); return; }
      resolve(fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as TrainerEvent));
    });
  });
}

export async function runEnginesBench(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false }, model: { type: 'string' }, steps: { type: 'string' }, batch: { type: 'string' },
      'max-length': { type: 'string' }, pairs: { type: 'string' }, 'torch-threads': { type: 'string' },
    },
  });
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'\n\n${ENGINES_USAGE}`);
  const steps = positive(values.steps, '--steps', 8);
  if (steps < 2) throw new UsageError('--steps must be at least 2 (the first step warms up and is not counted)');
  const batch = positive(values.batch, '--batch', 8);
  const maxLength = positive(values['max-length'], '--max-length', 128);
  const pairs = positive(values.pairs, '--pairs', 32);
  const torchThreads = values['torch-threads'] === undefined ? null : positive(values['torch-threads'], '--torch-threads', 1);
  const say = (s: string) => { if (!values.json) io.stderr.write(s + '\n'); };

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-bench-engines-'));
  try {
    let model = values.model ? path.resolve(values.model) : path.join(tmp, 'llama');
    if (!values.model) {
      say('making a random-init Llama (d_model 128, 4 layers, 4 heads) with python -m spo_torch.fixtures …');
      python(['-m', 'spo_torch.fixtures', 'model', model, '--d-model', '128', '--layers', '4', '--heads', '4'], 'the model fixture');
    }
    model = fs.realpathSync(model);
    // Pairs in the fixture tokenizer's vocabulary, as a plain TRL preference file both engines read through the TS side.
    const data = path.join(tmp, 'pairs.jsonl');
    python(['-c', `import json,sys\nfrom spo_torch.fixtures import make_pairs\nwith open(sys.argv[1],'w') as f:\n  for p in make_pairs(${pairs}, seed=1):\n    f.write(json.dumps({k: p[k] for k in ('prompt','chosen','rejected')})+'\\n')`, data], 'the pair fixture');
    const common = [
      '--data', data, '--model', model, '--batch-size', String(batch), '--max-steps', String(steps), '--max-length', String(maxLength),
      '--set', 'spo_gamma=0.1', '--set', 'spo_classes=4', '--set', 'loss_type=sigmoid', '--set', 'logging_steps=1', '--set', 'eval_steps=0',
      '--set', 'save_steps=0', '--set', 'write_degrees=false', '--set', 'eval_fraction=0', '--set', 'warmup_steps=0',
    ];
    const cli = cliEntry();
    const torchEnv = pythonChildEnv(process.env, { CUDA_VISIBLE_DEVICES: '', ...(torchThreads ? { OMP_NUM_THREADS: String(torchThreads), MKL_NUM_THREADS: String(torchThreads) } : {}) });

    say(`TF.js engine: spo train --engine tfjs, ${steps} steps of ${batch} pairs, max length ${maxLength} …`);
    const tfjsEvents = await trainRun(cli, [...common, '--engine', 'tfjs'], path.join(tmp, 'run-tfjs'), process.env);
    const tfjsRun = engineFigures(tfjsEvents);
    // The same backend in this process, to read its threads and kernels as `spo bench train` does.
    const { tf } = await loadTf({ backend: ({ tensorflow: 'tfjs-node', wasm: 'wasm', cpu: 'cpu' } as Record<string, BackendChoice>)[tfjsRun.backend] ?? 'auto' });
    const kernels = tfjsKernels(tf, tfjsRun.backend);
    const tfjs: EngineFigures = { engine: 'tfjs', ...tfjsRun, threads: kernels.threads, kernels: kernels.library, ...(kernels.note ? { note: kernels.note } : {}) };

    say(`torch engine: spo train --engine torch, the same model, pairs, batch and max length …`);
    const torchEvents = await trainRun(cli, [...common, '--engine', 'torch'], path.join(tmp, 'run-torch'), torchEnv);
    const torchRun = engineFigures(torchEvents);
    const script = benchScript();
    const info = script
      ? JSON.parse(python([script, '--info', ...(torchThreads ? ['--threads', String(torchThreads)] : [])], 'the BLAS probe', torchEnv).trim().split('\n').pop()!) as
        { torch_version: string; threads: number; blas_built: string; blas_loaded: string[]; blas_reason: string; cpu_kernels: string[] }
      : null;
    const torch: EngineFigures = {
      engine: 'torch', ...torchRun,
      threads: info ? info.threads : NaN,
      kernels: info ? `torch ${info.torch_version}, BLAS ${info.blas_built}${info.blas_loaded.length ? ` (loaded: ${info.blas_loaded.join(', ')})` : ''}; ${info.cpu_kernels.join(', ')}; ${info.blas_reason}` : 'bench/torch_lm_step.py not found',
    };

    const result = {
      model: values.model ? model : 'random-init Llama, d_model 128, 4 layers, 4 heads (spo_torch.fixtures)',
      batch, max_length: maxLength, steps, pairs,
      tfjs, torch,
      torch_tfjs_ratio: +(torch.tokens_per_s / tfjs.tokens_per_s).toFixed(3),
      load_average: os.loadavg().map((x) => +x.toFixed(2)),
    };
    if (values.json) {
      io.stdout.write(JSON.stringify(result) + '\n');
    } else {
      const line = (f: EngineFigures) =>
        `${(f.engine === 'tfjs' ? 'TF.js engine' : 'torch engine').padEnd(13)} ${String(f.tokens_per_s).padStart(9)} tokens/s  step ${String(f.step_ms).padStart(8)} ms  (${f.backend}, ${f.device})`;
      io.stdout.write([
        `model          ${result.model}`,
        `batch          ${batch} pairs, max length ${maxLength}, ${steps} steps (median of the last ${tfjs.timed_steps}), γ 0.1, K 4, sigmoid`,
        line(tfjs),
        `  threads/BLAS ${tfjs.threads} thread(s), ${tfjs.kernels}${tfjs.note ? ` (${tfjs.note})` : ''}`,
        line(torch),
        `  threads/BLAS ${torch.threads} thread(s), ${torch.kernels}`,
        `torch/TF.js    ${result.torch_tfjs_ratio}× tokens/s`,
        `load average   ${result.load_average.join(' ')} (${os.cpus().length} CPUs)`,
      ].join('\n') + '\n');
    }
    return 0;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
