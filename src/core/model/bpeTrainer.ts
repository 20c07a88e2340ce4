// Trains a GPT-2 style byte-level BPE tokenizer on texts and emits an HF tokenizer.json object.
// Pair counts are kept incrementally over unique pre-token words, so each merge touches only the
// words that contain the merged pair.
import { bytesToUnicode } from './byteLevel';

/** GPT-2's pre-tokenizer pattern (the ByteLevel pre-tokenizer with use_regex uses the same). */
const GPT2_PRETOKENIZE = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

export interface BpeTrainOptions {
  /** Final vocabulary size, special tokens and the 256 byte symbols included. */
  vocabSize: number;
  /** Added as special tokens with the first ids. Default ['<|endoftext|>']. */
  specialTokens?: string[];
  /** Pairs seen fewer times than this are never merged. Default 2. */
  minFrequency?: number;
  /** model_max_length written to tokenizer_config.json. */
  modelMaxLength?: number;
}

export interface ByteLevelBpe {
  /** tokenizer.json content. */
  tokenizerJson: Record<string, unknown>;
  /** tokenizer_config.json content (GPT2Tokenizer, bos/eos = the first special token). */
  tokenizerConfig: Record<string, unknown>;
  merges: number;
}

/** Binary max-heap of [count, pairKey], ties broken by the smaller key (deterministic merges). */
class PairHeap {
  private readonly counts: number[] = [];
  private readonly keys: number[] = [];

  get size(): number {
    return this.counts.length;
  }

  private above(i: number, j: number): boolean {
    return this.counts[i] > this.counts[j] || (this.counts[i] === this.counts[j] && this.keys[i] < this.keys[j]);
  }

  private swap(i: number, j: number): void {
    [this.counts[i], this.counts[j]] = [this.counts[j], this.counts[i]];
    [this.keys[i], this.keys[j]] = [this.keys[j], this.keys[i]];
  }

  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let i = this.counts.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.above(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): [number, number] {
    const top: [number, number] = [this.counts[0], this.keys[0]];
    const lastCount = this.counts.pop()!;
    const lastKey = this.keys.pop()!;
    if (this.counts.length) {
      this.counts[0] = lastCount;
      this.keys[0] = lastKey;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < this.counts.length && this.above(l, best)) best = l;
        if (r < this.counts.length && this.above(r, best)) best = r;
        if (best === i) break;
        this.swap(i, best);
        i = best;
      }
    }
    return top;
  }
}

const KEY_BASE = 1 << 21;
const pairKey = (a: number, b: number): number => a * KEY_BASE + b;

