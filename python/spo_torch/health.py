"""Training health checks, rule for rule as src/core/train/health.ts (tests/fixtures/health_vectors.json,
generated from that file, keeps the two equal): the DPO 0.693 plateau and a falling chosen reward."""

from __future__ import annotations

import math

LN2 = math.log(2)
PLATEAU_STEPS = 30  # consecutive steps with |loss − ln 2| < tolerance
PLATEAU_TOLERANCE = 0.005
REWARD_WINDOW = 20  # rewards/chosen values whose trend is checked
REWARD_ALERT_COOLDOWN = 100


def _fixed(x: float, digits: int) -> str:
    return f"{x:.{digits}f}"


class HealthMonitor:
    def __init__(self, dpo_like: bool):
        self.dpo_like = dpo_like
        self.state = {"plateauRun": 0, "plateauAlerted": False, "chosen": [], "fallingAlertedAt": None}

    def get_state(self) -> dict:
        return {**self.state, "chosen": list(self.state["chosen"])}

    def set_state(self, s: dict | None) -> None:
        if s:
            self.state = {**s, "chosen": list(s["chosen"]), "fallingAlertedAt": s.get("fallingAlertedAt")}

    def observe(self, step: int, align_loss: float, chosen_reward: float) -> list[dict]:
        """Feed one training row; the alerts it raises ({code, message}), each kind at most once per episode."""
        alerts = []
        s = self.state
        if self.dpo_like:
            s["plateauRun"] = s["plateauRun"] + 1 if abs(align_loss - LN2) < PLATEAU_TOLERANCE else 0
            if s["plateauRun"] >= PLATEAU_STEPS and not s["plateauAlerted"]:
                s["plateauAlerted"] = True
                alerts.append({"code": "plateau", "message": f"the alignment loss has stayed at ln 2 ≈ 0.693 for {s['plateauRun']} steps: the policy is not separating chosen from rejected (try a higher learning rate or beta, or check that chosen and rejected differ)"})
        s["chosen"].append(chosen_reward)
        if len(s["chosen"]) > REWARD_WINDOW:
            s["chosen"].pop(0)
        last = s["fallingAlertedAt"]  # None stands for -Infinity (JSON has no infinities)
        if len(s["chosen"]) == REWARD_WINDOW and (last is None or step - last >= REWARD_ALERT_COOLDOWN):
            half = REWARD_WINDOW // 2
            early = sum(s["chosen"][:half]) / half
            late = sum(s["chosen"][half:]) / half
            if late < 0 and late < early - 0.05 * max(1, abs(early)):
                s["fallingAlertedAt"] = step
                alerts.append({"code": "chosen-reward-falling", "message": f"rewards/chosen is falling ({_fixed(early, 3)} → {_fixed(late, 3)} over the last {REWARD_WINDOW} steps): the model is lowering the likelihood of preferred answers too"})
        return alerts
