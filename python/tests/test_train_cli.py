"""`python -m spo_torch.train --run-dir RUN [--resume]`: the run folder, events, checkpoints, stop, resume, NaN."""

import json
import math
import signal
import time
from pathlib import Path

import pytest

from helpers import child_env, events, losses, run_inprocess, spawn, validate_config, validate_events
from spo_torch.fixtures import make_run


@pytest.fixture(scope="module")
def full_run(tiny_model, tmp_path_factory):
    """One uninterrupted 4-step run with an eval split and a checkpoint at step 2."""
    run = make_run(tmp_path_factory.mktemp("full") / "run", tiny_model, pairs=20, eval_every=5, max_steps=4, save_steps=2, eval_steps=2, per_device_train_batch_size=4)
    add_data_degrees(run / "pairs.jsonl")
    assert run_inprocess(run) == 0
    return run


def data_degree_of(index):
    """A data degree as the TS side writes it into pairs.jsonl (src/core/engine/preparedPairs.ts); pair 19 has
    none, as a pairs.jsonl written before the field existed."""
    return None if index == 19 else {"degree": (index % 5 - 2) / 2, "chosenOnly": [f"c{index}"], "rejectedOnly": []}


def add_data_degrees(path):
    rows = [json.loads(l) for l in path.read_text().splitlines()]
    for r in rows:
        if data_degree_of(r["index"]) is not None:
            r["data_degree"] = data_degree_of(r["index"])
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_run_folder_and_events(full_run):
    validate_config(json.loads((full_run / "config.json").read_text()))
    evs = events(full_run)
    validate_events(evs)
    started = evs[0]
    assert started["type"] == "started" and started["engine"] == "torch" and started["device"].startswith("cpu")
    assert started["totalSteps"] == 4 and started["runName"] == "run"
    assert evs[-1] == {**evs[-1], "type": "done", "reason": "completed", "step": 4}
    train = [e["row"] for e in evs if e["type"] == "metrics" and e["split"] == "train"]
    assert [r["step"] for r in train] == [1, 2, 3, 4]
    for name in ("loss", "loss/align", "loss/spo_pref", "loss/spo_dispref", "spo/acc_pref", "spo/coverage", "rewards/chosen", "grad_norm", "learning_rate", "tokens_per_second"):
        assert name in train[0], name
    evals = [e["row"] for e in evs if e["type"] == "metrics" and e["split"] == "eval"]
    assert [r["step"] for r in evals] == [2, 4]
    assert all(k == "step" or k.startswith("eval/") for k in evals[0]) and "eval/loss/spo_pref" in evals[0]
    assert [e["step"] for e in evs if e["type"] == "checkpoint"] == [2, 4]
    assert any(e["type"] == "progress" and e["etaSeconds"] is not None for e in evs)
    log = (full_run / "log.txt").read_text()
    assert "started run run" in log and "step 1 loss=" in log and "done (completed) at step 4" in log


def test_checkpoints_in_hf_layout_with_heads(full_run):
    from safetensors.torch import load_file
    from transformers import AutoModelForCausalLM

    ck = full_run / "checkpoints" / "step-4"
    for f in ("config.json", "model.safetensors", "tokenizer.json", "spo_heads.safetensors", "trainer_state.json", "optimizer.pt"):
        assert (ck / f).is_file(), f
    assert not (full_run / "checkpoints" / "checkpoint-4").exists()
    AutoModelForCausalLM.from_pretrained(str(ck))  # loads as a plain causal LM
    assert set(load_file(str(ck / "spo_heads.safetensors"))) == {"pref.weight", "pref.bias", "dispref.weight", "dispref.bias"}


def test_degrees_for_every_pair(full_run):
    recs = [json.loads(l) for l in (full_run / "degrees.jsonl").read_text().splitlines()]
    assert [r["index"] for r in recs] == list(range(20))
    assert {r["split"] for r in recs} == {"train", "eval"}
    # The data degree is the TS extractor's, copied from each prepared pair (null where a pair has none).
    assert [r["data"] for r in recs] == [data_degree_of(i) for i in range(20)]
    r = recs[0]
    assert r["line"] == 1
    assert math.isclose(r["model"]["probability"], 1 / (1 + math.exp(-r["model"]["margin"])), rel_tol=1e-9)
    assert math.isclose(r["model"]["margin"], r["model"]["chosenReward"] - r["model"]["rejectedReward"], rel_tol=1e-9, abs_tol=1e-12)
    for head in ("pref", "dispref"):
        probs = r["spo"][head]["probs"]
        assert len(probs) == 4 and math.isclose(sum(probs), 1.0, rel_tol=1e-5)
        assert math.isclose(r["spo"][head]["expected"], sum(c * p for c, p in enumerate(probs)), rel_tol=1e-9)


