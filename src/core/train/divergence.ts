// Divergence rules: a loss far above its running median, a gradient-norm explosion, and a non-finite
// loss or gradient norm (NaN: stop). One place for the thresholds: the Python engine applies the same
// rules, and test/vectors/health.json (checked by both) pins them with sequences and their alerts.

export const DIVERGENCE_RULES = {
  /** Running medians are taken over the last `window` finite values (the current one excluded). */
  window: 50,
  /** No judgement before this many finite values. */
  minHistory: 1,
  /** divergence: loss − median > lossFactor · max(|median|, lossFloor). */
  lossFactor: 10,
  lossFloor: 0.1,
  /** grad-norm-explosion: grad_norm > gradFactor · max(median grad_norm, gradFloor). */
  gradFactor: 50,
  gradFloor: 0.01,
  /** A code alerts again only this many steps after its last alert. */
  cooldownSteps: 100,
} as const;

export type DivergenceCode = 'nan' | 'divergence' | 'grad-norm-explosion';

export interface DivergenceAlert {
  code: DivergenceCode;
  message: string;
}

export interface DivergenceState {
  losses: number[];
  gradNorms: number[];
  /** Step of each code's last alert. */
  lastAlert: Partial<Record<DivergenceCode, number>>;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const fmt = (x: number) => (Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : x.toFixed(4));

export class DivergenceMonitor {
  private state: DivergenceState = { losses: [], gradNorms: [], lastAlert: {} };

  getState(): DivergenceState {
    return { losses: this.state.losses.slice(), gradNorms: this.state.gradNorms.slice(), lastAlert: { ...this.state.lastAlert } };
  }

  setState(s: DivergenceState | undefined): void {
    if (s && Array.isArray(s.losses) && Array.isArray(s.gradNorms)) {
      this.state = { losses: s.losses.slice(), gradNorms: s.gradNorms.slice(), lastAlert: { ...(s.lastAlert ?? {}) } };
    }
  }

  /**
   * One training step's loss and pre-clip gradient norm (null when the gradient was not computed).
   * `stop` is true for NaN/±Infinity: the update must not be applied.
   */
  observe(step: number, loss: number, gradNorm: number | null): { alerts: DivergenceAlert[]; stop: boolean } {
    const R = DIVERGENCE_RULES;
    if (!Number.isFinite(loss) || (gradNorm !== null && !Number.isFinite(gradNorm))) {
      const what = !Number.isFinite(loss) ? `loss is ${loss}` : `gradient norm is ${gradNorm}`;
      return { alerts: [{ code: 'nan', message: `${what} at step ${step}` }], stop: true };
    }
    const s = this.state;
    const alerts: DivergenceAlert[] = [];
    const may = (code: DivergenceCode) => s.lastAlert[code] === undefined || step - s.lastAlert[code]! >= R.cooldownSteps;
    if (s.losses.length >= R.minHistory) {
      const m = median(s.losses);
      if (loss - m > R.lossFactor * Math.max(Math.abs(m), R.lossFloor) && may('divergence')) {
        s.lastAlert.divergence = step;
        alerts.push({ code: 'divergence', message: `loss ${fmt(loss)} at step ${step} is far above its running median ${fmt(m)}: training is diverging (try a lower learning_rate, or a max_grad_norm)` });
      }
    }
    if (gradNorm !== null && s.gradNorms.length >= R.minHistory) {
      const m = median(s.gradNorms);
      if (gradNorm > R.gradFactor * Math.max(m, R.gradFloor) && may('grad-norm-explosion')) {
        s.lastAlert['grad-norm-explosion'] = step;
        alerts.push({ code: 'grad-norm-explosion', message: `gradient norm ${fmt(gradNorm)} at step ${step} is over ${R.gradFactor}× its running median ${fmt(m)}: the gradients are exploding (try a lower learning_rate, or a max_grad_norm)` });
      }
    }
    s.losses.push(loss);
    if (s.losses.length > R.window) s.losses.shift();
    if (gradNorm !== null) {
      s.gradNorms.push(gradNorm);
      if (s.gradNorms.length > R.window) s.gradNorms.shift();
    }
    return { alerts, stop: false };
  }
}
