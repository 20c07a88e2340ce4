// Reads the key-content settings (`spo.highlights.*`, `spo.keys.*`, `spo.data.format`) in one place.
import * as vscode from 'vscode';
import { PreferenceFormat, isPreferenceFormat } from '../../core/data';

export interface KeyContentSettings {
  highlightsEnabled: boolean;
  maxKeys: number;
  extractor: string;
  /** undefined = detect the format from the records. */
  format: PreferenceFormat | undefined;
}

export const HIGHLIGHTS_ENABLED_KEY = 'spo.highlights.enabled';

export function readKeyContentSettings(scope?: vscode.ConfigurationScope): KeyContentSettings {
  const config = vscode.workspace.getConfiguration('spo', scope);
  const maxKeys = Math.round(config.get<number>('keys.maxKeys', 8));
  const format = config.get<string>('data.format', 'auto');
  return {
    highlightsEnabled: config.get<boolean>('highlights.enabled', true),
    maxKeys: Math.min(64, Math.max(1, Number.isFinite(maxKeys) ? maxKeys : 8)),
    extractor: config.get<string>('keys.extractor', 'rake'),
    format: isPreferenceFormat(format) ? format : undefined,
  };
}

/** True when a configuration change touches anything these features read. */
export function affectsKeyContent(event: vscode.ConfigurationChangeEvent): boolean {
  return ['spo.highlights', 'spo.keys', 'spo.data'].some((section) => event.affectsConfiguration(section));
}
