// The contract between the model layer (src/core/model) and the trainer (src/core/train).
// TF.js is passed in (never imported at module scope here) so the backend is chosen once, at run time.
import type * as tfjs from '@tensorflow/tfjs';

export type TF = typeof tfjs;

export type Architecture = 'gpt2' | 'llama';

/** Normalised model hyper-parameters (read from / written to HF config.json). */
export interface CausalLMConfig {
  architecture: Architecture;
  vocabSize: number;
  /** Maximum positions (GPT-2 n_positions, Llama max_position_embeddings). */
  contextLength: number;
  dModel: number;
  nLayers: number;
  nHeads: number;
  /** Llama grouped-query attention; equals nHeads for GPT-2. */
  nKvHeads: number;
  /** MLP inner size (GPT-2 n_inner ?? 4·d, Llama intermediate_size). */
  dFf: number;
  tieWordEmbeddings: boolean;
  normEps: number;
  /** Llama only. */
  ropeTheta?: number;
  bosTokenId?: number;
  eosTokenId?: number;
}

export interface ForwardOutput {
  /** Final hidden states after the last norm, [B, T, D]. Pooled for the SPO heads. */
  hidden: tfjs.Tensor3D;
  /** Next-token logits, [B, T, V]. */
  logits: tfjs.Tensor3D;
}

/** A causal language model made of TF.js variables named with HF weight names. */
export interface CausalLM {
  readonly config: CausalLMConfig;
  /** HF weight name → variable (e.g. `transformer.h.0.attn.c_attn.weight`, `model.layers.0.self_attn.q_proj.weight`). */
  readonly weights: Map<string, tfjs.Variable>;
  /** ids: int32 [B, T]. Causal; right padding is fine because positions never look ahead. */
  forward(ids: tfjs.Tensor2D): ForwardOutput;
  /** forward's hidden states alone, for callers that take the LM head in pieces (chunked scoring). */
  hiddenStates(ids: tfjs.Tensor2D): tfjs.Tensor3D;
  /** The LM head's weight, [V, D] (the token embedding when tied): logits = hidden · Wᵀ. */
  outputEmbedding(): tfjs.Tensor2D;
  dispose(): void;
}

/** Tokenizer used by models and the trainer; wraps an HF tokenizer.json. */
export interface TextTokenizer {
  readonly vocabSize: number;
  readonly eosTokenId: number | undefined;
  readonly bosTokenId: number | undefined;
  /** True when the tokenizer's post-processor prepends BOS to a sequence (Llama style); pair encoding then does too. */
  readonly addsBos?: boolean;
  /** Token ids without special tokens added. */
  encode(text: string): number[];
  /** Token ids plus each token's [start, end) UTF-16 range in `text`. */
  encodeWithOffsets(text: string): { ids: number[]; offsets: Array<[number, number]> };
  decode(ids: number[]): string;
  /** The tokenizer.json object, to save beside a checkpoint. */
  toJSON(): object;
}
