// HF config.json ↔ CausalLMConfig for GPT2LMHeadModel and LlamaForCausalLM, written so HF
// transformers loads our checkpoints, and rejecting variants our layouts don't implement.
import type { Architecture, CausalLMConfig } from './types';

export const SUPPORTED_ARCHITECTURES: Record<string, Architecture> = {
  GPT2LMHeadModel: 'gpt2',
  LlamaForCausalLM: 'llama',
};
const MODEL_TYPES: Record<string, Architecture> = { gpt2: 'gpt2', llama: 'llama' };

type Json = Record<string, unknown>;

function num(cfg: Json, key: string, source: string, fallback?: number): number {
  const v = cfg[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${source}: "${key}" must be a number (got ${JSON.stringify(cfg[key])})`);
  return v;
}

/** A dimension or count: a positive integer (a config.json from a repository may hold 0, negatives or 1e9). */
function dim(cfg: Json, key: string, source: string, fallback?: number): number {
  const v = num(cfg, key, source, fallback);
  if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`${source}: "${key}" must be a positive integer (got ${JSON.stringify(cfg[key] ?? fallback)})`);
  return v;
}

function optionalId(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (Array.isArray(v) && typeof v[0] === 'number') return v[0];
  return undefined;
}

function architectureOf(cfg: Json, source: string): Architecture {
  const names = Array.isArray(cfg.architectures) ? (cfg.architectures as string[]) : [];
  for (const n of names) if (SUPPORTED_ARCHITECTURES[n]) return SUPPORTED_ARCHITECTURES[n];
  const byType = typeof cfg.model_type === 'string' ? MODEL_TYPES[cfg.model_type] : undefined;
  if (names.length === 0 && byType) return byType;
  const what = names.length ? names.join(', ') : `model_type ${JSON.stringify(cfg.model_type)}`;
  throw new Error(`${source}: unsupported architecture ${what} (supported: ${Object.keys(SUPPORTED_ARCHITECTURES).join(', ')})`);
}

/** Parse a config.json object; `source` names the file in errors. */
export function parseHfConfig(cfg: Json, source = 'config.json'): CausalLMConfig {
  const architecture = architectureOf(cfg, source);
  if (architecture === 'gpt2') {
    const act = (cfg.activation_function as string | undefined) ?? 'gelu_new';
    if (act !== 'gelu_new' && act !== 'gelu_pytorch_tanh') {
      throw new Error(`${source}: GPT-2 activation_function "${act}" is not supported (gelu_new, gelu_pytorch_tanh)`);
    }
    if (cfg.scale_attn_by_inverse_layer_idx === true) throw new Error(`${source}: scale_attn_by_inverse_layer_idx is not supported`);
    const d = dim(cfg, 'n_embd', source);
    const nHeads = dim(cfg, 'n_head', source);
    if (d % nHeads !== 0) throw new Error(`${source}: n_embd ${d} is not a multiple of n_head ${nHeads}`);
    return {
      architecture,
      vocabSize: dim(cfg, 'vocab_size', source),
      contextLength: dim(cfg, 'n_positions', source, cfg.n_ctx as number | undefined),
      dModel: d,
      nLayers: dim(cfg, 'n_layer', source),
      nHeads,
      nKvHeads: nHeads,
      dFf: cfg.n_inner == null ? 4 * d : dim(cfg, 'n_inner', source),
      tieWordEmbeddings: cfg.tie_word_embeddings !== false,
      normEps: num(cfg, 'layer_norm_epsilon', source, 1e-5),
      bosTokenId: optionalId(cfg.bos_token_id),
      eosTokenId: optionalId(cfg.eos_token_id),
    };
  }
  const act = (cfg.hidden_act as string | undefined) ?? 'silu';
  if (act !== 'silu') throw new Error(`${source}: Llama hidden_act "${act}" is not supported (silu)`);
  if (cfg.rope_scaling != null) throw new Error(`${source}: rope_scaling ${JSON.stringify(cfg.rope_scaling)} is not supported`);
  // transformers ≥ 5 writes rope_theta inside rope_parameters; only the default (unscaled) RoPE is implemented.
  const rope = (cfg.rope_parameters ?? {}) as Json;
  if (rope.rope_type !== undefined && rope.rope_type !== 'default') {
    throw new Error(`${source}: rope_parameters.rope_type "${String(rope.rope_type)}" is not supported (default)`);
  }
  if (cfg.attention_bias === true || cfg.mlp_bias === true) throw new Error(`${source}: attention_bias / mlp_bias are not supported`);
  const d = dim(cfg, 'hidden_size', source);
  const nHeads = dim(cfg, 'num_attention_heads', source);
  if (d % nHeads !== 0) throw new Error(`${source}: hidden_size ${d} is not a multiple of num_attention_heads ${nHeads}`);
  if (typeof cfg.head_dim === 'number' && cfg.head_dim !== d / nHeads) {
    throw new Error(`${source}: head_dim ${cfg.head_dim} ≠ hidden_size / num_attention_heads (${d / nHeads}) is not supported`);
  }
  const nKvHeads = dim(cfg, 'num_key_value_heads', source, nHeads);
  if (nHeads % nKvHeads !== 0) throw new Error(`${source}: num_attention_heads ${nHeads} is not a multiple of num_key_value_heads ${nKvHeads}`);
  return {
    architecture,
    vocabSize: dim(cfg, 'vocab_size', source),
    contextLength: dim(cfg, 'max_position_embeddings', source),
    dModel: d,
    nLayers: dim(cfg, 'num_hidden_layers', source),
    nHeads,
    nKvHeads,
    dFf: dim(cfg, 'intermediate_size', source),
    tieWordEmbeddings: cfg.tie_word_embeddings === true,
    normEps: num(cfg, 'rms_norm_eps', source, 1e-6),
    ropeTheta: typeof cfg.rope_theta === 'number' ? cfg.rope_theta : num(rope, 'rope_theta', `${source} rope_parameters`, 10000),
    bosTokenId: optionalId(cfg.bos_token_id),
    eosTokenId: optionalId(cfg.eos_token_id),
  };
}

/** config.json for HF transformers (float32 weights). */
export function toHfConfig(c: CausalLMConfig): Json {
  const ids: Json = {};
  if (c.bosTokenId !== undefined) ids.bos_token_id = c.bosTokenId;
  if (c.eosTokenId !== undefined) ids.eos_token_id = c.eosTokenId;
  if (c.architecture === 'gpt2') {
    return {
      architectures: ['GPT2LMHeadModel'],
      model_type: 'gpt2',
      vocab_size: c.vocabSize,
      n_positions: c.contextLength,
      n_ctx: c.contextLength,
      n_embd: c.dModel,
      n_layer: c.nLayers,
      n_head: c.nHeads,
      n_inner: c.dFf === 4 * c.dModel ? null : c.dFf,
      activation_function: 'gelu_new',
      layer_norm_epsilon: c.normEps,
      resid_pdrop: 0.0,
      embd_pdrop: 0.0,
      attn_pdrop: 0.0,
      initializer_range: 0.02,
      scale_attn_weights: true,
      tie_word_embeddings: c.tieWordEmbeddings,
      torch_dtype: 'float32',
      ...ids,
    };
  }
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: c.vocabSize,
    hidden_size: c.dModel,
    intermediate_size: c.dFf,
    num_hidden_layers: c.nLayers,
    num_attention_heads: c.nHeads,
    num_key_value_heads: c.nKvHeads,
    max_position_embeddings: c.contextLength,
    hidden_act: 'silu',
    rms_norm_eps: c.normEps,
    rope_theta: c.ropeTheta ?? 10000,
    rope_scaling: null,
    attention_bias: false,
    mlp_bias: false,
    attention_dropout: 0.0,
    initializer_range: 0.02,
    tie_word_embeddings: c.tieWordEmbeddings,
    torch_dtype: 'float32',
    ...ids,
  };
}
