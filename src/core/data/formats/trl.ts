// TRL preference records, standard (strings) and conversational (message lists), explicit or
// implicit prompt, read the way TRL's `maybe_extract_prompt` splits them.
import { ChatMessage, SourcedText } from '../types';
import { RawRecord } from '../rawRecord';
import { JsonStringLiteral } from '../textSource';
import { HH_ASSISTANT, isPlainObject } from './detect';
import { messageListError, PairFields } from './fields';
import { jsonTypeName } from '../issues';

const ROLE_NAMES: Record<string, string> = { user: 'Human', assistant: 'Assistant', system: 'System' };

/**
 * A message list rendered as the plain-text prompt the model is fed, in the Anthropic HH
 * convention ("\n\nHuman: …\n\nAssistant:"), so every format trains the same way.
 */
export function renderChatPrompt(messages: readonly ChatMessage[]): string {
  const turns = messages.map((m) => `\n\n${ROLE_NAMES[m.role] ?? m.role.charAt(0).toUpperCase() + m.role.slice(1)}: ${m.content}`);
  return turns.join('') + HH_ASSISTANT;
}

/**
 * Length of the implicit prompt of two strings: their common prefix, ended one char early when
 * the prefix ends with a space (TRL's rule, so responses start with their space), never inside
 * a surrogate pair, and short enough that both responses stay non-empty.
 */
export function implicitPromptLength(chosen: string, rejected: string): number {
  const limit = Math.min(chosen.length, rejected.length);
  let n = 0;
  while (n < limit && chosen.charCodeAt(n) === rejected.charCodeAt(n)) n++;
  if (n === limit && n > 0) {
    // One response is a prefix of the other: back off to the start of the last shared word.
    const space = chosen.lastIndexOf(' ', n - 1);
    n = space < 0 ? 0 : space;
  }
  if (n > 0 && isHighSurrogate(chosen.charCodeAt(n - 1))) n--;
  if (n > 0 && chosen.charCodeAt(n - 1) === 0x20) n--;
  return n;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function checkTextOrMessages(name: string, value: unknown): string | null {
  if (typeof value === 'string') return null;
  if (Array.isArray(value)) return messageListError(name, value);
  if (value === undefined) return `"${name}" is missing`;
  return `"${name}" must be a string or a list of messages, got ${jsonTypeName(value)}`;
}

export function parseTrl(record: Record<string, unknown>, raw: RawRecord): PairFields | string {
  const { chosen, rejected } = record;
  const prompt = record.prompt ?? undefined; // a null prompt reads as "no prompt"
  if (chosen === undefined && rejected === undefined) return '"chosen" and "rejected" are missing';
  const error = checkTextOrMessages('chosen', chosen) ?? checkTextOrMessages('rejected', rejected)
    ?? (prompt === undefined ? null : checkTextOrMessages('prompt', prompt));
  if (error) return error;
  if (typeof chosen === 'string' && typeof rejected === 'string') {
    if (Array.isArray(prompt)) return '"prompt" is a list of messages but "chosen" and "rejected" are strings';
    return parseStandard(raw, chosen, rejected, prompt as string | undefined);
  }
  if (Array.isArray(chosen) && Array.isArray(rejected)) {
    if (typeof prompt === 'string') return '"prompt" is a string but "chosen" and "rejected" are lists of messages';
    return parseConversational(raw, chosen as ChatMessage[], rejected as ChatMessage[], prompt as ChatMessage[] | undefined);
  }
  const shape = (x: unknown) => (Array.isArray(x) ? 'a list of messages' : 'a string');
  return `"chosen" is ${shape(chosen)} but "rejected" is ${shape(rejected)}; both must be strings or both lists of messages`;
}

function parseStandard(raw: RawRecord, chosen: string, rejected: string, prompt: string | undefined): PairFields {
  const chosenLiteral = new JsonStringLiteral(raw, ['chosen']);
  const rejectedLiteral = new JsonStringLiteral(raw, ['rejected']);
  if (prompt !== undefined) {
    return {
      format: 'trl',
      prompt: { text: prompt, source: new JsonStringLiteral(raw, ['prompt']).source() },
      chosen: { text: chosen, source: chosenLiteral.source() },
      rejected: { text: rejected, source: rejectedLiteral.source() },
    };
  }
  const split = implicitPromptLength(chosen, rejected);
  return {
    format: 'trl',
    prompt: { text: chosen.slice(0, split), source: chosenLiteral.source() },
    chosen: { text: chosen.slice(split), source: chosenLiteral.source(split) },
    rejected: { text: rejected.slice(split), source: rejectedLiteral.source(split) },
  };
}

function sameMessage(a: ChatMessage, b: ChatMessage): boolean {
  return a.role === b.role && a.content === b.content;
}

function parseConversational(raw: RawRecord, chosen: ChatMessage[], rejected: ChatMessage[], prompt: ChatMessage[] | undefined): PairFields | string {
  let shared = 0;
  if (prompt === undefined) {
    // Implicit prompt: the leading messages both lists share, leaving each at least one message.
    const limit = Math.min(chosen.length, rejected.length) - 1;
    while (shared < limit && sameMessage(chosen[shared], rejected[shared])) shared++;
  }
  const chosenText = lastAssistant(raw, 'chosen', chosen, shared);
  if (typeof chosenText === 'string') return chosenText;
  const rejectedText = lastAssistant(raw, 'rejected', rejected, shared);
  if (typeof rejectedText === 'string') return rejectedText;
  const promptMessages = prompt ?? chosen.slice(0, shared);
  return {
    format: 'trl-conversational',
    prompt: { text: renderChatPrompt(promptMessages) },
    chosen: chosenText.text,
    rejected: rejectedText.text,
    messages: { prompt: promptMessages, chosen: chosen.slice(shared), rejected: rejected.slice(shared) },
  };
}

/** The last assistant message at or after `from`, as sourced text, or an error message. */
function lastAssistant(raw: RawRecord, key: string, messages: ChatMessage[], from: number): { text: SourcedText } | string {
  for (let i = messages.length - 1; i >= from; i--) {
    if (isPlainObject(messages[i]) && messages[i].role === 'assistant') {
      return { text: { text: messages[i].content, source: new JsonStringLiteral(raw, [key, i, 'content']).source() } };
    }
  }
  return messages.length === 0 ? `"${key}" is an empty list of messages` : `"${key}" has no assistant message after the prompt`;
}
