// The engine flags of `spo train` / `spo score` (--engine, --python, --num-processes, --accelerate-config),
// taken out of argv before the engine's own flags are parsed. Each also has a config key of the same
// meaning (engine, python, num_processes, accelerate_config); a flag wins over the config.
import { ENGINE_CHOICES, EngineChoice, isEngineChoice } from './engineChoice';

export interface EngineFlags {
  engine?: EngineChoice;
  python?: string;
  numProcesses?: number;
  accelerateConfig?: string;
}

export class EngineFlagError extends Error {}

const FLAGS: Record<string, keyof EngineFlags> = {
  '--engine': 'engine', '--python': 'python', '--num-processes': 'numProcesses', '--accelerate-config': 'accelerateConfig',
};

export function takeEngineFlags(argv: readonly string[]): { flags: EngineFlags; rest: string[] } {
  const flags: EngineFlags = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const key = FLAGS[name];
    if (!key) { rest.push(arg); continue; }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') throw new EngineFlagError(`${name} needs a value`);
    if (key === 'engine') {
      if (!isEngineChoice(value)) throw new EngineFlagError(`--engine must be one of ${ENGINE_CHOICES.join(', ')}, got "${value}"`);
      flags.engine = value;
    } else if (key === 'numProcesses') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw new EngineFlagError(`--num-processes must be an integer ≥ 1, got "${value}"`);
      flags.numProcesses = n;
    } else {
      flags[key] = value;
    }
  }
  return { flags, rest };
}