def test_stop_then_resume_gives_the_same_losses(full_run, tiny_model, tmp_path):
    run = make_run(tmp_path / "run", tiny_model, pairs=20, eval_every=5, max_steps=4, save_steps=0, eval_steps=2, per_device_train_batch_size=4)
    assert run_inprocess(run, env={"SPO_TORCH_STOP_AFTER_STEP": "2"}) == 0
    evs = events(run)
    assert evs[-1]["type"] == "done" and evs[-1]["reason"] == "stopped" and evs[-1]["step"] == 2
    assert (run / "checkpoints" / "step-2" / "trainer_state.json").is_file()
    assert run_inprocess(run, "--resume") == 0
    evs = events(run)
    assert evs[-1]["reason"] == "completed"
    resumed, whole = losses(evs), losses(events(full_run))
    assert sorted(resumed) == [1, 2, 3, 4]
    for step in (3, 4):
        assert resumed[step] == pytest.approx(whole[step], rel=1e-6, abs=1e-7), step
        for key in ("loss/spo_pref", "spo/coverage"):
            assert losses(evs, key)[step] == pytest.approx(losses(events(full_run), key)[step], rel=1e-6)


def test_nan_loss_alerts_and_names_the_last_checkpoint(tiny_model, tmp_path):
    run = make_run(tmp_path / "run", tiny_model, pairs=12, max_steps=5, save_steps=1)
    assert run_inprocess(run, env={"SPO_TORCH_NAN_AT_STEP": "3"}) == 1
    evs = events(run)
    validate_events(evs)
    alert = next(e for e in evs if e["type"] == "alert")
    assert alert["code"] == "nan" and alert["step"] == 3 and "step-2" in alert["message"]
    assert evs[-1]["reason"] == "failed" and evs[-1]["step"] == 2
    assert not (run / "checkpoints" / "step-3").exists()


