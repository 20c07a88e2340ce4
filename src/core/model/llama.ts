// Llama (HF LlamaForCausalLM layout): RMSNorm, rotary positions (rotate-half form, rope_theta),
// grouped-query attention (nKvHeads ≤ nHeads), SwiGLU MLP, nn.Linear weights stored [out, in].
import type * as tfjs from '@tensorflow/tfjs';
import type { CausalLM, CausalLMConfig, TF } from './types';
import { HostTensor, ModelLayout, VariableOptions, WeightSpec, createModel, modelFromTensors } from './layout';
import { causalAttention, dense, embed, rmsNorm, silu } from './ops';

const INIT_STD = 0.02;

function headDim(c: CausalLMConfig): number {
  return c.dModel / c.nHeads;
}

function weightSpecs(c: CausalLMConfig): WeightSpec[] {
  const D = c.dModel;
  const dh = headDim(c);
  const normal = { kind: 'normal' as const, std: INIT_STD };
  const ones = { kind: 'ones' as const };
  const specs: WeightSpec[] = [{ name: 'model.embed_tokens.weight', shape: [c.vocabSize, D], init: normal }];
  for (let i = 0; i < c.nLayers; i++) {
    const p = `model.layers.${i}`;
    specs.push(
      { name: `${p}.input_layernorm.weight`, shape: [D], init: ones },
      { name: `${p}.self_attn.q_proj.weight`, shape: [c.nHeads * dh, D], init: normal },
      { name: `${p}.self_attn.k_proj.weight`, shape: [c.nKvHeads * dh, D], init: normal },
      { name: `${p}.self_attn.v_proj.weight`, shape: [c.nKvHeads * dh, D], init: normal },
      { name: `${p}.self_attn.o_proj.weight`, shape: [D, c.nHeads * dh], init: normal },
      { name: `${p}.post_attention_layernorm.weight`, shape: [D], init: ones },
      { name: `${p}.mlp.gate_proj.weight`, shape: [c.dFf, D], init: normal },
      { name: `${p}.mlp.up_proj.weight`, shape: [c.dFf, D], init: normal },
      { name: `${p}.mlp.down_proj.weight`, shape: [D, c.dFf], init: normal },
    );
  }
  specs.push({ name: 'model.norm.weight', shape: [D], init: ones });
  if (!c.tieWordEmbeddings) specs.push({ name: 'lm_head.weight', shape: [c.vocabSize, D], init: normal });
  return specs;
}

/** cos and sin tables [T, dh] for HF's rotate-half RoPE: frequencies repeated over both halves. */
function ropeTables(tf: TF, T: number, dh: number, theta: number): { cos: tfjs.Tensor; sin: tfjs.Tensor } {
  const cos = new Float32Array(T * dh);
  const sin = new Float32Array(T * dh);
  const half = dh / 2;
  for (let j = 0; j < half; j++) {
    // Same float32 rounding path as torch: inv_freq in float32, then position × inv_freq.
    const invFreq = Math.fround(1 / Math.pow(theta, (2 * j) / dh));
    for (let t = 0; t < T; t++) {
      const angle = Math.fround(t * invFreq);
      cos[t * dh + j] = cos[t * dh + j + half] = Math.cos(angle);
      sin[t * dh + j] = sin[t * dh + j + half] = Math.sin(angle);
    }
  }
  return { cos: tf.tensor2d(cos, [T, dh]), sin: tf.tensor2d(sin, [T, dh]) };
}

/** x·cos + rotate_half(x)·sin, with rotate_half(x) = [-x2, x1]; x: [B, H, T, dh]. */
function applyRope(tf: TF, x: tfjs.Tensor, cos: tfjs.Tensor, sin: tfjs.Tensor): tfjs.Tensor {
  const half = x.shape[3]! / 2;
  const [x1, x2] = tf.split(x, [half, half], 3);
  const rotated = tf.concat([tf.neg(x2), x1], 3);
  return tf.add(tf.mul(x, cos), tf.mul(rotated, sin));
}

/** nn.Linear: x [..., in] · Wᵀ with W [out, in]. */
function linear(tf: TF, x: tfjs.Tensor, w: tfjs.Tensor): tfjs.Tensor {
  return dense(tf, x, tf.transpose(w));
}

