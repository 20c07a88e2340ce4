// Format detection: which known preference format a parsed record looks like, from its keys alone.
import { PreferenceFormat } from '../types';

export const PREFERENCE_FORMATS: readonly PreferenceFormat[] = ['trl', 'trl-conversational', 'hh', 'tldr', 'ultrafeedback'];

export function isPreferenceFormat(x: unknown): x is PreferenceFormat {
  return typeof x === 'string' && (PREFERENCE_FORMATS as readonly string[]).includes(x);
}

export const HH_ASSISTANT = '\n\nAssistant:';
export const HH_HUMAN = '\n\nHuman:';

/** True for an Anthropic HH transcript: it has at least one "\n\nAssistant:" turn. */
export function isHhTranscript(x: unknown): boolean {
  return typeof x === 'string' && x.includes(HH_ASSISTANT);
}

export function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * The format a record looks like, or null when it has none of the keys that mark one. Only the
 * shape is looked at; the format's parser then validates types and reports what is wrong.
 */
export function detectFormat(record: unknown): PreferenceFormat | null {
  if (!isPlainObject(record)) return null;
  if ('summaries' in record && 'info' in record) return 'tldr';
  if ('completions' in record || ('responses' in record && 'scores' in record)) return 'ultrafeedback';
  if (!('chosen' in record) && !('rejected' in record)) return null;
  const { prompt, chosen, rejected } = record;
  if (Array.isArray(chosen) || Array.isArray(rejected) || Array.isArray(prompt)) return 'trl-conversational';
  if (!('prompt' in record) && (isHhTranscript(chosen) || isHhTranscript(rejected))) return 'hh';
  return 'trl';
}
