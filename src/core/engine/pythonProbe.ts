// What a Python can do for the torch engine: one short script run with a timeout. Package versions
// come from the installed metadata (fast); only torch is imported, for CUDA and the GPUs. When the
// engine is importable, its own preflight (spo_torch.preflight.check_versions) judges the versions, so
// the tested ranges live in one place (python/pyproject.toml and that module).
import { execFile } from 'child_process';
import { pythonChildEnv } from './pythonLocation';

export const ENGINE_PACKAGES = ['torch', 'transformers', 'trl', 'accelerate', 'peft', 'safetensors', 'datasets'] as const;
export type EnginePackage = (typeof ENGINE_PACKAGES)[number];

export interface GpuInfo {
  name: string;
  memoryBytes: number;
}

export interface PythonProbe {
  /** False when the interpreter did not run (missing, timed out, crashed). */
  ran: boolean;
  /** Why it did not run, or the probe's own error. */
  error?: string;
  executable?: string;
  version?: string;
  packages: Partial<Record<EnginePackage, string | null>>;
  /** spo_torch's version when importable, else null. */
  engine: string | null;
  /** spo_torch.preflight's refusal (too old/new torch or TRL …), null when it passed. */
  preflightError: string | null;
  cuda: string | null;
  cudaAvailable: boolean;
  mps: boolean;
  gpus: GpuInfo[];
}

const PROBE_SCRIPT = String.raw`
import json, platform, sys, importlib, importlib.metadata as md, importlib.util as iu
out = {"executable": sys.executable, "version": platform.python_version(), "packages": {}, "engine": None,
       "preflightError": None, "cuda": None, "cudaAvailable": False, "mps": False, "gpus": []}
for name in ${JSON.stringify([...ENGINE_PACKAGES])}:
    try:
        out["packages"][name] = md.version(name)
    except Exception:
        out["packages"][name] = None
if iu.find_spec("spo_torch") is not None:
    try:
        import spo_torch
        out["engine"] = getattr(spo_torch, "__version__", "unknown")
        from spo_torch.preflight import check_versions
        check_versions()
    except Exception as e:
        out["preflightError"] = str(e).splitlines()[0] if str(e) else type(e).__name__
if out["packages"].get("torch"):
    try:
        import torch
        out["cuda"] = torch.version.cuda
        out["cudaAvailable"] = bool(torch.cuda.is_available())
        if out["cudaAvailable"]:
            for i in range(torch.cuda.device_count()):
                p = torch.cuda.get_device_properties(i)
                out["gpus"].append({"name": p.name, "memoryBytes": int(p.total_memory)})
        out["mps"] = bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())
    except Exception as e:
        out["preflightError"] = out["preflightError"] or ("torch fails to import: " + str(e).splitlines()[0])
print("@@spo-probe " + json.dumps(out))
`;

const EMPTY: Omit<PythonProbe, 'ran'> = { packages: {}, engine: null, preflightError: null, cuda: null, cudaAvailable: false, mps: false, gpus: [] };

/** Run the probe under `python`; never throws. */
export function probePython(python: string, timeoutMs = 90_000): Promise<PythonProbe> {
  return new Promise((resolve) => {
    execFile(python, ['-c', PROBE_SCRIPT], { timeout: timeoutMs, env: pythonChildEnv(), maxBuffer: 4 << 20, windowsHide: true }, (err, stdout, stderr) => {
      const line = stdout.split('\n').find((l) => l.startsWith('@@spo-probe '));
      if (line) {
        try {
          resolve({ ran: true, ...EMPTY, ...(JSON.parse(line.slice('@@spo-probe '.length)) as Partial<PythonProbe>) });
          return;
        } catch { /* fall through to the error */ }
      }
      const e = err as (NodeJS.ErrnoException & { killed?: boolean }) | null;
      let error: string;
      if (e?.code === 'ENOENT') error = `${python} not found`;
      else if (e?.killed) error = `${python} did not answer within ${Math.round(timeoutMs / 1000)} s`;
      else error = `${python} failed: ${(stderr.trim().split('\n').pop() ?? e?.message ?? 'no output').slice(0, 300)}`;
      resolve({ ran: false, error, ...EMPTY });
    });
  });
}

/** Ready to train: the engine imports and its preflight accepts torch, transformers, TRL and accelerate. */
export function torchReady(p: PythonProbe): boolean {
  return p.ran && p.engine !== null && p.preflightError === null && !!p.packages.torch && !!p.packages.trl;
}
