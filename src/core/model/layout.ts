// A model layout = the HF weight names and shapes of an architecture plus its forward pass; this
// module turns a layout into a CausalLM of TF.js variables, fresh (seeded init) or from loaded tensors.
import type * as tfjs from '@tensorflow/tfjs';
import type { CausalLM, CausalLMConfig, ForwardOutput, TF } from './types';
import { mm } from './ops';

export type WeightInit = { kind: 'zeros' } | { kind: 'ones' } | { kind: 'normal'; std: number };

export interface WeightSpec {
  name: string;
  shape: number[];
  init: WeightInit;
}

export interface ModelLayout {
  /** Every weight the model needs, in a fixed order (init seeds follow it). */
  weightSpecs(config: CausalLMConfig): WeightSpec[];
  /** Map a checkpoint name to ours (e.g. GPT-2 files saved without the `transformer.` prefix). */
  canonicalName(name: string): string;
  /** Checkpoint tensors that are buffers or duplicates, not weights (e.g. GPT-2's `attn.bias` mask). */
  isIgnorable(name: string, config: CausalLMConfig): boolean;
  /** Final hidden states after the last norm, [B, T, D]. */
  hidden(tf: TF, config: CausalLMConfig, weight: (name: string) => tfjs.Tensor, ids: tfjs.Tensor2D): tfjs.Tensor3D;
  /** The weight the LM head multiplies by, [V, D]: the token embedding when tied, else lm_head. */
  headWeightName(config: CausalLMConfig): string;
}

/** A tensor as read from a checkpoint: float32 values in row-major order. */
export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

export interface VariableOptions {
  /** Prefix for TF.js variable names (they are global): e.g. 'policy' → 'policy/transformer.wte.weight'. */
  namePrefix?: string;
  trainable?: boolean;
}

function makeVariable(tf: TF, value: tfjs.Tensor, name: string, options: VariableOptions): tfjs.Variable {
  const varName = options.namePrefix ? `${options.namePrefix}/${name}` : undefined;
  const v = tf.variable(value, options.trainable ?? true, varName);
  value.dispose();
  return v;
}

class VariableCausalLM implements CausalLM {
  constructor(
    private readonly tf: TF,
    private readonly layout: ModelLayout,
    readonly config: CausalLMConfig,
    readonly weights: Map<string, tfjs.Variable>,
  ) {}

  private weight = (name: string): tfjs.Tensor => {
    const w = this.weights.get(name);
    if (!w) throw new Error(`model has no weight '${name}'`);
    return w;
  };

  hiddenStates(ids: tfjs.Tensor2D): tfjs.Tensor3D {
    if (ids.dtype !== 'int32') throw new Error(`forward: ids must be int32, got ${ids.dtype}`);
    const T = ids.shape[1];
    if (T > this.config.contextLength) {
      throw new Error(`forward: sequence length ${T} exceeds the model context length ${this.config.contextLength}`);
    }
    return this.layout.hidden(this.tf, this.config, this.weight, ids);
  }

  outputEmbedding(): tfjs.Tensor2D {
    return this.weight(this.layout.headWeightName(this.config)) as tfjs.Tensor2D;
  }

  forward(ids: tfjs.Tensor2D): ForwardOutput {
    const hidden = this.hiddenStates(ids);
    const [B, T, D] = hidden.shape;
    const head = this.outputEmbedding();
    const logits = mm(this.tf, hidden.reshape([B * T, D]), this.tf.transpose(head)).reshape([B, T, this.config.vocabSize]) as tfjs.Tensor3D;
    return { hidden, logits };
  }

  dispose(): void {
    for (const v of this.weights.values()) v.dispose();
    this.weights.clear();
  }
}

/** Fresh model: normal/zeros/ones init, deterministic for a seed on every backend. */
export function createModel(tf: TF, layout: ModelLayout, config: CausalLMConfig, seed: number, options: VariableOptions = {}): CausalLM {
  const weights = new Map<string, tfjs.Variable>();
  layout.weightSpecs(config).forEach((spec, i) => {
    const value =
      spec.init.kind === 'zeros' ? tf.zeros(spec.shape)
      : spec.init.kind === 'ones' ? tf.ones(spec.shape)
      : tf.randomNormal(spec.shape, 0, spec.init.std, 'float32', seed * 1009 + i);
    weights.set(spec.name, makeVariable(tf, value, spec.name, options));
  });
  return new VariableCausalLM(tf, layout, config, weights);
}

/**
 * Model from checkpoint tensors. Throws, naming the tensor, when one is missing, has the wrong shape,
 * or is not part of the layout (a different architecture variant).
 */
export function modelFromTensors(
  tf: TF,
  layout: ModelLayout,
  config: CausalLMConfig,
  tensors: Map<string, HostTensor>,
  source: string,
  options: VariableOptions = {},
): CausalLM {
  const byName = new Map<string, HostTensor>();
  for (const [rawName, t] of tensors) {
    const name = layout.canonicalName(rawName);
    if (layout.isIgnorable(name, config)) continue;
    byName.set(name, t);
  }
  const specs = layout.weightSpecs(config);
  const expected = new Set(specs.map((s) => s.name));
  const missing = specs.filter((s) => !byName.has(s.name)).map((s) => s.name);
  if (missing.length) {
    const shown = missing.slice(0, 5).join(', ') + (missing.length > 5 ? `, … (${missing.length} in all)` : '');
    throw new Error(`${source}: missing tensor(s) for ${config.architecture}: ${shown}`);
  }
  const unexpected = [...byName.keys()].filter((n) => !expected.has(n));
  if (unexpected.length) {
    throw new Error(`${source}: unexpected tensor(s) not in the ${config.architecture} layout: ${unexpected.slice(0, 5).join(', ')}`);
  }
  for (const spec of specs) {
    const t = byName.get(spec.name)!;
    if (t.shape.length !== spec.shape.length || t.shape.some((d, i) => d !== spec.shape[i])) {
      throw new Error(`${source}: tensor '${spec.name}' has shape [${t.shape.join(', ')}] but config.json implies [${spec.shape.join(', ')}]`);
    }
  }
  const weights = new Map<string, tfjs.Variable>();
  try {
    for (const spec of specs) {
      const t = byName.get(spec.name)!;
      weights.set(spec.name, makeVariable(tf, tf.tensor(t.data, spec.shape, 'float32'), spec.name, options));
    }
  } catch (err) {
    for (const v of weights.values()) v.dispose();
    throw err;
  }
  return new VariableCausalLM(tf, layout, config, weights);
}
