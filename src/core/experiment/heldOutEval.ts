// Held-out evaluation of a finished run: load its final policy and its reference, and compute each
// held-out pair's implicit reward margin with the trainer's own degree code (same definition as training).
import type { PreferencePair } from '../data/types';
import type { TF } from '../model/types';
import { loadCausalLM } from '../model/checkpoint';
import { loadTokenizer } from '../model/tokenizer';
import { encodePair } from '../model/logprobs';
import { RakeExtractor } from '../keys/rake';
import { computeDegrees } from '../train/degrees';
import { referenceLogps } from '../train/step';
import type { AlignLoss } from '../train/config';

export interface HeldOutEvalOptions {
  /** Folder of the trained policy (a checkpoint: config.json + model.safetensors + tokenizer.json). */
  policyDir: string;
  /** Folder of the reference model the run was trained against. */
  referenceDir: string;
  pairs: readonly PreferencePair[];
  loss: AlignLoss;
  beta: number;
  maxLength: number;
  batchSize: number;
  maxKeys: number;
}

export interface HeldOutEval {
  /** Per pair, in the order given. */
  margins: number[];
  /** Share of pairs with margin > 0. */
  accuracy: number;
  meanMargin: number;
}

export async function evaluateHeldOut(tf: TF, o: HeldOutEvalOptions): Promise<HeldOutEval> {
  if (o.pairs.length === 0) throw new Error('held-out evaluation needs at least one pair');
  const tokenizer = loadTokenizer(o.referenceDir);
  // Distinct variable names: the trainer's own `policy/` and `reference/` may still be registered.
  const policy = loadCausalLM(tf, o.policyDir, { namePrefix: 'heldout_policy', trainable: false });
  const reference = loadCausalLM(tf, o.referenceDir, { namePrefix: 'heldout_reference', trainable: false });
  try {
    const padId = tokenizer.eosTokenId ?? 0;
    const maxLen = Math.min(o.maxLength, policy.config.contextLength);
    const encoded = o.pairs.map((p) => ({
      chosen: encodePair(tokenizer, p.prompt.text, p.chosen.text, maxLen),
      rejected: encodePair(tokenizer, p.prompt.text, p.rejected.text, maxLen),
    }));
    const extractor = new RakeExtractor();
    const keys = o.pairs.map((p) => ({ chosen: extractor.extract(p.chosen.text, o.maxKeys), rejected: extractor.extract(p.rejected.text, o.maxKeys) }));
    const records = await computeDegrees(tf, policy, null, {
      pairs: o.pairs,
      encoded,
      keys,
      evalSet: new Set(o.pairs.map((_, i) => i)),
      refLogps: (idx) => referenceLogps(tf, reference, [...idx.map((i) => encoded[i].chosen), ...idx.map((i) => encoded[i].rejected)], idx.length, padId),
      loss: o.loss,
      beta: o.beta,
      pooling: 'mean',
      padId,
      batchSize: o.batchSize,
    });
    if (!records) throw new Error('held-out evaluation was interrupted');
    const margins = records.map((r) => r.model.margin);
    return {
      margins,
      accuracy: margins.filter((m) => m > 0).length / margins.length,
      meanMargin: margins.reduce((a, b) => a + b, 0) / margins.length,
    };
  } finally {
    policy.dispose();
    reference.dispose();
  }
}
