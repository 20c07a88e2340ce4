"""Divergence rules, as src/core/train/divergence.ts (test/vectors/health.json pins both): a loss far above its
running median, a gradient-norm explosion, and a non-finite loss or gradient norm (stop before the update)."""

from __future__ import annotations

import math

RULES = {"window": 50, "min_history": 1, "loss_factor": 10, "loss_floor": 0.1, "grad_factor": 50, "grad_floor": 0.01, "cooldown_steps": 100}


def median(xs: list[float]) -> float:
    s = sorted(xs)
    mid = len(s) >> 1
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def _js_number(x: float) -> str:
    """JavaScript's String(x) for the non-finite values and plain floats in messages."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return repr(x)


def _fmt(x: float) -> str:
    if abs(x) >= 1e4 or (x != 0 and abs(x) < 1e-3):
        mant, exp = f"{x:.2e}".split("e")
        return f"{mant}e{'+' if int(exp) >= 0 else '-'}{abs(int(exp))}"
    return f"{x:.4f}"


class DivergenceMonitor:
    def __init__(self):
        self.state = {"losses": [], "gradNorms": [], "lastAlert": {}}

    def get_state(self) -> dict:
        return {"losses": list(self.state["losses"]), "gradNorms": list(self.state["gradNorms"]), "lastAlert": dict(self.state["lastAlert"])}

    def set_state(self, s: dict | None) -> None:
        if s and isinstance(s.get("losses"), list) and isinstance(s.get("gradNorms"), list):
            self.state = {"losses": list(s["losses"]), "gradNorms": list(s["gradNorms"]), "lastAlert": dict(s.get("lastAlert") or {})}

    def observe(self, step: int, loss: float, grad_norm: float | None) -> tuple[list[dict], bool]:
        """(alerts, stop) for one step's loss and pre-clip gradient norm (None when not computed)."""
        R = RULES
        if not math.isfinite(loss) or (grad_norm is not None and not math.isfinite(grad_norm)):
            what = f"loss is {_js_number(loss)}" if not math.isfinite(loss) else f"gradient norm is {_js_number(grad_norm)}"
            return [{"code": "nan", "message": f"{what} at step {step}"}], True
        s = self.state
        alerts = []

        def may(code):
            last = s["lastAlert"].get(code)
            return last is None or step - last >= R["cooldown_steps"]

        if len(s["losses"]) >= R["min_history"]:
            m = median(s["losses"])
            if loss - m > R["loss_factor"] * max(abs(m), R["loss_floor"]) and may("divergence"):
                s["lastAlert"]["divergence"] = step
                alerts.append({"code": "divergence", "message": f"loss {_fmt(loss)} at step {step} is far above its running median {_fmt(m)}: training is diverging (try a lower learning_rate, or a max_grad_norm)"})
        if grad_norm is not None and len(s["gradNorms"]) >= R["min_history"]:
            m = median(s["gradNorms"])
            if grad_norm > R["grad_factor"] * max(m, R["grad_floor"]) and may("grad-norm-explosion"):
                s["lastAlert"]["grad-norm-explosion"] = step
                alerts.append({"code": "grad-norm-explosion", "message": f"gradient norm {_fmt(grad_norm)} at step {step} is over {R['grad_factor']}× its running median {_fmt(m)}: the gradients are exploding (try a lower learning_rate, or a max_grad_norm)"})
        s["losses"].append(loss)
        if len(s["losses"]) > R["window"]:
            s["losses"].pop(0)
        if grad_norm is not None:
            s["gradNorms"].append(grad_norm)
            if len(s["gradNorms"]) > R["window"]:
                s["gradNorms"].pop(0)
        return alerts, False
