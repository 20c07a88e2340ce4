"""Two processes on CPU (torchrun + gloo): the same step losses as one process with the same global batch,
degrees gathered from both ranks, and only rank 0 writes the run folder."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO, child_env, events, losses, run_inprocess, validate_events
from spo_torch.fixtures import make_run


def test_two_processes_match_one(tiny_model, tmp_path):
    one = make_run(tmp_path / "one", tiny_model, pairs=24, max_steps=5, per_device_train_batch_size=4)
    two = make_run(tmp_path / "two", tiny_model, pairs=24, max_steps=5, per_device_train_batch_size=2)
    torchrun = str(Path(sys.executable).with_name("torchrun"))
    proc = subprocess.run(
        [torchrun, "--standalone", "--nproc_per_node", "2", "-m", "spo_torch.train", "--run-dir", str(two)],
        capture_output=True, text=True, timeout=300, env=child_env(ACCELERATE_USE_CPU="1"), cwd=str(REPO / "python"),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert run_inprocess(one) == 0
    e1, e2 = events(one), events(two)
    validate_events(e2)
    assert "2 processes" in e2[0]["backendNote"]
    # Only rank 0 writes: one started/done each, and stdout holds each event exactly once.
    assert [e["type"] for e in e2].count("started") == 1 and [e["type"] for e in e2].count("done") == 1
    assert len([l for l in proc.stdout.splitlines() if l.strip()]) == len(e2)
    for key in ("loss", "loss/align", "loss/spo_pref", "loss/spo_dispref", "rewards/margins"):
        a, b = losses(e1, key), losses(e2, key)
        assert sorted(a) == sorted(b) == [1, 2, 3, 4, 5]
        for step in range(1, 6):
            assert abs(a[step] - b[step]) <= 1e-4, (key, step, a[step], b[step])
    degrees = [json.loads(l) for l in (two / "degrees.jsonl").read_text().splitlines()]
    assert [d["index"] for d in degrees] == list(range(24))
    ones = {d["index"]: d for d in (json.loads(l) for l in (one / "degrees.jsonl").read_text().splitlines())}
    for d in degrees:
        assert d["model"]["margin"] == pytest.approx(ones[d["index"]]["model"]["margin"], abs=1e-4)