function hidden(tf: TF, c: CausalLMConfig, w: (name: string) => tfjs.Tensor, ids: tfjs.Tensor2D): tfjs.Tensor3D {
  const [B, T] = ids.shape;
  const D = c.dModel;
  const H = c.nHeads;
  const KV = c.nKvHeads;
  const dh = headDim(c);
  const eps = c.normEps;
  const { cos, sin } = ropeTables(tf, T, dh, c.ropeTheta ?? 10000);
  const split = (t: tfjs.Tensor, n: number): tfjs.Tensor => tf.transpose(tf.reshape(t, [B, T, n, dh]), [0, 2, 1, 3]);
  // Query head h reads key/value head floor(h / (H/KV)), as HF's repeat_kv.
  const repeatKv = (t: tfjs.Tensor): tfjs.Tensor =>
    KV === H ? t : tf.tile(t.reshape([B * KV, 1, T, dh]), [1, H / KV, 1, 1]).reshape([B, H, T, dh]); // rank-4 tile: tfjs has no rank-5 tile gradient

  let x = embed(tf, w('model.embed_tokens.weight'), ids);
  for (let i = 0; i < c.nLayers; i++) {
    const p = `model.layers.${i}`;
    const input = x;
    // One tidy per layer: without gradients only the residual stream outlives a layer, so scoring
    // holds one layer's activations, not thirty (with a tape, the tensors backprop needs are kept).
    x = tf.tidy(() => {
      const h = rmsNorm(tf, input, w(`${p}.input_layernorm.weight`), eps);
      const q = applyRope(tf, split(linear(tf, h, w(`${p}.self_attn.q_proj.weight`)), H), cos, sin);
      const k = applyRope(tf, split(linear(tf, h, w(`${p}.self_attn.k_proj.weight`)), KV), cos, sin);
      const v = split(linear(tf, h, w(`${p}.self_attn.v_proj.weight`)), KV);
      const att = tf.transpose(causalAttention(tf, q, repeatKv(k), repeatKv(v)), [0, 2, 1, 3]).reshape([B, T, H * dh]);
      const mid = tf.add(input, linear(tf, att, w(`${p}.self_attn.o_proj.weight`)));
      const h2 = rmsNorm(tf, mid, w(`${p}.post_attention_layernorm.weight`), eps);
      const gate = silu(tf, linear(tf, h2, w(`${p}.mlp.gate_proj.weight`)));
      const up = linear(tf, h2, w(`${p}.mlp.up_proj.weight`));
      return tf.add(mid, linear(tf, tf.mul(gate, up), w(`${p}.mlp.down_proj.weight`)));
    });
    if (i > 0) input.dispose();
  }
  return rmsNorm(tf, x, w('model.norm.weight'), eps) as tfjs.Tensor3D;
}

export const LLAMA_LAYOUT: ModelLayout = {
  weightSpecs,
  canonicalName: (name) => name,
  // Old checkpoints store the RoPE inverse frequencies as a buffer; a tied model may still carry lm_head.
  isIgnorable: (name, c) => /\.rotary_emb\.inv_freq$/.test(name) || (c.tieWordEmbeddings && name === 'lm_head.weight'),
  hidden,
  headWeightName: (c) => (c.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight'),
};

function checkConfig(c: CausalLMConfig): void {
  if (c.architecture !== 'llama') throw new Error(`Llama layout got a '${c.architecture}' config`);
  if (c.dModel % c.nHeads !== 0) throw new Error(`Llama: hidden_size ${c.dModel} is not divisible by num_attention_heads ${c.nHeads}`);
  if (headDim(c) % 2 !== 0) throw new Error(`Llama: head dimension ${headDim(c)} must be even for RoPE`);
  if (c.nHeads % c.nKvHeads !== 0) {
    throw new Error(`Llama: num_attention_heads ${c.nHeads} is not a multiple of num_key_value_heads ${c.nKvHeads}`);
  }
}

/** A freshly initialised Llama (normal 0.02 for linear and embedding weights, ones for norms). */
export function createLlama(tf: TF, config: CausalLMConfig, seed: number, options?: VariableOptions): CausalLM {
  checkConfig(config);
  return createModel(tf, LLAMA_LAYOUT, config, seed, options);
}

export function llamaFromTensors(tf: TF, config: CausalLMConfig, tensors: Map<string, HostTensor>, source: string, options?: VariableOptions): CausalLM {
  checkConfig(config);
  return modelFromTensors(tf, LLAMA_LAYOUT, config, tensors, source, options);
}
