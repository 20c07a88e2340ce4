// The VS Code settings that feed training keys (the spec's `setting` column: spo.keys.maxKeys → max_keys,
// spo.keys.extractor → extractor, spo.train.backend → backend), as the lowest config layer of a run.
// The key-content settings are read exactly as the highlights read them, so the editor and the trainer
// mark the same key content.
import * as vscode from 'vscode';
import type { ConfigLayer } from '../../core/train/config';
import { SETTING_KEYS } from '../../core/train/spec';
import { readKeyContentSettings } from '../keys/settings';

/** The training keys the user set in VS Code settings, read for the data file's folder (`scope`). */
export function trainingSettingsLayer(scope?: vscode.ConfigurationScope): ConfigLayer {
  const config = vscode.workspace.getConfiguration('spo', scope);
  const keyContent = readKeyContentSettings(scope);
  const values: Record<string, unknown> = {};
  for (const { setting, key } of SETTING_KEYS) {
    if (setting === 'keys.maxKeys') values[key] = keyContent.maxKeys;
    else if (setting === 'keys.extractor') values[key] = keyContent.extractor;
    else {
      const value = config.get(setting);
      if (value !== undefined) values[key] = value;
    }
  }
  return { values, where: 'VS Code settings (spo.*)' };
}
