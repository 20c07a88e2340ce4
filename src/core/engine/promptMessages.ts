// The prompt as chat messages, for an engine whose tokenizer has a chat template (pairs.jsonl's
// `prompt_messages`): conversational records keep their lists; HH transcripts are split at their turns.
import type { ChatMessage, PreferencePair } from '../data/types';
import { HH_ASSISTANT, HH_HUMAN } from '../data/formats/detect';

const HH_ROLES: Record<string, string> = { [HH_HUMAN]: 'user', [HH_ASSISTANT]: 'assistant' };

/**
 * "\n\nHuman: a\n\nAssistant: b\n\nHuman: c\n\nAssistant:" → user a, assistant b, user c (the final,
 * empty Assistant turn is where the response goes, so it is not a message). Text before the first
 * turn marker, if any, is kept as a system message.
 */
export function hhTranscriptMessages(prompt: string): ChatMessage[] {
  const marker = /\n\n(Human|Assistant):/g;
  const messages: ChatMessage[] = [];
  let role: string | null = null;
  let from = 0;
  const push = (end: number) => {
    const content = prompt.slice(from, end).replace(/^ /, '');
    if (role === null) { if (content.trim()) messages.push({ role: 'system', content }); }
    else messages.push({ role, content });
  };
  for (let m = marker.exec(prompt); m; m = marker.exec(prompt)) {
    push(m.index);
    role = HH_ROLES[m[0]];
    from = m.index + m[0].length;
  }
  // The trailing "\n\nAssistant:" opens the response; anything after it would be a partial turn.
  if (role !== 'assistant' || prompt.slice(from).trim() !== '') push(prompt.length);
  return messages;
}

export function promptMessages(pair: PreferencePair): ChatMessage[] | null {
  if (pair.messages) return pair.messages.prompt;
  if (pair.format === 'hh') return hhTranscriptMessages(pair.prompt.text);
  return null;
}
