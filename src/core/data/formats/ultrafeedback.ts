// UltraFeedback-style records: an instruction and several scored completions; the best-scored
// completion is the chosen response and the worst-scored the rejected one.
import { JsonStringLiteral } from '../textSource';
import { RawRecord } from '../rawRecord';
import { JsonPath } from '../jsonLocate';
import { isPlainObject } from './detect';
import { PairFields } from './fields';
import { jsonTypeName } from '../issues';

interface ScoredResponse {
  text: string;
  score: number;
  path: JsonPath;
}

/** Score keys in the order they are trusted (openbmb/UltraFeedback first). */
const SCORE_KEYS = ['overall_score', 'score', 'fine-grained_score', 'rating'];
const TEXT_KEYS = ['response', 'text', 'content'];

function scoredResponses(record: Record<string, unknown>): ScoredResponse[] | string {
  const out: ScoredResponse[] = [];
  if ('completions' in record) {
    const { completions } = record;
    if (!Array.isArray(completions)) return `"completions" must be a list, got ${jsonTypeName(completions)}`;
    for (let i = 0; i < completions.length; i++) {
      const c = completions[i] as unknown;
      if (!isPlainObject(c)) return `"completions"[${i}] must be an object, got ${jsonTypeName(c)}`;
      const textKey = TEXT_KEYS.find((k) => typeof c[k] === 'string');
      if (!textKey) return `"completions"[${i}] has no "response" string`;
      const scoreKey = SCORE_KEYS.find((k) => typeof c[k] === 'number' && Number.isFinite(c[k]));
      if (!scoreKey) return `"completions"[${i}] has no numeric score (tried ${SCORE_KEYS.join(', ')})`;
      out.push({ text: c[textKey] as string, score: c[scoreKey] as number, path: ['completions', i, textKey] });
    }
    return out;
  }
  const { responses, scores } = record;
  if (!Array.isArray(responses)) return `"responses" must be a list of strings, got ${jsonTypeName(responses)}`;
  if (!Array.isArray(scores) || scores.length !== responses.length) return '"scores" must be a list of numbers as long as "responses"';
  for (let i = 0; i < responses.length; i++) {
    if (typeof responses[i] !== 'string') return `"responses"[${i}] must be a string, got ${jsonTypeName(responses[i])}`;
    if (typeof scores[i] !== 'number') return `"scores"[${i}] must be a number, got ${jsonTypeName(scores[i])}`;
    out.push({ text: responses[i] as string, score: scores[i] as number, path: ['responses', i] });
  }
  return out;
}

export function parseUltraFeedback(record: Record<string, unknown>, raw: RawRecord): PairFields | string {
  const promptKey = typeof record.instruction === 'string' ? 'instruction' : 'prompt';
  const prompt = record[promptKey];
  if (typeof prompt !== 'string') return `"instruction" (or "prompt") must be a string, got ${jsonTypeName(prompt)}`;
  const scored = scoredResponses(record);
  if (typeof scored === 'string') return scored;
  if (scored.length < 2) return `needs at least two scored completions, got ${scored.length}`;
  let best = 0;
  let worst = 0;
  scored.forEach((s, i) => {
    if (s.score > scored[best].score) best = i;
    if (s.score < scored[worst].score) worst = i;
  });
  if (scored[best].score === scored[worst].score) return `all completions have the same score (${scored[best].score}), so none is preferred`;
  return {
    format: 'ultrafeedback',
    prompt: { text: prompt, source: new JsonStringLiteral(raw, [promptKey]).source() },
    chosen: { text: scored[best].text, source: new JsonStringLiteral(raw, scored[best].path).source() },
    rejected: { text: scored[worst].text, source: new JsonStringLiteral(raw, scored[worst].path).source() },
  };
}
