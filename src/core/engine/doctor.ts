// `spo doctor`: each engine's readiness and, for every missing piece, the command that installs it.
import * as path from 'path';
import { PythonChoice, choosePython, describePythonSource, engineSourceDir, PythonHints } from './pythonLocation';
import { ENGINE_PACKAGES, PythonProbe, probePython, torchReady } from './pythonProbe';

export const SETUP_TORCH = 'npm run setup:torch';

export interface Problem {
  what: string;
  /** The exact command that fixes it. */
  install: string;
}

export interface TfjsReport {
  ready: boolean;
  /** The backend training would use now ('tensorflow' | 'wasm' | 'cpu'). */
  backend: string | null;
  /** Why each faster backend is not used. */
  notes: string[];
  problems: Problem[];
}

export interface TorchReport {
  ready: boolean;
  python: { command: string; source: string; executable: string | null; version: string | null };
  packages: PythonProbe['packages'];
  engine: string | null;
  cuda: string | null;
  cudaAvailable: boolean;
  gpus: Array<{ name: string; memoryGiB: number }>;
  /** Where training would run: the first GPU, else the CPU. */
  device: string;
  problems: Problem[];
  notes: string[];
}

export interface DoctorReport {
  engines: { tfjs: TfjsReport; torch: TorchReport };
  /** What `--engine auto` picks when a --model is given (without one it is always tfjs). */
  autoWithModel: 'tfjs' | 'torch';
}

/** The pip command that installs the engine and its pinned dependencies into `python`. */
export function engineInstallCommand(python: string): string {
  const src = engineSourceDir();
  const target = src ? path.relative(process.cwd(), src) || '.' : 'python';
  return `${python} -m pip install -e '${target.startsWith('.') || path.isAbsolute(target) ? target : `./${target}`}[peft]'`;
}

export function torchReport(choice: PythonChoice, probe: PythonProbe): TorchReport {
  const problems: Problem[] = [];
  const notes: string[] = [];
  const py = probe.executable ?? choice.command;
  // The project environment is what setup:torch makes; for any other Python, pip into it directly.
  const fix = choice.source === 'project-env' || choice.source === 'path' ? SETUP_TORCH : engineInstallCommand(py);
  if (!probe.ran) {
    problems.push({ what: `no usable Python (${probe.error ?? 'did not run'}; from ${describePythonSource(choice.source)})`, install: choice.source === 'path' ? SETUP_TORCH : `${SETUP_TORCH}, or point spo.train.python / --python at a Python 3.10+` });
  } else {
    for (const name of ['torch', 'transformers', 'trl', 'accelerate'] as const) {
      if (!probe.packages[name]) problems.push({ what: `${name} is not installed in ${py}`, install: fix });
    }
    if (probe.engine === null) problems.push({ what: `the engine (spo_torch) is not importable from ${py}`, install: fix });
    if (probe.preflightError) problems.push({ what: probe.preflightError, install: fix });
    if (probe.packages.torch && !probe.packages.peft) notes.push(`peft is not installed (needed only for use_peft): ${engineInstallCommand(py)}`);
    if (probe.packages.torch && !probe.cudaAvailable) notes.push(`torch ${probe.packages.torch} sees no CUDA GPU: the torch engine trains on the CPU`);
  }
  const gpus = probe.gpus.map((g) => ({ name: g.name, memoryGiB: Math.round((g.memoryBytes / 2 ** 30) * 10) / 10 }));
  return {
    ready: torchReady(probe) && problems.length === 0,
    python: { command: choice.command, source: choice.source, executable: probe.executable ?? null, version: probe.version ?? null },
    packages: Object.fromEntries(ENGINE_PACKAGES.map((n) => [n, probe.packages[n] ?? null])),
    engine: probe.engine,
    cuda: probe.cuda,
    cudaAvailable: probe.cudaAvailable,
    gpus,
    device: gpus.length > 0 ? `cuda:0 (${gpus[0].name}, ${gpus[0].memoryGiB} GiB)` : probe.mps ? 'mps' : 'cpu',
    problems,
    notes,
  };
}

export async function tfjsReport(wasmDir?: string): Promise<TfjsReport> {
  // Loaded lazily: the doctor's torch half must not pay for TF.js, and the extension host never loads it.
  const { loadTf } = await import('../model/backend');
  try {
    const { backend, notes } = await loadTf({ backend: 'auto', wasmDir });
    // The native builds are optional dependencies: name the command that adds each one.
    const withInstall = notes.map((n) => {
      const pkg = /^(tfjs-node(?:-gpu)?):/.exec(n)?.[1];
      return pkg ? `${n} (install: npm install @tensorflow/${pkg}@4.22.0)` : n;
    });
    return { ready: true, backend, notes: withInstall, problems: [] };
  } catch (err) {
    return { ready: false, backend: null, notes: [], problems: [{ what: `TF.js does not load: ${(err as Error).message.split('\n')[0]}`, install: 'npm ci' }] };
  }
}

export async function runDoctor(hints: PythonHints = {}, options: { wasmDir?: string; timeoutMs?: number } = {}): Promise<DoctorReport> {
  const choice = choosePython(hints);
  const [tfjs, probe] = await Promise.all([tfjsReport(options.wasmDir), probePython(choice.command, options.timeoutMs)]);
  const torch = torchReport(choice, probe);
  return { engines: { tfjs, torch }, autoWithModel: torch.ready ? 'torch' : 'tfjs' };
}

export function formatDoctor(r: DoctorReport): string {
  const t = r.engines.torch;
  const tf = r.engines.tfjs;
  const mark = (ok: boolean) => (ok ? 'ready' : 'NOT READY');
  const lines = [
    `tfjs engine: ${mark(tf.ready)}${tf.backend ? ` (backend ${tf.backend})` : ''}`,
    ...tf.notes.map((n) => `  note: ${n}`),
    ...tf.problems.map((p) => `  missing: ${p.what}\n    fix: ${p.install}`),
    `torch engine: ${mark(t.ready)}`,
    `  python: ${t.python.executable ?? t.python.command}${t.python.version ? ` (${t.python.version})` : ''}, from ${describePythonSource(t.python.source as never)}`,
    `  packages: ${ENGINE_PACKAGES.map((n) => `${n} ${t.packages[n] ?? '-'}`).join(', ')}, spo_torch ${t.engine ?? '-'}`,
    `  CUDA: ${t.cuda ?? '-'}${t.cudaAvailable ? '' : ' (no GPU visible)'}`,
    ...t.gpus.map((g, i) => `  gpu ${i}: ${g.name}, ${g.memoryGiB} GiB`),
    `  device: ${t.device}`,
    ...t.notes.map((n) => `  note: ${n}`),
    ...t.problems.map((p) => `  missing: ${p.what}\n    fix: ${p.install}`),
    `--engine auto with a --model picks: ${r.autoWithModel}`,
  ];
  return lines.join('\n') + '\n';
}
