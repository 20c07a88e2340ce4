// Read issues: the type guard that tells them from pairs, and the `FILE:LINE: message` rendering.
import { PreferencePair, ReadIssue } from './types';

export function isReadIssue(x: PreferencePair | ReadIssue): x is ReadIssue {
  return !('chosen' in x);
}

/** `FILE:LINE: message`, the compiler-style form editors and terminals link to. */
export function formatIssue(file: string, issue: ReadIssue): string {
  return `${file}:${issue.line}: ${issue.message}`;
}

/** Names a JSON value's type the way a reader of the file thinks of it. */
export function jsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return typeof value;
}