export function trainByteLevelBpe(texts: Iterable<string>, options: BpeTrainOptions): ByteLevelBpe {
  const specials = options.specialTokens ?? ['<|endoftext|>'];
  const minFrequency = options.minFrequency ?? 2;
  const targetMerges = options.vocabSize - specials.length - 256;
  if (targetMerges < 0) throw new Error(`vocabSize ${options.vocabSize} is below the ${specials.length + 256} special + byte symbols`);
  if (options.vocabSize >= KEY_BASE) throw new Error(`vocabSize ${options.vocabSize} is too large (max ${KEY_BASE - 1})`);
  const { byteToChar } = bytesToUnicode();

  // Unique pre-token words with their frequencies; symbols start as byte values 0..255.
  const freqByWord = new Map<string, number>();
  for (const text of texts) {
    for (const match of text.matchAll(GPT2_PRETOKENIZE)) {
      freqByWord.set(match[0], (freqByWord.get(match[0]) ?? 0) + 1);
    }
  }
  const words: number[][] = [];
  const freqs: number[] = [];
  for (const [w, f] of freqByWord) {
    words.push([...Buffer.from(w, 'utf8')]);
    freqs.push(f);
  }

  const symbolText: string[] = byteToChar.slice();
  const symbolOf = new Map<string, number>(symbolText.map((t, i) => [t, i]));
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, number[]>();
  const addPair = (key: number, f: number): void => {
    pairCount.set(key, (pairCount.get(key) ?? 0) + f);
  };
  const noteWord = (key: number, w: number): void => {
    const list = pairWords.get(key);
    if (list) list.push(w);
    else pairWords.set(key, [w]);
  };
  words.forEach((syms, w) => {
    for (let i = 0; i + 1 < syms.length; i++) {
      const k = pairKey(syms[i], syms[i + 1]);
      addPair(k, freqs[w]);
      noteWord(k, w);
    }
  });
  const heap = new PairHeap();
  for (const [k, c] of pairCount) heap.push(c, k);

  const merges: string[] = [];
  const visited = new Int32Array(words.length).fill(-1);
  while (symbolText.length - 256 < targetMerges && heap.size) {
    const [count, key] = heap.pop();
    if (pairCount.get(key) !== count) continue; // stale entry
    if (count < minFrequency) break;
    const a = Math.floor(key / KEY_BASE);
    const b = key % KEY_BASE;
    // Two merge paths can spell the same string (a+bc, ab+c): they share one symbol and vocab id.
    const text = symbolText[a] + symbolText[b];
    let merged = symbolOf.get(text);
    if (merged === undefined) {
      merged = symbolText.length;
      symbolText.push(text);
      symbolOf.set(text, merged);
    }
    merges.push(`${symbolText[a]} ${symbolText[b]}`);
    const stamp = merges.length;

    const changed = new Set<number>();
    for (const w of pairWords.get(key) ?? []) {
      if (visited[w] === stamp) continue;
      visited[w] = stamp;
      const syms = words[w];
      const f = freqs[w];
      let has = false;
      for (let i = 0; i + 1 < syms.length; i++) if (syms[i] === a && syms[i + 1] === b) { has = true; break; }
      if (!has) continue;
      for (let i = 0; i + 1 < syms.length; i++) {
        const k = pairKey(syms[i], syms[i + 1]);
        addPair(k, -f);
        changed.add(k);
      }
      const next: number[] = [];
      for (let i = 0; i < syms.length; i++) {
        if (i + 1 < syms.length && syms[i] === a && syms[i + 1] === b) {
          next.push(merged);
          i++;
        } else next.push(syms[i]);
      }
      words[w] = next;
      for (let i = 0; i + 1 < next.length; i++) {
        const k = pairKey(next[i], next[i + 1]);
        addPair(k, f);
        changed.add(k);
        if (next[i] === merged || next[i + 1] === merged) noteWord(k, w);
      }
    }
    pairWords.delete(key);
    for (const k of changed) {
      const c = pairCount.get(k)!;
      if (c > 0) heap.push(c, k);
      else pairCount.delete(k);
    }
  }

  const vocab: Record<string, number> = {};
  specials.forEach((s, i) => (vocab[s] = i));
  for (let b = 0; b < 256; b++) vocab[byteToChar[b]] = specials.length + b;
  for (let i = 256; i < symbolText.length; i++) vocab[symbolText[i]] = specials.length + i;

  const byteLevel = { add_prefix_space: false, trim_offsets: true, use_regex: true };
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((content, id) => ({
      id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
    })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', ...byteLevel },
    // trim_offsets false: the post-processor then adds nothing (no BOS/EOS around sequences).
    post_processor: { type: 'ByteLevel', ...byteLevel, trim_offsets: false },
    decoder: { type: 'ByteLevel', ...byteLevel },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '',
      fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges,
    },
  };
  const first = specials[0];
  const tokenizerConfig: Record<string, unknown> = {
    tokenizer_class: 'GPT2Tokenizer',
    add_prefix_space: false,
    clean_up_tokenization_spaces: false,
    model_max_length: options.modelMaxLength ?? 1024,
    ...(first !== undefined ? { bos_token: first, eos_token: first, unk_token: first } : {}),
  };
  return { tokenizerJson, tokenizerConfig, merges: merges.length };
}
