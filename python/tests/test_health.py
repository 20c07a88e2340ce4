"""The health rules equal the TS ones (vectors generated from src/core/train/health.ts)."""

import json
from pathlib import Path

from spo_torch.health import HealthMonitor

VECTORS = Path(__file__).parent / "fixtures" / "health_vectors.json"


def test_same_alerts_as_the_ts_rules():
    series = json.loads(VECTORS.read_text())["series"]
    assert {s["name"] for s in series} >= {"plateau", "falling"}
    assert any(s["alerts"] for s in series) and any(not s["alerts"] for s in series)
    for s in series:
        h = HealthMonitor(s["dpoLike"])
        got = [{"step": r["step"], **a} for r in s["rows"] for a in h.observe(r["step"], r["align"], r["chosen"])]
        assert got == s["alerts"], s["name"]


def test_state_round_trips_through_json_for_resume():
    series = next(s for s in json.loads(VECTORS.read_text())["series"] if s["name"] == "falling")
    whole, first = HealthMonitor(True), HealthMonitor(True)
    rows = series["rows"]
    expected = [a for r in rows for a in whole.observe(r["step"], r["align"], r["chosen"])]
    got = [a for r in rows[:90] for a in first.observe(r["step"], r["align"], r["chosen"])]
    second = HealthMonitor(True)
    second.set_state(json.loads(json.dumps(first.get_state())))
    got += [a for r in rows[90:] for a in second.observe(r["step"], r["align"], r["chosen"])]
    assert got == expected and expected
