// Reads the key-content settings (`spo.highlights.*`, `spo.keys.*`, `spo.data.format`) in one place, for the
// document they apply to (the KeyContentEngine does so for the whole editor), so VS Code resolves one scope for
// the highlights, hovers, Problems panel and degree views alike: in a multi-root workspace, the document's folder.
import * as vscode from 'vscode';
import { PreferenceFormat, isPreferenceFormat } from '../../core/data';
import { DEFAULT_CONFIG, numericLimits } from '../../core/train/spec';

export interface KeyContentSettings {
  highlightsEnabled: boolean;
  maxKeys: number;
  extractor: string;
  /** undefined = detect the format from the records. */
  format: PreferenceFormat | undefined;
}

export const HIGHLIGHTS_ENABLED_KEY = 'spo.highlights.enabled';

/** `scope`: the document or folder they apply to (none: the workspace's own settings). */
export function readKeyContentSettings(scope?: vscode.ConfigurationScope): KeyContentSettings {
  const config = vscode.workspace.getConfiguration('spo', scope);
  // The training config's own default and limits (spec.ts max_keys), so the editor and the trainer agree.
  const { min, max } = numericLimits('max_keys');
  const maxKeys = Math.round(config.get<number>('keys.maxKeys', DEFAULT_CONFIG.max_keys));
  const format = config.get<string>('data.format', 'auto');
  return {
    highlightsEnabled: config.get<boolean>('highlights.enabled', true),
    maxKeys: Math.min(max, Math.max(min, Number.isFinite(maxKeys) ? maxKeys : DEFAULT_CONFIG.max_keys)),
    extractor: config.get<string>('keys.extractor', DEFAULT_CONFIG.extractor),
    format: isPreferenceFormat(format) ? format : undefined,
  };
}

/** True when a configuration change touches anything these features read. */
export function affectsKeyContent(event: vscode.ConfigurationChangeEvent): boolean {
  return ['spo.highlights', 'spo.keys', 'spo.data'].some((section) => event.affectsConfiguration(section));
}
