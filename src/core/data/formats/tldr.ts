// OpenAI `summarize_from_feedback` comparisons: the post (with title and subreddit) is the prompt,
// `summaries[choice]` the chosen summary and the other one the rejected summary.
import { JsonStringLiteral } from '../textSource';
import { RawRecord } from '../rawRecord';
import { isPlainObject } from './detect';
import { PairFields, stringFieldError } from './fields';
import { jsonTypeName } from '../issues';

/** The prompt layout of OpenAI's TL;DR work (also TRL's tldr_preference dataset). */
export function tldrPrompt(info: { subreddit?: unknown; title?: unknown; post: string }): string {
  const parts: string[] = [];
  if (typeof info.subreddit === 'string') parts.push(`SUBREDDIT: r/${info.subreddit}`);
  if (typeof info.title === 'string') parts.push(`TITLE: ${info.title}`);
  parts.push(`POST: ${info.post}`, 'TL;DR:');
  return parts.join('\n\n');
}

export function parseTldr(record: Record<string, unknown>, raw: RawRecord): PairFields | string {
  const { info, summaries, choice } = record;
  if (!isPlainObject(info)) return `"info" must be an object holding the post, got ${jsonTypeName(info)}`;
  // CNN/DM comparisons in the same dataset carry an article instead of a post.
  const postKey = info.post === undefined || info.post === null ? (typeof info.article === 'string' ? 'article' : 'post') : 'post';
  const postError = stringFieldError(`info.${postKey}`, info[postKey]);
  if (postError) return postError;
  if (!Array.isArray(summaries) || summaries.length < 2) {
    return `"summaries" must be a list of two summaries, got ${Array.isArray(summaries) ? `${summaries.length} item(s)` : jsonTypeName(summaries)}`;
  }
  if (typeof choice !== 'number' || !Number.isInteger(choice) || choice < 0 || choice > 1) {
    return `"choice" must be 0 or 1, got ${typeof choice === 'number' ? choice : jsonTypeName(choice)}`;
  }
  const other = 1 - choice;
  for (const i of [choice, other]) {
    const s = summaries[i] as unknown;
    if (!isPlainObject(s)) return `"summaries"[${i}] must be an object with "text", got ${jsonTypeName(s)}`;
    const error = stringFieldError(`summaries[${i}].text`, s.text);
    if (error) return error;
  }
  const text = (i: number) => (summaries[i] as { text: string }).text;
  return {
    format: 'tldr',
    prompt: { text: tldrPrompt({ subreddit: info.subreddit, title: info.title, post: info[postKey] as string }) },
    chosen: { text: text(choice), source: new JsonStringLiteral(raw, ['summaries', choice, 'text']).source() },
    rejected: { text: text(other), source: new JsonStringLiteral(raw, ['summaries', other, 'text']).source() },
  };
}
