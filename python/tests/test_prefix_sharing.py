"""Variant rows that reuse their pair rows' prefix keys/values give the same SPO step as full variant rows:
losses and every parameter's gradient (trl_internals.ride_along, "shared-prefix" against "full-rows")."""

import pytest
import torch
from test_trainer import build

from spo_torch import trl_internals as T

TOL = 1e-5


def one_step(trainer, share, n):
    trainer.variant_rows = "shared-prefix" if share else "full-rows"
    batch = trainer.data_collator([trainer.train_dataset[i] for i in range(n)])
    trainer.model.train()
    trainer.model.zero_grad(set_to_none=True)
    loss = trainer.compute_loss(trainer.model, batch)
    loss.backward()
    metrics = {k: v[-1] for k, v in trainer._metrics["train"].items() if v}
    grads = {name: p.grad.detach().clone() for name, p in trainer.model.named_parameters() if p.grad is not None}
    return batch, loss.item(), metrics, grads, trainer.spo_variant_path


def gaps(shared, full):
    _, loss_s, m_s, g_s, _ = shared
    _, loss_f, m_f, g_f, _ = full
    assert set(g_s) == set(g_f) and any("spo_heads" in k for k in g_f) and len(g_f) > 10
    out = {k: abs(m_s[k] - m_f[k]) / abs(m_f[k]) for k in ("loss/spo_pref", "loss/spo_dispref")}
    out["loss"] = abs(loss_s - loss_f) / abs(loss_f)
    # Per tensor, relative to its largest entry (entries near zero make elementwise ratios meaningless).
    out["grad"] = max(((g_s[k] - g_f[k]).abs().max() / g_f[k].abs().max().clamp(min=1e-30)).item() for k in g_f)
    return out


@pytest.mark.parametrize("pooling", ["mean", "last"])
def test_shared_prefix_step_equals_full_rows(tiny_model, pairs, tmp_path, pooling, capsys):
    cfg = dict(spo_gamma=0.5, spo_classes=3, spo_pooling=pooling, beta=0.1)
    n = 8
    full = one_step(build("spo", tiny_model, pairs, tmp_path / "full", **cfg), False, n)
    trainer = build("spo", tiny_model, pairs, tmp_path / "shared", **cfg)
    shared = one_step(trainer, True, n)
    assert (shared[-1], full[-1]) == ("shared-prefix", "full-rows")

    # The batch exercises what the shared path must get right: prompts of different lengths, and variants
    # sharing response tokens past the prompt (pooled from the pair row) as well as ones sharing the prompt only.
    batch = shared[0]
    prompt_len = batch["completion_mask"].argmax(1)
    assert len(set(prompt_len.tolist())) > 1
    rows, extra = trainer._variant_rows(batch["spo_examples"], trainer.state.global_step + 1)
    variants, _ = trainer._encode_variants(extra, batch["input_ids"].device)
    s = T.shared_prefix_lengths(batch["input_ids"], batch["attention_mask"], variants)
    beyond = s - prompt_len[variants.pair_rows]
    assert (beyond > 0).any() and (beyond == 0).any() and (beyond >= 0).all()

    g = gaps(shared, full)
    with capsys.disabled():
        print(f"\nprefix sharing ({pooling}): {len(extra)} variant rows, max relative gaps", {k: f"{v:.1e}" for k, v in g.items()})
    assert all(v <= TOL for v in g.values()), g


def test_gradient_checkpointing_falls_back_to_full_rows(tiny_model, pairs, tmp_path):
    cfg = dict(spo_gamma=0.5, spo_classes=3, beta=0.1)
    plain = one_step(build("spo", tiny_model, pairs, tmp_path / "plain", **cfg), True, 4)
    ckpt = build("spo", tiny_model, pairs, tmp_path / "ckpt", **cfg)
    ckpt.model.gradient_checkpointing_enable()
    checkpointed = one_step(ckpt, True, 4)
    assert (plain[-1], checkpointed[-1]) == ("shared-prefix", "full-rows")
    assert all(v <= TOL for v in gaps(plain, checkpointed).values())


def test_an_unexpected_cache_computes_variants_as_separate_rows(tiny_model, pairs, tmp_path, monkeypatch):
    # A backbone whose cache is not one plain DynamicLayer per layer (a future transformers, a custom model):
    # the hook cannot reuse keys/values, so it runs the full variant rows in a forward of their own. Still exact.
    cfg = dict(spo_gamma=0.5, spo_classes=3, beta=0.1)
    full = one_step(build("spo", tiny_model, pairs, tmp_path / "full", **cfg), False, 4)
    monkeypatch.setattr(T, "_layer_kv", lambda *args: None)
    separate = one_step(build("spo", tiny_model, pairs, tmp_path / "separate", **cfg), True, 4)
    assert (separate[-1], full[-1]) == ("separate-rows", "full-rows")
    assert all(v <= TOL for v in gaps(separate, full).values()), gaps(separate, full)
