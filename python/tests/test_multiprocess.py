"""Two processes on CPU (torchrun + gloo): the same step losses as one process with the same global batch,
degrees gathered from both ranks, and only rank 0 writes the run folder; a killed worker ends the run with one
message and a checkpoint that resume continues."""

import json
import os
import signal
import subprocess
import sys
import time
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


def _worker_pids(run_dir: Path) -> dict[int, int]:
    """RANK -> pid of the torchrun workers training `run_dir` (their environment names the rank)."""
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
            env = dict(x.split(b"=", 1) for x in (proc / "environ").read_bytes().split(b"\0") if b"=" in x)
        except OSError:
            continue
        if str(run_dir).encode() in cmdline and b"TORCHELASTIC_RUN_ID" in env and b"RANK" in env:
            found[int(env[b"RANK"])] = int(proc.name)
    return found


def test_a_killed_worker_ends_the_run_with_one_message_and_a_resumable_checkpoint(tiny_model, tmp_path):
    run = make_run(tmp_path / "run", tiny_model, pairs=24, max_steps=400, per_device_train_batch_size=2, save_steps=2, write_degrees=False)
    torchrun = str(Path(sys.executable).with_name("torchrun"))
    proc = subprocess.Popen([torchrun, "--standalone", "--nproc_per_node", "2", "-m", "spo_torch.train", "--run-dir", str(run)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env(ACCELERATE_USE_CPU="1"),
                            cwd=str(REPO / "python"), start_new_session=True)
    try:
        deadline = time.time() + 240
        while not list((run / "checkpoints").glob("step-*/trainer_state.json")):
            assert proc.poll() is None and time.time() < deadline, "no checkpoint before the kill"
            time.sleep(0.3)
        pids = _worker_pids(run)
        assert sorted(pids) == [0, 1], pids
        os.kill(pids[1], signal.SIGKILL)  # a worker dies (OOM killer, a lost node): rank 0 must not hang
        _, err = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode != 0
    done = events(run)[-1]
    assert done["type"] == "done" and done["reason"] == "failed", done
    assert done["message"].startswith("a worker process died or lost its connection") and "\n" not in done["message"]
    assert "resume continues from the last checkpoint" in done["message"]
    # Resume (here in one process, to a near budget) continues from the newest complete checkpoint.
    last = max(int(p.parent.name.split("-")[1]) for p in (run / "checkpoints").glob("step-*/trainer_state.json"))
    cfg = json.loads((run / "config.json").read_text())
    cfg["max_steps"] = last + 2
    (run / "config.json").write_text(json.dumps(cfg, indent=2) + "\n")
    assert run_inprocess(run, "--resume") == 0
    evs = events(run)
    assert evs[-1]["type"] == "done" and evs[-1]["reason"] == "completed" and evs[-1]["step"] == last + 2
    started = [e for e in evs if e["type"] == "started"]
    assert len(started) == 2 and started[-1]["backendNote"].endswith(f"resumed from step-{last}")
    first_resumed = next(e for e in evs[evs.index(started[-1]):] if e["type"] == "metrics")
    assert first_resumed["row"]["step"] == last + 1
