// RUN/config.json in the contract's key names (docs/engine-contract.md, "Config keys"), which the torch
// engine reads. Keys of the TF.js config that TRL names differently are renamed; the rest pass through.
// Once the training config itself uses the contract's names this is the identity on those keys.
const RENAMES: Record<string, string> = {
  loss: 'loss_type',
  batch_size: 'per_device_train_batch_size',
  out: 'output_dir',
  maxKeys: 'max_keys',
  log_every: 'logging_steps',
  eval_every: 'eval_steps',
  save_every: 'save_steps',
  'spo.gamma': 'spo_gamma',
  'spo.classes': 'spo_classes',
  'spo.pooling': 'spo_pooling',
};

export function contractConfig(config: Readonly<Record<string, unknown>>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    const name = RENAMES[key] ?? key.replace(/^tiny\./, 'tiny_');
    if (name in out && !(key in RENAMES)) continue; // the contract name itself wins over an old one
    out[name] = value;
  }
  if (typeof out.loss_type === 'string') out.loss_type = [out.loss_type]; // TRL 1.x: a list of loss names
  return { ...out, ...extra };
}

/** A config value by its contract name, falling back to the old TF.js name. */
export function configValue<T>(config: Readonly<Record<string, unknown>>, name: string): T | undefined {
  if (config[name] !== undefined) return config[name] as T;
  const old = Object.entries(RENAMES).find(([, n]) => n === name)?.[0];
  return old === undefined ? undefined : (config[old] as T | undefined);
}
