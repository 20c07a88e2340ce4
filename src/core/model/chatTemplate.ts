// A model's chat template (tokenizer_config.json `chat_template`, or chat_template.jinja beside it),
// rendered with @huggingface/jinja, and preference pairs encoded from chat messages the way TRL 1.16's
// DPOTrainer does for conversational data: the prompt with the generation prompt and each whole
// conversation are tokenized; the prompt is their common token prefix, each response the rest.
import * as fs from 'fs';
import * as path from 'path';
import { Template } from '@huggingface/jinja';
import type { TextTokenizer } from './types';
import { EncodedPair, commonPrefixLength, truncatePair } from './logprobs';
import { TOKENIZER_CONFIG_FILE } from './tokenizer';

export const CHAT_TEMPLATE_FILE = 'chat_template.jinja';

export interface ChatMessageLike {
  role: string;
  content: string;
}

type Json = Record<string, unknown>;

function tokenText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as Json).content === 'string') return (v as Json).content as string;
  return '';
}

export class ChatTemplate {
  private readonly template: Template;

  constructor(
    readonly source: string,
    private readonly specialTokens: { bos_token: string; eos_token: string },
  ) {
    this.template = new Template(source);
  }

  /** The conversation as text; `addGenerationPrompt` opens the assistant turn that follows. */
  render(messages: readonly ChatMessageLike[], addGenerationPrompt: boolean): string {
    return this.template.render({
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      add_generation_prompt: addGenerationPrompt,
      ...this.specialTokens,
    });
  }
}

/**
 * The chat template of a model folder, as transformers finds it: chat_template.jinja first, then
 * tokenizer_config.json's `chat_template` (a string, or a list of named templates: 'default').
 * Undefined when the model has none.
 */
export function loadChatTemplate(dir: string): ChatTemplate | undefined {
  const configFile = path.join(dir, TOKENIZER_CONFIG_FILE);
  const config: Json = fs.existsSync(configFile) ? JSON.parse(fs.readFileSync(configFile, 'utf8')) : {};
  const special = { bos_token: tokenText(config.bos_token), eos_token: tokenText(config.eos_token) };
  const jinjaFile = path.join(dir, CHAT_TEMPLATE_FILE);
  if (fs.existsSync(jinjaFile)) return new ChatTemplate(fs.readFileSync(jinjaFile, 'utf8'), special);
  let source = config.chat_template;
  if (Array.isArray(source)) source = (source as Json[]).find((t) => t.name === 'default')?.template;
  return typeof source === 'string' && source ? new ChatTemplate(source, special) : undefined;
}

/**
 * A response as the assistant message that follows the prompt. HH responses start with the space
 * after "Assistant:"; it is dropped, as hhTranscriptMessages drops it from every prompt turn.
 */
export function assistantMessage(response: string): ChatMessageLike {
  return { role: 'assistant', content: response.replace(/^ /, '') };
}

/**
 * Chosen and rejected encoded through the chat template (TRL's conversational tokenization, see the
 * file comment), then truncated to maxLen as encodePair does. The rendered text is tokenized without
 * added special tokens: the template writes them.
 */
export function encodeChatPair(
  tokenizer: TextTokenizer,
  template: ChatTemplate,
  promptMessages: readonly ChatMessageLike[],
  chosen: string,
  rejected: string,
  maxLen: number,
): { chosen: EncodedPair; rejected: EncodedPair } {
  const promptIds = tokenizer.encode(template.render(promptMessages, true));
  const fullChosen = tokenizer.encode(template.render([...promptMessages, assistantMessage(chosen)], false));
  const fullRejected = tokenizer.encode(template.render([...promptMessages, assistantMessage(rejected)], false));
  const n = Math.min(commonPrefixLength(promptIds, fullChosen), commonPrefixLength(promptIds, fullRejected));
  const prompt = promptIds.slice(0, n);
  return {
    chosen: truncatePair(prompt, fullChosen.slice(n), maxLen, false),
    rejected: truncatePair(prompt, fullRejected.slice(n), maxLen, false),
  };
}
