// Turns a parsed pair and its key analysis into what the Pair View webview draws (protocol types).
import { PreferencePair } from '../../core/data';
import { PairKeyAnalysis, RankedKey } from '../../core/keys';
import { PairViewKey, PairViewPair } from '../../core/protocol';

function viewKeys(keys: readonly RankedKey[]): PairViewKey[] {
  return keys.map((k) => ({ start: k.start, end: k.end, phrase: k.phrase, score: k.score, rank: k.rank, shared: k.shared }));
}

export function pairViewPair(pair: PreferencePair, analysis: PairKeyAnalysis, extractor: string): PairViewPair {
  return {
    line: pair.line,
    index: pair.index >= 0 ? pair.index : undefined,
    format: pair.format,
    prompt: pair.prompt.text,
    chosen: { text: pair.chosen.text, keys: viewKeys(analysis.chosen.keys) },
    rejected: { text: pair.rejected.text, keys: viewKeys(analysis.rejected.keys) },
    degree: {
      value: analysis.degree.data,
      chosenOnly: analysis.degree.chosenOnly.length,
      rejectedOnly: analysis.degree.rejectedOnly.length,
    },
    extractor,
  };
}
