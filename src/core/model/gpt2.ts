// GPT-2 (HF GPT2LMHeadModel layout): learned positions, pre-LayerNorm blocks, fused QKV Conv1D
// weights stored [in, out], gelu_new MLP, final LayerNorm and an LM head tied to the token embedding.
import type * as tfjs from '@tensorflow/tfjs';
import type { CausalLM, CausalLMConfig, TF } from './types';
import { HostTensor, ModelLayout, VariableOptions, WeightSpec, createModel, modelFromTensors } from './layout';
import { causalAttention, dense, embed, geluNew, layerNorm } from './ops';

const INIT_STD = 0.02;

function weightSpecs(c: CausalLMConfig): WeightSpec[] {
  const D = c.dModel;
  const normal = { kind: 'normal' as const, std: INIT_STD };
  // GPT-2 scales residual projections by 1/sqrt(2·layers) so the residual stream's variance stays put.
  const residual = { kind: 'normal' as const, std: INIT_STD / Math.sqrt(2 * c.nLayers) };
  const zeros = { kind: 'zeros' as const };
  const ones = { kind: 'ones' as const };
  const specs: WeightSpec[] = [
    { name: 'transformer.wte.weight', shape: [c.vocabSize, D], init: normal },
    { name: 'transformer.wpe.weight', shape: [c.contextLength, D], init: { kind: 'normal', std: INIT_STD } },
  ];
  for (let i = 0; i < c.nLayers; i++) {
    const p = `transformer.h.${i}`;
    specs.push(
      { name: `${p}.ln_1.weight`, shape: [D], init: ones },
      { name: `${p}.ln_1.bias`, shape: [D], init: zeros },
      { name: `${p}.attn.c_attn.weight`, shape: [D, 3 * D], init: normal },
      { name: `${p}.attn.c_attn.bias`, shape: [3 * D], init: zeros },
      { name: `${p}.attn.c_proj.weight`, shape: [D, D], init: residual },
      { name: `${p}.attn.c_proj.bias`, shape: [D], init: zeros },
      { name: `${p}.ln_2.weight`, shape: [D], init: ones },
      { name: `${p}.ln_2.bias`, shape: [D], init: zeros },
      { name: `${p}.mlp.c_fc.weight`, shape: [D, c.dFf], init: normal },
      { name: `${p}.mlp.c_fc.bias`, shape: [c.dFf], init: zeros },
      { name: `${p}.mlp.c_proj.weight`, shape: [c.dFf, D], init: residual },
      { name: `${p}.mlp.c_proj.bias`, shape: [D], init: zeros },
    );
  }
  specs.push(
    { name: 'transformer.ln_f.weight', shape: [D], init: ones },
    { name: 'transformer.ln_f.bias', shape: [D], init: zeros },
  );
  if (!c.tieWordEmbeddings) specs.push({ name: 'lm_head.weight', shape: [c.vocabSize, D], init: normal });
  return specs;
}

function hidden(tf: TF, c: CausalLMConfig, w: (name: string) => tfjs.Tensor, ids: tfjs.Tensor2D): tfjs.Tensor3D {
  const [B, T] = ids.shape;
  const D = c.dModel;
  const H = c.nHeads;
  const dh = D / H;
  const eps = c.normEps;
  const heads = (t: tfjs.Tensor): tfjs.Tensor => tf.transpose(tf.reshape(t, [B, T, H, dh]), [0, 2, 1, 3]);

  let x = tf.add(embed(tf, w('transformer.wte.weight'), ids), tf.slice(w('transformer.wpe.weight'), [0, 0], [T, D]));
  for (let i = 0; i < c.nLayers; i++) {
    const p = `transformer.h.${i}`;
    const input = x;
    // One tidy per layer, as in the Llama layout: scoring then holds one layer's activations.
    x = tf.tidy(() => {
      const h = layerNorm(tf, input, w(`${p}.ln_1.weight`), w(`${p}.ln_1.bias`), eps);
      const qkv = dense(tf, h, w(`${p}.attn.c_attn.weight`), w(`${p}.attn.c_attn.bias`));
      const [q, k, v] = tf.split(qkv, 3, 2).map(heads);
      const att = tf.transpose(causalAttention(tf, q, k, v), [0, 2, 1, 3]).reshape([B, T, D]);
      const mid = tf.add(input, dense(tf, att, w(`${p}.attn.c_proj.weight`), w(`${p}.attn.c_proj.bias`)));
      const h2 = layerNorm(tf, mid, w(`${p}.ln_2.weight`), w(`${p}.ln_2.bias`), eps);
      const m = geluNew(tf, dense(tf, h2, w(`${p}.mlp.c_fc.weight`), w(`${p}.mlp.c_fc.bias`)));
      return tf.add(mid, dense(tf, m, w(`${p}.mlp.c_proj.weight`), w(`${p}.mlp.c_proj.bias`)));
    });
    if (i > 0) input.dispose();
  }
  return layerNorm(tf, x, w('transformer.ln_f.weight'), w('transformer.ln_f.bias'), eps) as tfjs.Tensor3D;
}

export const GPT2_LAYOUT: ModelLayout = {
  weightSpecs,
  // Original GPT-2 files name weights without the `transformer.` prefix (`h.0.attn.c_attn.weight`).
  canonicalName: (name) => (name.startsWith('transformer.') || name.startsWith('lm_head.') ? name : `transformer.${name}`),
  isIgnorable: (name, c) =>
    /\.attn\.(bias|masked_bias)$/.test(name) || (c.tieWordEmbeddings && name === 'lm_head.weight'),
  hidden,
  headWeightName: (c) => (c.tieWordEmbeddings ? 'transformer.wte.weight' : 'lm_head.weight'),
};

function checkConfig(c: CausalLMConfig): void {
  if (c.architecture !== 'gpt2') throw new Error(`GPT-2 layout got a '${c.architecture}' config`);
  if (c.dModel % c.nHeads !== 0) throw new Error(`GPT-2: n_embd ${c.dModel} is not divisible by n_head ${c.nHeads}`);
}

/** A freshly initialised GPT-2 (GPT-2 init: normal 0.02, residual projections scaled 1/√(2·layers)). */
export function createGpt2(tf: TF, config: CausalLMConfig, seed: number, options?: VariableOptions): CausalLM {
  checkConfig(config);
  return createModel(tf, GPT2_LAYOUT, config, seed, options);
}

/** GPT-2 from checkpoint tensors (HF names, with or without the `transformer.` prefix). */
export function gpt2FromTensors(tf: TF, config: CausalLMConfig, tensors: Map<string, HostTensor>, source: string, options?: VariableOptions): CausalLM {
  checkConfig(config);
  return modelFromTensors(tf, GPT2_LAYOUT, config, tensors, source, options);
}
