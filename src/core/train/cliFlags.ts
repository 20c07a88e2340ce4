// The command-line face of the training spec: node:util parseArgs options, flag values → config keys,
// and the option lines of usage text, all generated from spec.ts (`spo train` uses every key,
// `spo experiment` the rows marked `experiment`).
import { ConfigError, parseFlagValue } from './config';
import { ConfigKey, GROUP_TITLES, KeySpec, SpecGroup, TRAIN_SPEC, isConfigKey, LEGACY_KEYS } from './spec';

export type FlagOptions = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;

/** Every flag name (primary and aliases) of a row. Boolean rows also get `--no-FLAG`. */
function flagNames(spec: KeySpec): string[] {
  return spec.flag ? [spec.flag, ...(spec.aliases ?? [])] : [];
}

/** parseArgs options for these rows: string flags, booleans as `--flag` / `--no-flag`. */
export function flagOptions(rows: readonly KeySpec[]): FlagOptions {
  const options: FlagOptions = {};
  for (const spec of rows) {
    for (const name of flagNames(spec)) {
      if (spec.type === 'boolean') {
        options[name] = { type: 'boolean' };
        options[`no-${name}`] = { type: 'boolean' };
      } else {
        options[name] = { type: 'string' };
      }
    }
  }
  return options;
}

/**
 * The config values the parsed flags set, by key. Two flags for one key (e.g. `--loss` and
 * `--loss-type`) are refused, naming both.
 */
export function flagValues(rows: readonly KeySpec[], parsed: Record<string, unknown>): Partial<Record<ConfigKey, unknown>> {
  const out: Partial<Record<ConfigKey, unknown>> = {};
  const seen: Partial<Record<ConfigKey, string>> = {};
  const put = (key: ConfigKey, flag: string, value: unknown) => {
    if (seen[key]) throw new ConfigError(`--${seen[key]} and --${flag} both set config key "${key}"`);
    seen[key] = flag;
    out[key] = value;
  };
  for (const spec of rows) {
    for (const name of flagNames(spec)) {
      const raw = parsed[name];
      if (spec.type === 'boolean') {
        if (raw === true) put(spec.key, name, true);
        if (parsed[`no-${name}`] === true) put(spec.key, `no-${name}`, false);
      } else if (typeof raw === 'string') {
        put(spec.key, name, parseFlagValue(spec.key, raw));
      }
    }
  }
  return out;
}

/** `--set KEY=VALUE` assignments → config values (today's key names; an old name is refused with its new one). */
export function setValues(assignments: readonly string[]): Partial<Record<ConfigKey, unknown>> {
  const out: Partial<Record<ConfigKey, unknown>> = {};
  for (const assignment of assignments) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--set expects KEY=VALUE, got "${assignment}"`);
    const key = assignment.slice(0, eq).trim();
    if (!isConfigKey(key)) {
      const renamed = LEGACY_KEYS[key];
      throw new ConfigError(`unknown config key "${key}" in --set${renamed ? ` (renamed "${renamed}")` : ''}`);
    }
    out[key] = parseFlagValue(key, assignment.slice(eq + 1));
  }
  return out;
}

const placeholder = (spec: KeySpec): string => {
  if (spec.metavar) return spec.metavar;
  if (spec.check?.oneOf && spec.type === 'string') return spec.check.oneOf.join('|');
  return { string: 'S', number: 'X', integer: 'N', boolean: '', 'string[]': 'A[,B]', 'number[]': 'X[,Y]' }[spec.type];
};

function describeDefault(spec: KeySpec): string {
  const d = spec.default as unknown;
  if (d === null) return 'null';
  if (d === '') return '';
  return Array.isArray(d) ? d.join(',') : String(d);
}

/** Wrap `text` to lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** One option's lines: `--flag VALUE (aliases)`, then its help with the default, indented. */
export function optionLines(spec: KeySpec, indent = '  '): string[] {
  if (!spec.flag) return [];
  const value = placeholder(spec);
  const head = spec.type === 'boolean' ? `--${spec.flag} / --no-${spec.flag}` : `--${spec.flag} ${value}`;
  const aliases = (spec.aliases ?? []).map((a) => `--${a}`).join(', ');
  const dflt = describeDefault(spec);
  const help = `${spec.help}${dflt ? ` (default ${dflt})` : ''}`;
  return [
    `${indent}${head}${aliases ? `   (also ${aliases})` : ''}`,
    ...wrap(help, 96).map((l) => `${indent}      ${l}`),
  ];
}

/** The option lines of every row, under their group titles. */
export function groupedOptionLines(rows: readonly KeySpec[] = TRAIN_SPEC): string {
  const groups = new Map<SpecGroup, KeySpec[]>();
  for (const r of rows) groups.set(r.group, [...(groups.get(r.group) ?? []), r]);
  const out: string[] = [];
  for (const [group, specs] of groups) {
    out.push(`${GROUP_TITLES[group]}:`, ...specs.flatMap((s) => optionLines(s)), '');
  }
  return out.join('\n').trimEnd();
}

/** The rows `spo experiment` shares with `spo train` (the training budget every arm gets). */
export const EXPERIMENT_ROWS: readonly KeySpec[] = TRAIN_SPEC.filter((s) => s.experiment);
