// Counter-based random draws for the degree augmenter (docs/engine-contract.md, "Variant draws").
// Every draw is a pure function of (seed, step, example index, stream, counter), not the next number of
// a sequential generator, so the TF.js engine, the torch engine, any number of processes and a resumed
// run all draw the same variant for the same pair at the same step. All arithmetic is unsigned 32-bit.

/** Which response of a pair a draw is for: the preference module sees chosen, the dis-preference module rejected. */
export const VARIANT_STREAM = { chosen: 0, rejected: 1 } as const;
export type VariantStream = (typeof VARIANT_STREAM)[keyof typeof VARIANT_STREAM];

/**
 * The step used for held-out evaluation: optimizer steps are 1-based, so 0 never collides with a
 * training draw, and every eval sees the same variants (evals compare across steps).
 */
export const EVAL_STEP = 0;

/** A 32-bit integer finaliser (the "lowbias32" constants): every input bit flips about half the output bits. */
export function mix32(x: number): number {
  x >>>= 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

/** The key of one response's draws: key(seed, step, index, stream). */
export function variantKey(seed: number, step: number, index: number, stream: number): number {
  return mix32(mix32(mix32(mix32(seed) ^ step) ^ index) ^ stream);
}

/** The counter-th 32-bit draw under `key`. */
export function drawU32(key: number, counter: number): number {
  return mix32(key ^ mix32((counter + 0x9e3779b9) >>> 0));
}

/** A uniform draw in [0, 1): u32 / 2^32 (exact in a double, so both languages agree bit for bit). */
export function drawUniform(key: number, counter: number): number {
  return drawU32(key, counter) / 4294967296;
}

/** A uniform integer in [0, n). */
export function drawInt(key: number, counter: number, n: number): number {
  return Math.floor(drawUniform(key, counter) * n);
}

/**
 * The first m indices of a partial Fisher–Yates shuffle of [0, n): for i < m, j = i + int(key, 1 + i, n − i),
 * swap(i, j). Counter 0 is the class draw, so span draws start at counter 1.
 */
export function drawSpanIndices(key: number, n: number, m: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < m; i++) {
    const j = i + drawInt(key, 1 + i, n - i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.slice(0, m);
}

/** round(c·n/(K−1)) with halves rounded up, in integers (no float rounding question for the other language). */
export function removedSpanCount(c: number, n: number, K: number): number {
  return Math.floor((2 * c * n + (K - 1)) / (2 * (K - 1)));
}
