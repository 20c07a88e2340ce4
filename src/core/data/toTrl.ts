// Writes a pair back as a TRL record: strings for text formats, message lists for conversational
// input, plus the line it came from.
import { ChatMessage, PreferencePair } from './types';

export interface TrlRecord {
  prompt: string | ChatMessage[];
  chosen: string | ChatMessage[];
  rejected: string | ChatMessage[];
  source_line: number;
}

export function toTrlRecord(pair: PreferencePair): TrlRecord {
  if (pair.messages) {
    return { prompt: pair.messages.prompt, chosen: pair.messages.chosen, rejected: pair.messages.rejected, source_line: pair.line };
  }
  return { prompt: pair.prompt.text, chosen: pair.chosen.text, rejected: pair.rejected.text, source_line: pair.line };
}
