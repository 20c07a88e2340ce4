// Anthropic HH transcripts: prompt = the chosen transcript up to and including its last
// "\n\nAssistant:", responses = the rest (TRL's `extract_anthropic_prompt`).
import { JsonStringLiteral } from '../textSource';
import { RawRecord } from '../rawRecord';
import { HH_ASSISTANT } from './detect';
import { PairFields, stringFieldError } from './fields';

export function parseHh(record: Record<string, unknown>, raw: RawRecord): PairFields | string {
  const { chosen, rejected } = record;
  if (chosen === undefined && rejected === undefined) return '"chosen" and "rejected" are missing';
  const expected = 'a string (an HH transcript)';
  const error = stringFieldError('chosen', chosen, expected) ?? stringFieldError('rejected', rejected, expected);
  if (error) return error;
  const c = chosen as string;
  const r = rejected as string;
  const marker = c.lastIndexOf(HH_ASSISTANT);
  if (marker < 0) return '"chosen" has no "\\n\\nAssistant:" turn, so it is not an HH transcript';
  const promptLength = marker + HH_ASSISTANT.length;
  const prompt = c.slice(0, promptLength);
  // TRL cuts the rejected transcript at the chosen prompt's length. A few real HH records
  // diverge earlier; then the rejected response is what follows its own last Assistant turn.
  let rejectedStart = promptLength;
  if (!r.startsWith(prompt)) {
    const own = r.lastIndexOf(HH_ASSISTANT);
    if (own < 0) return '"rejected" has no "\\n\\nAssistant:" turn, so it is not an HH transcript';
    rejectedStart = own + HH_ASSISTANT.length;
  }
  const chosenLiteral = new JsonStringLiteral(raw, ['chosen']);
  return {
    format: 'hh',
    prompt: { text: prompt, source: chosenLiteral.source() },
    chosen: { text: c.slice(promptLength), source: chosenLiteral.source(promptLength) },
    rejected: { text: r.slice(rejectedStart), source: new JsonStringLiteral(raw, ['rejected']).source(rejectedStart) },
  };
}