def test_not_a_causal_lm_is_one_clear_line(tmp_path):
    vit = tmp_path / "vit"
    vit.mkdir()
    (vit / "config.json").write_text(json.dumps({"model_type": "vit", "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 1, "intermediate_size": 8}))
    run = make_run(tmp_path / "run", str(vit), pairs=4)
    assert run_inprocess(run) == 1
    done = events(run)[-1]
    assert done["reason"] == "failed" and "not a causal language model" in done["message"] and "\n" not in done["message"]
    run2 = make_run(tmp_path / "run2", str(tmp_path / "missing"), pairs=4)
    assert run_inprocess(run2) == 1 and "does not exist" in events(run2)[-1]["message"]


def test_sigterm_checkpoints_and_exits_0(tiny_model, tmp_path):
    run = make_run(tmp_path / "run", tiny_model, pairs=16, max_steps=100000, per_device_train_batch_size=2)
    child = spawn(run)
    try:
        for line in child.stdout:
            e = json.loads(line)  # stdout carries only JSON events
            if e["type"] == "metrics":
                child.send_signal(signal.SIGTERM)
                break
        rest = child.stdout.read()
        assert child.wait(timeout=120) == 0
    finally:
        if child.poll() is None:
            child.kill()
    last = json.loads(rest.strip().splitlines()[-1])
    assert last["type"] == "done" and last["reason"] == "stopped" and last["step"] >= 1
    assert (run / "checkpoints" / f"step-{last['step']}" / "trainer_state.json").is_file()


def test_peft_adapter_checkpoints_and_merged_export(tiny_model, tmp_path):
    run = make_run(tmp_path / "run", tiny_model, pairs=8, max_steps=2, use_peft=True, merge_adapter=True, lora_r=4, lora_alpha=8)
    assert run_inprocess(run) == 0
    ck = run / "checkpoints" / "step-2"
    assert (ck / "adapter_model.safetensors").is_file() and (ck / "spo_heads.safetensors").is_file()
    assert (run / "merged" / "model.safetensors").is_file() and (run / "merged" / "spo_heads.safetensors").is_file()
    assert events(run)[-1]["reason"] == "completed"


def test_plateau_alert_as_in_the_tfjs_engine(tiny_model, tmp_path):
    # learning_rate 0: the policy never leaves the reference, so the DPO loss sits at ln 2.
    run = make_run(tmp_path / "run", tiny_model, pairs=4, max_steps=31, per_device_train_batch_size=1, max_length=40, learning_rate=0.0, spo_gamma=0.0, write_degrees=False)
    assert run_inprocess(run) == 0
    evs = events(run)
    validate_events(evs)
    alerts = [e for e in evs if e["type"] == "alert"]
    assert [(a["code"], a["step"]) for a in alerts] == [("plateau", 30)]
    assert "ln 2" in alerts[0]["message"] and "[alert plateau] step 30" in (run / "log.txt").read_text()


def test_precomputed_reference_log_probs(tiny_model, tmp_path):
    run = make_run(tmp_path / "run", tiny_model, pairs=8, max_steps=2, precompute_ref_log_probs=True)
    assert run_inprocess(run) == 0
    recs = [json.loads(l) for l in (run / "degrees.jsonl").read_text().splitlines()]
    assert len(recs) == 8 and all(math.isfinite(r["model"]["margin"]) for r in recs)
    assert events(run)[-1]["reason"] == "completed"


def test_divergence_alert_after_the_row_of_its_step(tiny_model, tmp_path):
    # learning_rate 3 without clipping: the loss jumps from ~1 to ~26 at step 2 (the alert needs > 10× the median) and
    # stays finite; from ~30 up the gradients turn NaN at step 2 on this tiny model, so the run stops on 'nan' instead.
    run = make_run(tmp_path / "run", tiny_model, pairs=8, max_steps=3, learning_rate=3.0, max_grad_norm=0.0, per_device_train_batch_size=2, write_degrees=False)
    assert run_inprocess(run) == 0
    evs = events(run)
    validate_events(evs)
    i = next(i for i, e in enumerate(evs) if e["type"] == "alert")
    assert evs[i]["code"] == "divergence" and evs[i]["step"] == 2 and "running median" in evs[i]["message"]
    assert evs[i - 1]["type"] == "metrics" and evs[i - 1]["row"]["step"] == 2


def test_config_refusals_are_one_line(tiny_model, tmp_path):
    run = make_run(tmp_path / "a", tiny_model, pairs=4, loss_type=["orpo"])
    assert run_inprocess(run) == 1 and "TF.js-engine loss" in events(run)[-1]["message"]
    run = make_run(tmp_path / "b", tiny_model, pairs=4, spo_classes=1)
    assert run_inprocess(run) == 1 and events(run)[-1]["message"].startswith("config.json: spo_classes must be")


def test_legacy_tfjs_key_names_are_read():
    from spo_torch.run_config import normalize

    cfg = normalize({"loss": "ipo", "batch_size": 3, "spo.gamma": 0.2, "log_every": 5, "spo_classes": 6, "spo.classes": 9})
    assert (cfg["loss_type"], cfg["per_device_train_batch_size"], cfg["spo_gamma"], cfg["logging_steps"]) == ("ipo", 3, 0.2, 5)
    assert cfg["spo_classes"] == 6  # the contract's name wins


def test_stops_with_a_checkpoint_when_the_parent_goes_away(tiny_model, tmp_path):
    import os
    import subprocess
    import sys

    from helpers import REPO

    run = make_run(tmp_path / "run", tiny_model, pairs=16, max_steps=100000, per_device_train_batch_size=2, write_degrees=False)
    # `sh -c '…; true'` keeps sh as the engine's parent (no exec); killing sh orphans the engine.
    cmd = f"'{sys.executable}' -m spo_torch.train --run-dir '{run}'; true"
    parent = subprocess.Popen(["sh", "-c", cmd], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=child_env(), cwd=str(REPO / "python"))
    for line in parent.stdout:
        if json.loads(line)["type"] == "metrics":
            os.kill(parent.pid, signal.SIGKILL)
            break
    parent.wait(timeout=30)
    rest = parent.stdout.read()  # EOF once the orphaned engine exits
    last = json.loads(rest.strip().splitlines()[-1])
    assert last["type"] == "done" and last["reason"] == "stopped" and "parent process went away" in last["message"]
    assert (run / "checkpoints" / f"step-{last['step']}" / "trainer_state.json").is_file()
