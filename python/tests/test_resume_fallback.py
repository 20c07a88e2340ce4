"""Resume falls back past a torn or non-finite newest checkpoint, saying so (issue #13 §4–5), and the NaN stop
sets aside a checkpoint whose weights already fail, as the TS engine does (src/core/train/finiteGuard.ts)."""

import json
import shutil

import pytest
import torch
from safetensors.torch import load_file, save_file

from helpers import events, losses, run_inprocess, validate_events
from spo_torch.fixtures import make_run
from spo_torch.train import checkpoint_problem


@pytest.fixture(scope="module")
def saved_run(tiny_model, tmp_path_factory):
    """A finished 4-step run with checkpoints at steps 2 and 4 (copied by each test before it breaks one)."""
    run = make_run(tmp_path_factory.mktemp("saved") / "run", tiny_model, pairs=12, max_steps=4, save_steps=2, per_device_train_batch_size=4, write_degrees=False)
    assert run_inprocess(run) == 0
    return run


def copy_run(saved_run, tmp_path, max_steps=6):
    run = tmp_path / "run"
    shutil.copytree(saved_run, run)
    cfg = json.loads((run / "config.json").read_text())
    cfg["max_steps"] = max_steps  # what a resume may change
    (run / "config.json").write_text(json.dumps(cfg))
    return run


def resumed(run):
    """(started event, warn log lines) of the last resume in run's metrics.jsonl."""
    evs = events(run)
    validate_events(evs)
    i = max(i for i, e in enumerate(evs) if e["type"] == "started")
    before = max((j for j, e in enumerate(evs[:i]) if e["type"] == "done"), default=-1)
    warns = [e["message"] for e in evs[before + 1 : i] if e["type"] == "log" and e["level"] == "warn"]
    return evs[i], warns, evs


def break_weights(folder, value):
    f = folder / "model.safetensors"
    tensors = load_file(str(f))
    name = sorted(tensors)[0]
    tensors[name] = tensors[name].clone()
    tensors[name].view(-1)[0] = value
    save_file(tensors, str(f), metadata={"format": "pt"})
    return name


