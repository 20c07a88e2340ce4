// What the spo.config.json confirmation shows: a repository's config can point training at any file, so the
// dialog names the full paths it will read (model, data, eval data) and each value that overrides what the
// user picked (the data file in the editor, the backend setting), before anything runs.
import * as path from 'path';
import { lossLabel, type TrainConfig } from '../train/config';

export interface PickerChoices {
  /** The data file the command was started on. */
  data: string;
  backend: string;
}

export function projectConfigSummary(cfg: TrainConfig, root: string, picked: PickerChoices): string {
  const abs = (p: string) => path.resolve(root, p);
  const lines = [
    `data: ${abs(cfg.data)}`,
    `model: ${cfg.model ? abs(cfg.model) : 'the embedded tiny preset'}`,
    `eval data: ${cfg.eval_data ? abs(cfg.eval_data) : `a held-out ${cfg.eval_fraction} of the data`}`,
    `${lossLabel(cfg)} · γ=${cfg.spo_gamma} · K=${cfg.spo_classes} · β=${cfg.beta} · ${cfg.max_steps} steps · backend ${cfg.backend}`,
  ];
  const overrides: string[] = [];
  if (abs(cfg.data) !== path.resolve(picked.data)) overrides.push(`data is ${abs(cfg.data)}, not the file you picked (${path.resolve(picked.data)})`);
  if (cfg.backend !== picked.backend) overrides.push(`backend is ${cfg.backend}, not the spo.train.backend setting (${picked.backend})`);
  if (overrides.length) lines.push('', 'spo.config.json overrides:', ...overrides.map((o) => `• ${o}`));
  return lines.join('\n');
}
