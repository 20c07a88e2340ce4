// What a format parser returns for one record, and the helpers parsers share to validate fields.
import { ChatMessage, PreferencePair } from '../types';
import { RawRecord } from '../rawRecord';
import { jsonTypeName } from '../issues';

/** A pair before the reader numbers it. */
export type PairFields = Omit<PreferencePair, 'index' | 'line'>;

/** A parser returns the pair, or a message saying what is wrong with the record. */
export type FormatParser = (record: Record<string, unknown>, raw: RawRecord) => PairFields | string;

/** `"key" is missing` / `"key" must be a string, got number`, or null when it is a string. */
export function stringFieldError(name: string, value: unknown, expected = 'a string'): string | null {
  if (typeof value === 'string') return null;
  if (value === undefined) return `"${name}" is missing`;
  return `"${name}" must be ${expected}, got ${jsonTypeName(value)}`;
}

/** Validates a list of `{role, content}` messages; returns an error message or null. */
export function messageListError(name: string, value: unknown[]): string | null {
  for (let i = 0; i < value.length; i++) {
    const m = value[i] as Partial<ChatMessage> | null;
    if (typeof m !== 'object' || m === null || Array.isArray(m)) {
      return `"${name}"[${i}] must be a message {role, content}, got ${jsonTypeName(m)}`;
    }
    if (m.role === undefined) return `"${name}"[${i}].role is missing`;
    if (m.content === undefined) return `"${name}"[${i}].content is missing`;
    if (typeof m.role !== 'string') return `"${name}"[${i}].role must be a string, got ${jsonTypeName(m.role)}`;
    if (typeof m.content !== 'string') return `"${name}"[${i}].content must be a string, got ${jsonTypeName(m.content)}`;
  }
  return null;
}
