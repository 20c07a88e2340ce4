"""The run folder's event stream, as the TF.js engine writes it (src/core/protocol/trainer.ts,
src/core/train/runFolder.ts): every TrainerEvent appended to metrics.jsonl and printed as one JSON line on
stdout; log/alert/checkpoint/done/started/metrics events also get a human line in log.txt (and stderr).
Only the process that owns the run folder (rank 0) writes.
"""

from __future__ import annotations

import json
import math
import sys
import time
from datetime import datetime, timezone
from pathlib import Path


def now_ms() -> int:
    return int(time.time() * 1000)


def _fmt(x: float) -> str:
    # formatNumber in runFolder.ts: integers as is, tiny/huge in exponent form, else 4 decimals.
    if float(x).is_integer():
        return str(int(x))
    a = abs(x)
    if a != 0 and (a < 1e-3 or a >= 1e5):
        mant, exp = f"{x:.2e}".split("e")
        return f"{mant}e{'+' if int(exp) >= 0 else '-'}{abs(int(exp))}"
    return f"{x:.4f}"


TRAIN_KEYS = ["loss", "loss/align", "rewards/accuracies", "rewards/margins", "spo/acc_pref", "grad_norm", "learning_rate", "tokens_per_second"]
EVAL_KEYS = ["eval/loss", "eval/rewards/accuracies", "eval/rewards/margins", "eval/spo/acc_pref", "eval/spo/acc_dispref"]


def describe_event(e: dict) -> str | None:
    """The log.txt line of an event (describeEvent in runFolder.ts)."""
    t = e["type"]
    if t == "started":
        note = f" ({e['backendNote']})" if e.get("backendNote") else ""
        return f"started run {e['runName']} in {e['runDir']} on backend {e['backend']}{note}, {e['totalSteps']} steps"
    if t == "log":
        return f"[{e['level']}] {e['message']}"
    if t == "alert":
        return f"[alert {e['code']}] step {e['step']}: {e['message']}"
    if t == "checkpoint":
        return f"checkpoint step {e['step']}: {e['path']}"
    if t == "done":
        return f"done ({e['reason']}) at step {e['step']}" + (f": {e['message']}" if e.get("message") else "")
    if t == "metrics":
        r = e["row"]
        keys = EVAL_KEYS if any(k.startswith("eval/") for k in r) else TRAIN_KEYS
        parts = [f"{k}={_fmt(r[k])}" for k in keys if k in r]
        return f"step {r['step']} {' '.join(parts)}"
    return None


class EventWriter:
    default_stdout = None  # set by the CLI to the real stdout before it routes library prints to stderr

    def __init__(self, run_dir: str | Path, enabled: bool = True, stdout=None):
        self.dir = Path(run_dir)
        self.enabled = enabled
        self.stdout = stdout or EventWriter.default_stdout or sys.stdout

    def emit(self, event: dict) -> None:
        if not self.enabled:
            return
        event.setdefault("time", now_ms())
        line = json.dumps(event, allow_nan=False, default=str)
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / "metrics.jsonl", "a", encoding="utf-8") as f:
            f.write(line + "\n")
        human = describe_event(event)
        if human:
            stamp = datetime.fromtimestamp(event["time"] / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{event['time'] % 1000:03d}Z"
            with open(self.dir / "log.txt", "a", encoding="utf-8") as f:
                f.write(f"{stamp} {human}\n")
            print(human, file=sys.stderr, flush=True)
        print(line, file=self.stdout, flush=True)

    def log(self, level: str, message: str) -> None:
        self.emit({"type": "log", "level": level, "message": message})


def finite_row(row: dict) -> dict:
    """Only finite numbers travel in a metrics row (JSON has no NaN)."""
    return {k: float(v) for k, v in row.items() if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)}
