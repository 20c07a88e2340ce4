"""Two processes under accelerate's FSDP (2 and 1) on CPU over gloo, with SPO on (γ > 0): the same step losses,
weights, heads and degrees as one process with the same global batch.

accelerate does not pick FSDP on a CPU by itself; tests/fsdp_launch.py sets that one choice (its docstring says
why and how), the rest is the real FSDP path of accelerate, TRL and the HF Trainer. Before the fixes this
checks, FSDP2 stopped at step 2 with gloo's "Received data size doesn't match expected size. Is there a
distributed collective mismatch" (a rank with variant rows made a second backbone call, the other did not), and
FSDP1 at step 1 with "size mismatch, got input (2), mat (2x32), vec (0)" (the heads applied outside the model's
forward, where FSDP1 leaves them as flat shards); writing the heads file from the live FSDP2 shards failed with
"Attempted to access the data pointer on an invalid python storage".
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from helpers import REPO, child_env, events, losses, run_inprocess, validate_events
from spo_torch.fixtures import make_run
from spo_torch.heads import SPOHeads

STEPS = 3
# 21 pairs: rank 0 scores 11 for degrees.jsonl and rank 1 10, so under FSDP rank 1 runs one padding batch.
PAIRS = 21

# What `accelerate launch --config_file trl/accelerate_configs/fsdp{2,1}.yaml` puts in the environment, with
# mixed precision off (float32, so the runs compare). FSDP1 without sync_module_states / cpu_ram_efficient_loading:
# accelerate's plugin needs an accelerator device for them ("There are currently no available devices found").
FSDP_ENV = {
    "2": {"FSDP_VERSION": "2", "FSDP_RESHARD_AFTER_FORWARD": "true", "FSDP_CPU_RAM_EFFICIENT_LOADING": "true"},
    "1": {"FSDP_VERSION": "1", "FSDP_RESHARD_AFTER_FORWARD": "FULL_SHARD", "FSDP_USE_ORIG_PARAMS": "true",
          "FSDP_BACKWARD_PREFETCH": "BACKWARD_PRE", "FSDP_FORWARD_PREFETCH": "true",
          "FSDP_SYNC_MODULE_STATES": "false", "FSDP_CPU_RAM_EFFICIENT_LOADING": "false"},
}
COMMON_ENV = {"ACCELERATE_USE_CPU": "1", "ACCELERATE_USE_FSDP": "true", "FSDP_AUTO_WRAP_POLICY": "TRANSFORMER_BASED_WRAP",
              "FSDP_STATE_DICT_TYPE": "FULL_STATE_DICT", "FSDP_OFFLOAD_PARAMS": "false"}


@pytest.fixture(scope="module")
def one_process(tiny_model, tmp_path_factory):
    one = make_run(tmp_path_factory.mktemp("fsdp-one") / "run", tiny_model, pairs=PAIRS, max_steps=STEPS, per_device_train_batch_size=4)
    assert run_inprocess(one) == 0
    return one


def _final_checkpoint(run: Path) -> Path:
    return run / "checkpoints" / f"step-{STEPS}"


def _degrees(run: Path) -> dict:
    return {d["index"]: d for d in (json.loads(line) for line in (run / "degrees.jsonl").read_text().splitlines())}


@pytest.mark.parametrize("version", ["2", "1"])
def test_fsdp_two_processes_match_one(version, tiny_model, one_process, tmp_path):
    two = make_run(tmp_path / "two", tiny_model, pairs=PAIRS, max_steps=STEPS, per_device_train_batch_size=2)
    proc = _launch(two, version)
    assert proc.returncode == 0, proc.stderr[-3000:]
    e1, e2 = events(one_process), events(two)
    validate_events(e2)
    assert any(e["type"] == "log" and e["message"] == "distributed: FSDP, 2 processes" for e in e2), "not trained under FSDP"
    # One policy forward on every rank, with the variants' suffixes packed in (no second, rank-dependent call).
    assert any(e["type"] == "log" and e["message"].startswith("SPO variant rows: shared-prefix") for e in e2), [e for e in e2 if e["type"] == "log"]
    for key in ("loss", "loss/align", "loss/spo_pref", "loss/spo_dispref"):
        a, b = losses(e1, key), losses(e2, key)
        assert sorted(a) == sorted(b) == list(range(1, STEPS + 1))
        for step in a:
            assert abs(a[step] - b[step]) <= 1e-4, (key, step, a[step], b[step])

    # The heads file beside the HF checkpoint: the full [D, K] tensors (not a rank's shard), trained (moved from
    # their seeded start) and equal to the one-process run's, so their gradients were reduced over both ranks.
    ck1, ck2 = _final_checkpoint(one_process), _final_checkpoint(two)
    heads1, heads2 = load_file(str(ck1 / "spo_heads.safetensors")), load_file(str(ck2 / "spo_heads.safetensors"))
    start = SPOHeads(32, 4, seed=42).tensors()  # the trainer's start: d_model 32, K 4, spo_seed = seed 42
    assert set(heads2) == set(start) == {"pref.weight", "pref.bias", "dispref.weight", "dispref.bias"}
    for name, t in heads2.items():
        assert t.shape == start[name].shape and t.dtype == torch.float32, (name, t.shape)
        assert (t - start[name]).abs().max().item() > 1e-4, f"{name} did not train"
        assert torch.allclose(t, heads1[name], atol=1e-5), (name, (t - heads1[name]).abs().max().item())
    # The exported model holds no heads and the same weights as the one-process run.
    w1, w2 = load_file(str(ck1 / "model.safetensors")), load_file(str(ck2 / "model.safetensors"))
    assert set(w1) == set(w2) and not any("spo_heads" in k for k in w2)
    for k in w1:
        assert torch.allclose(w1[k], w2[k], atol=1e-5), (k, (w1[k] - w2[k]).abs().max().item())

    # degrees.jsonl: every pair once, gathered from both ranks, the heads' distributions as one process gives them.
    d1, d2 = _degrees(one_process), _degrees(two)
    assert sorted(d2) == list(range(PAIRS))
    for i, d in d2.items():
        assert d["model"]["margin"] == pytest.approx(d1[i]["model"]["margin"], abs=1e-4)
        for head in ("pref", "dispref"):
            assert d["spo"][head]["probs"] == pytest.approx(d1[i]["spo"][head]["probs"], abs=1e-4)


def _launch(run, version, *extra):
    torchrun = str(Path(sys.executable).with_name("torchrun"))
    launcher = str(Path(__file__).with_name("fsdp_launch.py"))
    return subprocess.run(
        [torchrun, "--standalone", "--nproc_per_node", "2", launcher, "--run-dir", str(run), *extra],
        capture_output=True, text=True, timeout=300, env=child_env(**COMMON_ENV, **FSDP_ENV[version]), cwd=str(REPO / "python"),
    )


def test_fsdp2_resume_gives_the_losses_of_an_uninterrupted_run(tiny_model, tmp_path):
    # A 3-step FSDP2 run with a checkpoint each step; a copy that lost steps 2 and 3 (a crash after step 1)
    # resumes from step-1 under FSDP2: model, heads (inside FSDP's model save) and optimizer come back.
    whole = make_run(tmp_path / "whole", tiny_model, pairs=PAIRS, max_steps=STEPS, save_steps=1, per_device_train_batch_size=2, write_degrees=False)
    proc = _launch(whole, "2")
    assert proc.returncode == 0, proc.stderr[-3000:]
    crashed = tmp_path / "crashed"
    shutil.copytree(whole, crashed)
    for step in range(2, STEPS + 1):
        shutil.rmtree(crashed / "checkpoints" / f"step-{step}")
    assert (crashed / "checkpoints" / "step-1" / "optimizer.bin").is_file()
    proc = _launch(crashed, "2", "--resume")
    assert proc.returncode == 0, proc.stderr[-3000:]
    evs = events(crashed)
    validate_events(evs)
    last_start = max(i for i, e in enumerate(evs) if e["type"] == "started")
    assert evs[last_start]["backendNote"].endswith("2 processes, resumed from step-1")
    resumed = evs[last_start:]
    for key in ("loss", "loss/align", "loss/spo_pref", "loss/spo_dispref"):
        a, b = losses(events(whole), key), losses(resumed, key)
        assert sorted(b) == list(range(2, STEPS + 1))
        for step in b:
            assert abs(a[step] - b[step]) <= 1e-6, (key, step, a[step], b[step])


def test_resume_under_fsdp1_is_refused_in_one_line(tiny_model, tmp_path):
    run = make_run(tmp_path / "run", tiny_model, pairs=PAIRS, max_steps=1, per_device_train_batch_size=2, write_degrees=False)
    proc = _launch(run, "1", "--resume")
    assert proc.returncode != 0
    done = events(run)[-1]
    assert done["type"] == "done" and done["reason"] == "failed" and "\n" not in done["message"]
    assert done["message"].startswith("resuming under FSDP1 is not supported") and "FSDP2" in done["message"]
