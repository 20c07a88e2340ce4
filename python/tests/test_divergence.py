"""Divergence and NaN rules against the shared vectors written by the TS side (test/vectors/health.json)."""

import json
import math

from helpers import REPO
from spo_torch.divergence import RULES, DivergenceMonitor

VECTORS = REPO / "test" / "vectors" / "health.json"
NONFINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def num(v):
    return None if v is None else NONFINITE.get(v, v) if isinstance(v, str) else float(v)


def test_every_shared_vector():
    data = json.loads(VECTORS.read_text())  # fails, not skips, when the file is missing
    rules = {k: data["rules"][k] for k in RULES}
    assert rules == RULES
    assert len(data["vectors"]) >= 10
    for v in data["vectors"]:
        mon, got, stop_step = DivergenceMonitor(), [], None
        for i, (loss, gn) in enumerate(zip(v["loss"], v["grad_norm"]), 1):
            alerts, stop = mon.observe(i, num(loss), num(gn))
            got += [{"step": i, "code": a["code"]} for a in alerts]
            if stop:
                stop_step = i
                break
        assert got == [{"step": e["step"], "code": e["code"]} for e in v["expected"]], v["name"]
        assert stop_step == v["stop_step"], v["name"]


def test_messages_name_the_numbers():
    mon = DivergenceMonitor()
    mon.observe(1, 0.7, 1.0)
    alerts, stop = mon.observe(2, 50.0, 1e4)
    assert not stop and [a["code"] for a in alerts] == ["divergence", "grad-norm-explosion"]
    assert "loss 50.0000 at step 2 is far above its running median 0.7000" in alerts[0]["message"]
    assert "gradient norm 1.00e+4 at step 2" in alerts[1]["message"]
    alerts, stop = DivergenceMonitor().observe(3, math.nan, None)
    assert stop and alerts[0]["message"] == "loss is NaN at step 3"
