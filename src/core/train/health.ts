// Training health checks: the DPO 0.693 plateau (loss stuck at ln 2: the policy is not moving away
// from the reference) and a falling chosen reward (likelihood of preferred answers going down);
// divergence and NaN (divergence.ts, shared with the Python engine by test vectors).
import { DivergenceAlert, DivergenceMonitor, DivergenceState } from './divergence';

import type { AlertCode } from '../protocol/trainer';

export interface HealthAlert {
  code: Extract<AlertCode, 'plateau' | 'chosen-reward-falling'>;
  message: string;
}

export interface HealthState {
  plateauRun: number;
  plateauAlerted: boolean;
  chosen: number[];
  fallingAlertedAt: number;
  /** Absent in checkpoints written before the divergence rules. */
  divergence?: DivergenceState;
}

const LN2 = Math.log(2);
/** Consecutive steps with |loss − ln 2| < tolerance that count as a plateau. */
const PLATEAU_STEPS = 30;
const PLATEAU_TOLERANCE = 0.005;
/** Window of rewards/chosen values whose trend is checked. */
const REWARD_WINDOW = 20;
const REWARD_ALERT_COOLDOWN = 100;

export class HealthMonitor {
  private state: HealthState = { plateauRun: 0, plateauAlerted: false, chosen: [], fallingAlertedAt: -Infinity };

  private readonly divergence = new DivergenceMonitor();

  constructor(private readonly dpoLike: boolean) {}

  getState(): HealthState {
    return { ...this.state, chosen: this.state.chosen.slice(), divergence: this.divergence.getState() };
  }

  setState(s: HealthState | undefined): void {
    if (s) this.state = { ...s, chosen: s.chosen.slice(), fallingAlertedAt: s.fallingAlertedAt ?? -Infinity };
    this.divergence.setState(s?.divergence);
  }

  /** Feed one step's loss and pre-clip gradient norm: NaN (stop) and divergence alerts (divergence.ts). */
  observeStability(step: number, loss: number, gradNorm: number | null): { alerts: DivergenceAlert[]; stop: boolean } {
    return this.divergence.observe(step, loss, gradNorm);
  }

  /** Feed one training row; returns the alerts it raises (each kind at most once per episode). */
  observe(step: number, alignLoss: number, chosenReward: number): HealthAlert[] {
    const alerts: HealthAlert[] = [];
    const s = this.state;
    if (this.dpoLike) {
      s.plateauRun = Math.abs(alignLoss - LN2) < PLATEAU_TOLERANCE ? s.plateauRun + 1 : 0;
      if (s.plateauRun >= PLATEAU_STEPS && !s.plateauAlerted) {
        s.plateauAlerted = true;
        alerts.push({ code: 'plateau', message: `the alignment loss has stayed at ln 2 ≈ 0.693 for ${s.plateauRun} steps: the policy is not separating chosen from rejected (try a higher learning rate or beta, or check that chosen and rejected differ)` });
      }
    }
    s.chosen.push(chosenReward);
    if (s.chosen.length > REWARD_WINDOW) s.chosen.shift();
    if (s.chosen.length === REWARD_WINDOW && step - s.fallingAlertedAt >= REWARD_ALERT_COOLDOWN) {
      const half = REWARD_WINDOW / 2;
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const early = mean(s.chosen.slice(0, half));
      const late = mean(s.chosen.slice(half));
      if (late < 0 && late < early - 0.05 * Math.max(1, Math.abs(early))) {
        s.fallingAlertedAt = step;
        alerts.push({ code: 'chosen-reward-falling', message: `rewards/chosen is falling (${early.toFixed(3)} → ${late.toFixed(3)} over the last ${REWARD_WINDOW} steps): the model is lowering the likelihood of preferred answers too` });
      }
    }
    return alerts;
  }
}