@pytest.mark.parametrize("damage", ["torn trainer_state.json", "truncated model.safetensors", "NaN weight", "Infinity weight"])
def test_resume_falls_back_to_the_previous_good_checkpoint(saved_run, tmp_path, damage):
    run = copy_run(saved_run, tmp_path)
    step4 = run / "checkpoints" / "step-4"
    if damage == "torn trainer_state.json":
        text = (step4 / "trainer_state.json").read_text()
        (step4 / "trainer_state.json").write_text(text[: len(text) // 2])
        expect = "trainer_state.json cannot be read"
    elif damage == "truncated model.safetensors":
        data = (step4 / "model.safetensors").read_bytes()
        (step4 / "model.safetensors").write_bytes(data[: len(data) // 3])
        expect = "model.safetensors cannot be read"
    else:
        name = break_weights(step4, float("nan") if damage == "NaN weight" else float("inf"))
        expect = f"model.safetensors: tensor '{name}' holds NaN or ±Infinity"
    assert checkpoint_problem(run / "checkpoints" / "step-2") is None
    assert expect in (checkpoint_problem(step4) or "")

    assert run_inprocess(run, "--resume") == 0
    started, warns, evs = resumed(run)
    assert any(w.startswith("skipping checkpoint step-4: ") and expect in w for w in warns), warns
    assert "resumed from step-2" in started["backendNote"]
    assert evs[-1]["type"] == "done" and evs[-1]["reason"] == "completed" and evs[-1]["step"] == 6
    # Steps 3 and 4 were trained again from step 2: the same losses as the first time.
    first = losses([e for e in evs[: evs.index(started)]])
    again = losses(evs[evs.index(started):])
    assert sorted(again) == [3, 4, 5, 6]
    for step in (3, 4):
        assert again[step] == pytest.approx(first[step], rel=1e-6, abs=1e-7)
    assert checkpoint_problem(run / "checkpoints" / "step-4") is None, "step-4 was written again, whole"
    assert "skipping checkpoint step-4" in (run / "log.txt").read_text()


def test_resume_with_no_usable_checkpoint_is_one_line(saved_run, tmp_path):
    run = copy_run(saved_run, tmp_path)
    for step in (2, 4):
        break_weights(run / "checkpoints" / f"step-{step}", float("nan"))
    assert run_inprocess(run, "--resume") == 1
    done = events(run)[-1]
    assert done["reason"] == "failed" and "no usable checkpoint to resume from" in done["message"] and "\n" not in done["message"]


def test_nan_stop_sets_aside_a_checkpoint_whose_weights_already_fail(tiny_model, tmp_path):
    # The issue-13 run, scaled to AdamW: learning_rate 1e37 with a checkpoint every step. Step 1 leaves weights
    # near 1e37 (finite, so step-1 is saved); on the same two pairs again their gradients are NaN, so step 2 stops,
    # and the step-1 weights give NaN on step 1's batch too: they are bad, not the batch.
    run = make_run(tmp_path / "run", tiny_model, pairs=2, max_steps=4, save_steps=1, learning_rate=1e37, max_grad_norm=0.0,
                   per_device_train_batch_size=2, write_degrees=False)
    assert run_inprocess(run) == 1
    evs = events(run)
    validate_events(evs)
    alert = next(e for e in evs if e["type"] == "alert" and e["code"] == "nan")
    assert alert["step"] == 2
    assert "no good checkpoint was saved yet" in alert["message"]
    assert "The step-1 checkpoint already produced it and was set aside as step-1.nonfinite" in alert["message"]
    ck = run / "checkpoints"
    assert not (ck / "step-1").exists() and (ck / "step-1.nonfinite" / "trainer_state.json").is_file()
    # Kept for a post-mortem, never resumed from.
    assert run_inprocess(run, "--resume") == 1
    assert "no complete checkpoint to resume from" in events(run)[-1]["message"]


def test_nan_on_one_batch_keeps_the_checkpoint_before(tiny_model, tmp_path):
    # A NaN that only this batch gives (the test hook) says nothing against the step-2 weights: step-2 stays.
    run = make_run(tmp_path / "run", tiny_model, pairs=12, max_steps=5, save_steps=1)
    assert run_inprocess(run, env={"SPO_TORCH_NAN_AT_STEP": "3"}) == 1
    alert = next(e for e in events(run) if e["type"] == "alert")
    assert "the last good checkpoint is" in alert["message"] and "step-2" in alert["message"] and "set aside" not in alert["message"]
    assert (run / "checkpoints" / "step-2" / "trainer_state.json").is_file()
    assert not (run / "checkpoints" / "step-2.nonfinite").exists()


def test_a_checkpoint_is_resumed_only_the_way_it_was_written_fsdp_deepspeed_or_neither(saved_run, tmp_path):
    # accelerate's FSDP save writes the model as pytorch_model_fsdp.bin and the optimizer as optimizer.bin, where the
    # HF Trainer writes optimizer.pt; each kind of launch reads back only its own.
    step4 = copy_run(saved_run, tmp_path) / "checkpoints" / "step-4"
    assert checkpoint_problem(step4) is None
    assert "written without FSDP" in (checkpoint_problem(step4, fsdp=True) or "")
    (step4 / "optimizer.pt").rename(step4 / "optimizer.bin")
    assert "written under FSDP (optimizer.bin): resume it under FSDP" in (checkpoint_problem(step4) or "")
    assert checkpoint_problem(step4, fsdp=True) == "no pytorch_model_fsdp.bin (FSDP's resume state of the model)"
    (step4 / "pytorch_model_fsdp.bin").write_bytes(b"")
    assert checkpoint_problem(step4, fsdp=True) is None
    (step4 / "optimizer.bin").unlink()
    assert checkpoint_problem(step4, fsdp=True) == "no optimizer.bin (FSDP's resume state of the optimizer)"
    (step4 / "pytorch_model_fsdp.bin").unlink()
    assert checkpoint_problem(step4) == "no optimizer.pt (the resume state)"
    # DeepSpeed's save: global_stepN/ named in `latest` (tests/test_deepspeed.py resumes a real one).
    assert "written without DeepSpeed" in (checkpoint_problem(step4, deepspeed=True) or "")
    (step4 / "global_step4").mkdir()
    assert "written under DeepSpeed (global_step*/): resume it under DeepSpeed" in (checkpoint_problem(step4) or "")
    assert checkpoint_problem(step4, deepspeed=True) == "no DeepSpeed resume state (latest naming a global_step folder)"
    (step4 / "latest").write_text("global_step4")
    assert checkpoint_problem(step4, deepspeed=True) is None


@pytest.mark.parametrize("how", ["zero_stage", "config_file"])
def test_spo_under_deepspeed_zero3_is_refused_in_one_line(tiny_model, tmp_path, how):
    run = make_run(tmp_path / "run", tiny_model, pairs=8, max_steps=1, write_degrees=False)
    env = {"ACCELERATE_USE_DEEPSPEED": "true"}
    if how == "zero_stage":  # what `accelerate launch --config_file zero3.yaml` sets
        env["ACCELERATE_DEEPSPEED_ZERO_STAGE"] = "3"
    else:
        ds = tmp_path / "ds.json"
        ds.write_text(json.dumps({"zero_optimization": {"stage": 3}}))
        env["ACCELERATE_DEEPSPEED_CONFIG_FILE"] = str(ds)
    assert run_inprocess(run, env=env) == 1
    done = events(run)[-1]
    assert done["type"] == "done" and done["reason"] == "failed" and "\n" not in done["message"]
    assert done["message"].startswith("SPO (spo_gamma > 0) under DeepSpeed ZeRO-3 is not supported yet") and "ZeRO-2" in done["message"]
