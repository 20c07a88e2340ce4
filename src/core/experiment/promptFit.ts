// Which pairs a TRL run can train on and score at a max length: DPOTrainer (keep_start truncation) drops
// every example whose prompt alone fills max_length, since no completion token would be left. The torch
// arms of an experiment leave those pairs out before the split, so that every held-out pair is scored
// by every arm. Prompt tokens are counted as TRL 1.16 counts them (the chat-template encoding both
// engines share, src/core/model/chatTemplate.ts), or as plain text for a model without a template.
import type { PreferencePair } from '../data/types';
import { encodeChatPair, loadChatTemplate } from '../model/chatTemplate';
import { loadTokenizer } from '../model/tokenizer';
import { promptMessages } from '../engine/promptMessages';

/** Per pair, whether its prompt leaves room for a completion token under `maxLength`. */
export function promptsFit(pairs: readonly PreferencePair[], modelDir: string, maxLength: number): boolean[] {
  const tokenizer = loadTokenizer(modelDir);
  const template = loadChatTemplate(modelDir);
  return pairs.map((p) => {
    const messages = template ? promptMessages(p) : null;
    const promptTokens = messages && template
      ? encodeChatPair(tokenizer, template, messages, p.chosen.text, p.rejected.text, Number.MAX_SAFE_INTEGER).chosen.responseStart
      : tokenizer.encode(p.prompt.text).length;
    return promptTokens < maxLength;
  });
}
