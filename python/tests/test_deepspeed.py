"""Two processes under accelerate's DeepSpeed ZeRO-2 on CPU over gloo, with SPO on (γ > 0): the same step losses and
heads as one process with the same global batch, and a resume from DeepSpeed's own checkpoint that continues with
the uninterrupted run's losses. tests/deepspeed_launch.py says how DeepSpeed is chosen on a CPU. ZeRO-3 with SPO is
refused (tests/test_resume_fallback.py): on CPU its ranks gathered parameters in different orders in backward."""

import shutil
import subprocess
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file

from helpers import REPO, child_env, events, losses, run_inprocess, validate_events
from spo_torch.fixtures import make_run

STEPS = 3
PAIRS = 21
# What `accelerate launch --config_file trl/accelerate_configs/zero2.yaml` puts in the environment, with mixed
# precision off (float32, so the runs compare); DeepSpeed on its CPU accelerator.
ZERO2_ENV = {"ACCELERATE_USE_CPU": "1", "ACCELERATE_USE_DEEPSPEED": "true", "ACCELERATE_DEEPSPEED_ZERO_STAGE": "2",
             "ACCELERATE_DEEPSPEED_OFFLOAD_OPTIMIZER_DEVICE": "none", "ACCELERATE_DEEPSPEED_OFFLOAD_PARAM_DEVICE": "none",
             "ACCELERATE_DEEPSPEED_ZERO3_INIT": "false", "ACCELERATE_MIXED_PRECISION": "no", "DS_ACCELERATOR": "cpu"}


def _launch(run, tmp_path, *extra):
    torchrun = str(Path(sys.executable).with_name("torchrun"))
    launcher = str(Path(__file__).with_name("deepspeed_launch.py"))
    # DeepSpeed builds its CPU communication op on first use; a folder of the test's own keeps it out of HOME.
    env = child_env(**ZERO2_ENV, TORCH_EXTENSIONS_DIR=str(tmp_path.parent / "torch-extensions"))
    return subprocess.run([torchrun, "--standalone", "--nproc_per_node", "2", launcher, "--run-dir", str(run), *extra],
                          capture_output=True, text=True, timeout=400, env=env, cwd=str(REPO / "python"))


def test_deepspeed_zero2_matches_one_process_and_resumes(tiny_model, tmp_path):
    one = make_run(tmp_path / "one", tiny_model, pairs=PAIRS, max_steps=STEPS, per_device_train_batch_size=4, write_degrees=False)
    assert run_inprocess(one) == 0
    two = make_run(tmp_path / "two", tiny_model, pairs=PAIRS, max_steps=STEPS, save_steps=1, per_device_train_batch_size=2, write_degrees=False)
    proc = _launch(two, tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    e1, e2 = events(one), events(two)
    validate_events(e2)
    logs = [e["message"] for e in e2 if e["type"] == "log"]
    assert "distributed: DEEPSPEED, 2 processes" in logs, logs
    for key in ("loss", "loss/align", "loss/spo_pref", "loss/spo_dispref"):
        a, b = losses(e1, key), losses(e2, key)
        assert sorted(a) == sorted(b) == list(range(1, STEPS + 1))
        for step in a:
            assert abs(a[step] - b[step]) <= 1e-4, (key, step, a[step], b[step])
    last = two / "checkpoints" / f"step-{STEPS}"
    assert (last / "latest").is_file() and (last / f"global_step{STEPS}").is_dir()
    h1, h2 = load_file(str(one / "checkpoints" / f"step-{STEPS}" / "spo_heads.safetensors")), load_file(str(last / "spo_heads.safetensors"))
    assert set(h1) == set(h2) and all(torch.allclose(h1[k], h2[k], atol=1e-5) for k in h1)

    # A crash after step 1: the copy resumes from DeepSpeed's step-1 save (model, heads and ZeRO's optimizer shards).
    crashed = tmp_path / "crashed"
    shutil.copytree(two, crashed)
    for step in range(2, STEPS + 1):
        shutil.rmtree(crashed / "checkpoints" / f"step-{step}")
    proc = _launch(crashed, tmp_path, "--resume")
    assert proc.returncode == 0, proc.stderr[-3000:]
    evs = events(crashed)
    last_start = max(i for i, e in enumerate(evs) if e["type"] == "started")
    assert evs[last_start]["backendNote"].endswith("2 processes, resumed from step-1")
    for key in ("loss", "loss/spo_pref", "loss/spo_dispref"):
        whole, resumed = losses(e2, key), losses(evs[last_start:], key)
        assert sorted(resumed) == list(range(2, STEPS + 1))
        for step in resumed:
            assert abs(whole[step] - resumed[step]) <= 1e-6, (key, step, whole[step], resumed[step])
