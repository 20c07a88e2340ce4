// A pair's prompt as chat messages, for engines whose tokenizer has a chat template (TRL formats
// conversational data with it): conversational records keep theirs; an HH transcript is split at its
// "\n\nHuman:" / "\n\nAssistant:" markers into user / assistant turns. Other formats have none.
import { HH_ASSISTANT, HH_HUMAN } from './formats/detect';
import type { ChatMessage, PreferencePair } from './types';

const ROLE_OF: Record<string, string> = { [HH_HUMAN]: 'user', [HH_ASSISTANT]: 'assistant' };

/**
 * An HH prompt ("\n\nHuman: …\n\nAssistant: …\n\nHuman: …\n\nAssistant:") as messages, contents
 * trimmed; the empty assistant turn that ends the prompt is the one the response fills, so it is not a
 * message. Text before the first marker (none in HH) becomes a system message.
 */
export function hhTranscriptMessages(transcript: string): ChatMessage[] {
  const marker = /\n\n(Human|Assistant):/g;
  const messages: ChatMessage[] = [];
  let role: string | undefined;
  let from = 0;
  const push = (end: number): void => {
    const content = transcript.slice(from, end).trim();
    if (role) messages.push({ role, content });
    else if (content) messages.push({ role: 'system', content });
  };
  for (let m = marker.exec(transcript); m; m = marker.exec(transcript)) {
    push(m.index);
    role = ROLE_OF[m[0]];
    from = m.index + m[0].length;
  }
  push(transcript.length);
  const last = messages[messages.length - 1];
  if (last && last.role === 'assistant' && last.content === '') messages.pop();
  return messages;
}

/** The prompt as messages (see the file comment), or null when the pair's format has none. */
export function promptMessages(pair: PreferencePair): ChatMessage[] | null {
  if (pair.messages) return pair.messages.prompt;
  if (pair.format === 'hh') return hhTranscriptMessages(pair.prompt.text);
  return null;
}
