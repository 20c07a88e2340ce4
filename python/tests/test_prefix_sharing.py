"""Variant rows packed into their pair rows (reusing the shared prefixes under a custom attention mask) give the same
SPO step as full variant rows: losses and every parameter's gradient (trl_internals.ride_along, "shared-prefix" against "full-rows")."""

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


def test_eager_attention_and_gradient_checkpointing_share_prefixes_exactly(tiny_model, pairs, tmp_path):
    # Eager attention takes the packed mask as an additive float mask (sdpa: boolean); gradient checkpointing
    # recomputes each layer with the same mask. Both stay the full-row step.
    cfg = dict(spo_gamma=0.5, spo_classes=3, beta=0.1)
    full = one_step(build("spo", tiny_model, pairs, tmp_path / "full", **cfg), False, 6)
    eager = build("spo", tiny_model, pairs, tmp_path / "eager", **cfg)
    eager.model.set_attn_implementation("eager")
    assert eager.model.config._attn_implementation == "eager"
    ckpt = build("spo", tiny_model, pairs, tmp_path / "ckpt", **cfg)
    ckpt.model.gradient_checkpointing_enable()
    for trainer in (eager, ckpt):
        shared = one_step(trainer, True, 6)
        assert shared[-1] == "shared-prefix"
        assert all(v <= TOL for v in gaps(shared, full).values()), gaps(shared, full)


def test_attention_without_a_custom_mask_falls_back_to_full_rows(tiny_model, pairs, tmp_path, monkeypatch, caplog):
    # An attention implementation that cannot take the packed 4D mask (flash attention, ...): full rows, said once.
    cfg = dict(spo_gamma=0.5, spo_classes=3, beta=0.1)
    monkeypatch.setattr(T, "_PREFIX_ATTENTION", ("eager",))
    trainer = build("spo", tiny_model, pairs, tmp_path / "sdpa", **cfg)
    with caplog.at_level("INFO", logger="spo_torch.trainer"):
        first = one_step(trainer, True, 4)
        one_step(trainer, True, 4)
    assert first[-1] == "full-rows" and trainer.spo_variant_path == "full-rows"
    said = [r.getMessage() for r in caplog.records if "not reusing their pair rows" in r.getMessage()]
    assert len(said) == 1 and "attention implementation 'sdpa'" in said[0], said


def test_packed_mask_lets_each_suffix_see_only_its_shared_prefix_and_itself():
    # Row 0 [a b c d] has a variant sharing 2 tokens, suffix [x y]; row 1 [e f pad pad] has none.
    ids = torch.tensor([[1, 2, 3, 4], [5, 6, 0, 0]])
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 0, 0]])
    variants = T.VariantRows(torch.tensor([[1, 2, 7, 8]]), torch.tensor([[1, 1, 1, 1]]), torch.tensor([0]))
    packed = T.pack_suffixes(ids, mask, variants, "sdpa", torch.float32)
    assert packed.ids.tolist() == [[1, 2, 3, 4, 7, 8], [5, 6, 0, 0, 0, 0]]
    assert packed.positions.tolist() == [[0, 1, 2, 3, 2, 3], [0, 1, 2, 3, 0, 0]]
    seen = packed.mask[0, 0].int().tolist()
    assert seen[3] == [1, 1, 1, 1, 0, 0]  # the row's last token: its own causal past, never the suffix
    assert seen[4] == [1, 1, 0, 0, 1, 0]  # x: the shared a b, then itself
    assert seen[5] == [1, 1, 0, 0, 1, 1]  # y: a b x y
    row1 = packed.mask[1, 0].int().tolist()
    assert row1[1] == [1, 1, 0, 0, 0, 0] and row1[4] == [0, 0, 0, 0, 1, 0]  # padding past the row: itself only
    assert packed.gather.tolist() == [[0, 1, 4, 5]]
    eager = T.pack_suffixes(ids, mask, variants, "eager", torch.float32).mask
    assert eager.dtype == torch.float32 and ((eager == 0) == packed.mask).all()


def test_absolute_positions_gpt2_shares_prefixes_exactly(tiny_model, pairs, tmp_path, monkeypatch):
    # GPT-2 looks positions up in a table of n_positions rows: the packed rows are wider than any row, but every
    # position they use stays below max_length (padding columns take 0).
    import test_trainer
    from transformers import AutoTokenizer, GPT2Config, GPT2LMHeadModel

    monkeypatch.setitem(test_trainer.CPU, "max_length", 24)  # = n_positions: the longest row uses every position
    tok = AutoTokenizer.from_pretrained(tiny_model)
    folder = tmp_path / "gpt2"
    cfg = GPT2Config(vocab_size=len(tok), n_positions=24, n_embd=32, n_layer=2, n_head=4, bos_token_id=tok.bos_token_id,
                     eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id)
    torch.manual_seed(0)
    GPT2LMHeadModel(cfg).save_pretrained(str(folder))
    tok.save_pretrained(str(folder))
    spo = dict(spo_gamma=0.5, spo_classes=3, beta=0.1)
    full = one_step(build("spo", str(folder), pairs, tmp_path / "full", **spo), False, 8)
    shared = one_step(build("spo", str(folder), pairs, tmp_path / "shared", **spo), True, 8)
    assert shared[-1] == "shared-prefix"
    assert shared[0]["input_ids"].size(1) == 24  # so the packed rows are wider than the position table
    assert all(v <= TOL for v in gaps(shared, full).values()), gaps(shared, full)
