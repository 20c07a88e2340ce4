"""SPOTrainer on top of TRL's DPOTrainer: γ = 0 is exactly TRL's loss; γ > 0 adds γ·(CE_pref + CE_dispref)."""

import math

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer
from trl import DPOConfig, DPOTrainer

from spo_torch import SPOConfig, SPOTrainer
from spo_torch.data import to_datasets

CPU = dict(bf16=False, gradient_checkpointing=False, use_cpu=True, report_to=[], seed=7, max_length=64,
           per_device_train_batch_size=4, logging_steps=1, save_strategy="no", disable_tqdm=True, dataloader_num_workers=0)


def build(kind, tiny_model, pairs, tmp_path, **cfg):
    tok = AutoTokenizer.from_pretrained(tiny_model)
    model = AutoModelForCausalLM.from_pretrained(tiny_model)
    train, _ = to_datasets(pairs, tok)
    Config, Trainer = (DPOConfig, DPOTrainer) if kind == "dpo" else (SPOConfig, SPOTrainer)
    args = Config(output_dir=str(tmp_path / kind), **CPU, **cfg)
    return Trainer(model=model, args=args, train_dataset=train, processing_class=tok)


def first_batch_loss(trainer, n=4):
    batch = trainer.data_collator([trainer.train_dataset[i] for i in range(n)])
    trainer.model.train()
    with torch.no_grad():
        loss = trainer.compute_loss(trainer.model, batch)
    metrics = {k: v[-1] for k, v in trainer._metrics["train"].items() if v}
    return loss.item(), metrics


@pytest.mark.parametrize(
    "loss_type,loss_weights",
    [(["sigmoid"], None), (["ipo"], None), (["hinge", "sft"], [1.0, 0.5]), (["sigmoid_norm", "bco_pair", "apo_zero"], [0.3, 1.0, 2.0])],
)
def test_gamma_zero_is_exactly_trl(tiny_model, pairs, tmp_path, loss_type, loss_weights):
    cfg = dict(loss_type=loss_type, loss_weights=loss_weights, beta=0.1)
    dpo, _ = first_batch_loss(build("dpo", tiny_model, pairs, tmp_path, **cfg))
    spo, metrics = first_batch_loss(build("spo", tiny_model, pairs, tmp_path, spo_gamma=0.0, **cfg))
    assert spo == dpo
    assert "loss/spo_pref" not in metrics


def test_gamma_adds_gamma_times_the_two_cross_entropies(tiny_model, pairs, tmp_path):
    cfg = dict(loss_type=["sigmoid", "sft"], loss_weights=[1.0, 0.2], beta=0.1)
    base, _ = first_batch_loss(build("spo", tiny_model, pairs, tmp_path, spo_gamma=0.0, **cfg))
    loss, m = first_batch_loss(build("spo", tiny_model, pairs, tmp_path, spo_gamma=0.25, spo_classes=3, **cfg))
    assert m["loss/align"] == pytest.approx(base, rel=1e-6)
    assert m["spo/coverage"] > 0.5
    # Heads start near zero, so each CE is near ln K.
    assert m["loss/spo_pref"] == pytest.approx(math.log(3), abs=0.05)
    assert loss == pytest.approx(base + 0.25 * (m["loss/spo_pref"] + m["loss/spo_dispref"]), rel=1e-5)
    assert 0.0 <= m["spo/acc_pref"] <= 1.0 and 0.0 <= m["spo/acc_dispref"] <= 1.0


def test_last_token_pooling_and_masking(tiny_model, pairs, tmp_path):
    # K = 8 needs 7 key spans: most fixture responses have fewer, so coverage drops below 1.
    _, m = first_batch_loss(build("spo", tiny_model, pairs, tmp_path, spo_gamma=0.1, spo_classes=8, spo_pooling="last"))
    assert m["spo/coverage"] < 1.0
    assert math.isfinite(m["loss/spo_pref"])


def test_heads_are_trained_and_saved_beside_the_checkpoint(tiny_model, pairs, tmp_path):
    from safetensors.torch import load_file

    t = build("spo", tiny_model, pairs, tmp_path, spo_gamma=0.5, max_steps=2, learning_rate=1e-2)
    before = t.spo_heads.pref_weight.detach().clone()
    t.train()
    assert not torch.equal(before, t.spo_heads.pref_weight.detach())
    out = tmp_path / "saved"
    t.save_model(str(out))
    heads = load_file(str(out / "spo_heads.safetensors"))
    assert heads["pref.weight"].shape == (32, 4) and heads["dispref.bias"].shape == (4,)
    weights = load_file(str(out / "model.safetensors"))
    assert not any("spo_heads" in k for k in weights)  # not part of the exported language model
    logged = [h for h in t.state.log_history if "loss" in h]
    assert {"loss/align", "loss/spo_pref", "loss/spo_dispref", "spo/acc_pref", "spo/coverage", "rewards/chosen"} <= set(logged[0])
