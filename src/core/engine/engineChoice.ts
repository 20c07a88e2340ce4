// Which engine trains (issue 12 §4): `tfjs` (embedded, the default), `torch` (PyTorch + TRL in a Python),
// or `auto` = torch when a --model is given and a Python with the engine and torch is found, else tfjs.
import { PythonChoice } from './pythonLocation';
import { PythonProbe, probePython, torchReady } from './pythonProbe';

import { ENGINE_CHOICES, EngineChoice } from '../train/spec';

export { ENGINE_CHOICES, EngineChoice };
export type EngineName = Exclude<EngineChoice, 'auto'>;

export function isEngineChoice(x: unknown): x is EngineChoice {
  return typeof x === 'string' && (ENGINE_CHOICES as readonly string[]).includes(x);
}

export interface ResolvedEngine {
  engine: EngineName;
  /** Why `auto` chose it (absent for an explicit choice). */
  why?: string;
  /** The probe `auto` made, reused by the torch launch. */
  probe?: PythonProbe;
}

export async function resolveEngine(choice: EngineChoice, context: { model: string | null; python: PythonChoice; probe?: (python: string) => Promise<PythonProbe> }): Promise<ResolvedEngine> {
  if (choice !== 'auto') return { engine: choice };
  if (!context.model) return { engine: 'tfjs', why: 'auto: no --model, so the embedded TF.js engine trains the tiny preset' };
  const probe = await (context.probe ?? probePython)(context.python.command);
  if (torchReady(probe)) return { engine: 'torch', why: `auto: ${probe.executable} has the torch engine (torch ${probe.packages.torch}, trl ${probe.packages.trl})`, probe };
  const reason = probe.ran ? (probe.preflightError ?? (probe.engine === null ? 'spo_torch is not installed' : 'torch or TRL is missing')) : probe.error;
  return { engine: 'tfjs', why: `auto: TF.js, since ${context.python.command} cannot run the torch engine (${reason}; spo doctor says how to install it)` };
}
