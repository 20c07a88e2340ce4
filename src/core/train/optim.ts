// AdamW with global-norm gradient clipping and a warmup + cosine learning rate (nanoGPT's recipe).
// Moments are plain tensors keyed by parameter name, so a checkpoint saves and restores them exactly.
import type * as tfjs from '@tensorflow/tfjs';
import type { TF } from '../model/types';

export interface ScheduleOptions {
  maxLr: number;
  minLr: number;
  warmupSteps: number;
  totalSteps: number;
}

/** Learning rate for 1-based optimizer step `step`: linear warmup, then cosine decay to minLr. */
export function learningRateAt(step: number, o: ScheduleOptions): number {
  if (o.warmupSteps > 0 && step <= o.warmupSteps) return (o.maxLr * step) / o.warmupSteps;
  if (step >= o.totalSteps) return o.minLr;
  const progress = (step - o.warmupSteps) / Math.max(1, o.totalSteps - o.warmupSteps);
  return o.minLr + 0.5 * (1 + Math.cos(Math.PI * progress)) * (o.maxLr - o.minLr);
}

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  /** Clip the global gradient norm to this (0 = no clipping). */
  maxGradNorm: number;
}

export class AdamW {
  /** Number of updates applied so far. */
  step = 0;
  private readonly m = new Map<string, tfjs.Tensor>();
  private readonly v = new Map<string, tfjs.Tensor>();

  constructor(private readonly tf: TF, private readonly opts: AdamWOptions) {}

  /**
   * Clip `grads` by global norm and update `params` in place. Returns the pre-clip norm.
   * Weight decay is decoupled and skipped for biases and norm gains (1-D tensors), as in nanoGPT.
   */
  apply(params: Map<string, tfjs.Variable>, grads: Map<string, tfjs.Tensor>, lr: number): number {
    return this.applyIfFinite(params, grads, lr).gradNorm;
  }

  /**
   * The same, but only when everything stays finite: a non-finite gradient norm, or an update that would
   * make a parameter NaN/±Infinity (an overflowing learning rate), leaves the weights, the moments and
   * the step count untouched and says which.
   */
  applyIfFinite(params: Map<string, tfjs.Variable>, grads: Map<string, tfjs.Tensor>, lr: number): { gradNorm: number; applied: true } | { gradNorm: number; applied: false; problem: string } {
    const tf = this.tf;
    const { beta1, beta2, epsilon, weightDecay, maxGradNorm } = this.opts;
    const sq = tf.tidy(() => tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g)))));
    const gradNorm = Math.sqrt(sq.dataSync()[0]);
    sq.dispose();
    if (!Number.isFinite(gradNorm)) return { gradNorm, applied: false, problem: `the gradient norm is ${gradNorm}` };
    const scale = maxGradNorm > 0 && gradNorm > maxGradNorm ? maxGradNorm / (gradNorm + 1e-6) : 1;
    const step = this.step + 1;
    const bc1 = 1 - Math.pow(beta1, step);
    const bc2 = 1 - Math.pow(beta2, step);
    // Compute every new value first; assign only when all are finite.
    const pending: Array<{ name: string; param: tfjs.Variable; m: tfjs.Tensor; v: tfjs.Tensor; next: tfjs.Tensor }> = [];
    const disposePending = () => { for (const p of pending) tf.dispose([p.m, p.v, p.next]); };
    for (const [name, param] of params) {
      const grad = grads.get(name);
      if (!grad) continue;
      const [m, v, next] = tf.tidy(() => {
        const g = scale === 1 ? grad : tf.mul(grad, scale);
        const mPrev = this.m.get(name) ?? tf.zerosLike(param);
        const vPrev = this.v.get(name) ?? tf.zerosLike(param);
        const mNew = tf.add(tf.mul(mPrev, beta1), tf.mul(g, 1 - beta1));
        const vNew = tf.add(tf.mul(vPrev, beta2), tf.mul(tf.square(g), 1 - beta2));
        const update = tf.div(tf.div(mNew, bc1), tf.add(tf.sqrt(tf.div(vNew, bc2)), epsilon));
        const decayed = weightDecay > 0 && param.rank >= 2 ? tf.mul(param, 1 - lr * weightDecay) : param;
        return [mNew, vNew, tf.sub(decayed, tf.mul(update, lr))];
      });
      pending.push({ name, param, m, v, next });
    }
    // One host read for all parameters (a read per tensor would stall the GPU every step).
    const flags = tf.tidy(() => tf.stack(pending.map((p) => tf.all(tf.isFinite(p.next)))));
    const finite = Array.from(flags.dataSync());
    flags.dispose();
    const bad = finite.findIndex((f) => !f);
    if (bad >= 0) {
      const name = pending[bad].name;
      disposePending();
      return { gradNorm, applied: false, problem: `the update would make parameter '${name}' non-finite (learning rate ${lr})` };
    }
    this.step = step;
    for (const { name, param, m, v, next } of pending) {
      this.m.get(name)?.dispose();
      this.v.get(name)?.dispose();
      this.m.set(name, m);
      this.v.set(name, v);
      param.assign(next);
      next.dispose();
    }
    return { gradNorm, applied: true };
  }

  /** Moments as host arrays (`m/<name>`, `v/<name>`) for a checkpoint. */
  stateTensors(): Map<string, { shape: number[]; data: Float32Array }> {
    const out = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [kind, map] of [['m', this.m], ['v', this.v]] as const) {
      for (const [name, t] of map) out.set(`${kind}/${name}`, { shape: t.shape.slice(), data: t.dataSync() as Float32Array });
    }
    return out;
  }

  loadState(step: number, tensors: Map<string, { shape: number[]; data: Float32Array }>): void {
    this.dispose();
    this.step = step;
    for (const [key, t] of tensors) {
      const slash = key.indexOf('/');
      const kind = key.slice(0, slash);
      const name = key.slice(slash + 1);
      const map = kind === 'm' ? this.m : kind === 'v' ? this.v : null;
      if (!map) throw new Error(`optimizer state: unexpected tensor '${key}'`);
      map.set(name, this.tf.tensor(t.data, t.shape, 'float32'));
    }
  }

  dispose(): void {
    for (const t of this.m.values()) t.dispose();
    for (const t of this.v.values()) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}
