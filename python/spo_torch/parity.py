"""Cross-engine parity at step 1 (before any update): a fixture both engines run, and a from-scratch
reference of the four step-1 numbers (`loss`, `loss/align`, `loss/spo_pref`, `loss/spo_dispref`).

    python -m spo_torch.fixtures parity DIR

writes DIR/model (random-init Llama in HF layout, word-level tokenizer, and `spo_heads.safetensors` that
both engines start their heads from), DIR/run (config.json: γ 0.1, K 4, β 0.1, one step, the batch = all
4 train pairs, so the sampler's order does not matter), and DIR/expected_step1.json: the reference
numbers, the per-sequence token ids and summed response log-probs (what `spo score` reports), and each
variant drawn at step 1. The TF.js side runs DIR/run with the same pairs and compares within 1e-4 relative.

The reference uses plain transformers forwards, not TRL or SPOTrainer, so it checks the engine too.
Tokenization follows TRL's DPOTrainer: tokenize(prompt) and tokenize(prompt + response + EOS), the
response being where they diverge.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

PAIRS = 4


def make_parity_fixture(folder: str | Path, seed: int = 0) -> Path:
    import torch
    from safetensors.torch import save_file

    from .fixtures import make_model, make_run

    folder = Path(folder)
    model_dir = make_model(folder / "model", d_model=32, layers=2, heads=4, seed=seed)
    g = torch.Generator().manual_seed(seed + 1)
    # Heads large enough that the step-1 cross-entropies are not ln K: the comparison then checks pooling.
    save_file({
        "pref.weight": torch.randn(32, 4, generator=g) * 0.5, "pref.bias": torch.randn(4, generator=g) * 0.1,
        "dispref.weight": torch.randn(32, 4, generator=g) * 0.5, "dispref.bias": torch.randn(4, generator=g) * 0.1,
    }, str(model_dir / "spo_heads.safetensors"), metadata={"format": "pt"})
    run = make_run(folder / "run", str(model_dir), pairs=PAIRS, pair_seed=11, max_steps=1, per_device_train_batch_size=PAIRS,
                   spo_gamma=0.1, spo_classes=4, beta=0.1, learning_rate=1e-3, write_degrees=False, max_length=128)
    expected = reference_step1(model_dir, run)
    (folder / "expected_step1.json").write_text(json.dumps(expected, indent=1) + "\n")
    return folder


def _split(tok, prompt: str, response: str):
    p = tok(prompt)["input_ids"]
    full = tok(prompt + response + tok.eos_token)["input_ids"]
    n = 0
    while n < min(len(p), len(full)) and p[n] == full[n]:
        n += 1
    return full[:n], full[n:]


def reference_step1(model_dir: str | Path, run_dir: str | Path) -> dict:
    """The step-1 numbers of a run, computed from scratch (policy = reference at step 1)."""
    import torch
    import torch.nn.functional as F
    from safetensors.torch import load_file
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from . import augment as A
    from .data import read_pairs

    run_dir = Path(run_dir)
    cfg = json.loads((run_dir / "config.json").read_text())
    pairs = [p for p in read_pairs(run_dir / "pairs.jsonl") if p.get("split", "train") == "train"]
    tok = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch.float32).eval()
    heads = load_file(str(Path(model_dir) / "spo_heads.safetensors"))
    K, beta, gamma, seed = cfg["spo_classes"], cfg["beta"], cfg["spo_gamma"], cfg["seed"]

    @torch.no_grad()
    def forward(prompt_ids, resp_ids):
        ids = torch.tensor([prompt_ids + resp_ids])
        out = model(ids, output_hidden_states=True)
        logp = torch.log_softmax(out.logits[0, :-1].float(), -1).gather(-1, ids[0, 1:, None])[:, 0]
        start = len(prompt_ids)
        lp_sum = logp[start - 1 :].sum().item()  # token t is predicted at position t−1
        hidden = out.hidden_states[-1][0, start:].float()
        pooled = hidden.mean(0) if cfg.get("spo_pooling", "mean") == "mean" else hidden[-1]
        return lp_sum, pooled

    sequences, ce = [], {"pref": [], "dispref": []}
    correct = {"pref": 0, "dispref": 0}
    logps = {"chosen": [], "rejected": []}
    for p in pairs:
        for side, head, stream in (("chosen", "pref", A.STREAM_CHOSEN), ("rejected", "dispref", A.STREAM_REJECTED)):
            pid, rid = _split(tok, p["prompt"], p[side])
            lp, pooled = forward(pid, rid)
            logps[side].append(lp)
            spans = A.spans_from_utf16(p[side], p[f"{side}_keys"])
            v = A.augment(p[side], spans, K, seed, 1, int(p["index"]), stream)
            entry = {"index": p["index"], "side": side, "prompt_ids": pid, "response_ids": rid, "logp_sum": lp,
                     "variant": {"kept": v.kept, "label": v.label, "removed": v.removed, "text": v.text}}
            if v.kept:
                if v.removed:
                    vp, vr = _split(tok, p["prompt"], v.text)
                    _, pooled = forward(vp, vr)
                    entry["variant"]["response_ids"] = vr
                logits = pooled @ heads[f"{head}.weight"] + heads[f"{head}.bias"]
                ce[head].append(F.cross_entropy(logits[None], torch.tensor([v.label])).item())
                correct[head] += int(logits.argmax().item() == v.label)
            sequences.append(entry)
    # Policy = reference at step 1: every log-ratio is 0, so the sigmoid loss is ln 2 for any β.
    align = -F.logsigmoid(torch.tensor(0.0)).item() if cfg["loss_type"] in (["sigmoid"], "sigmoid") else None
    if align is None:
        raise ValueError("the parity reference covers loss_type sigmoid")
    spo = {h: (sum(v) / len(v) if v else 0.0) for h, v in ce.items()}
    return {
        "note": "step-1 numbers before any update; see spo_torch/parity.py",
        "config": {k: cfg[k] for k in ("seed", "beta", "spo_gamma", "spo_classes", "spo_pooling", "loss_type")},
        "step1": {
            "loss": align + gamma * (spo["pref"] + spo["dispref"]),
            "loss/align": align,
            "loss/spo_pref": spo["pref"],
            "loss/spo_dispref": spo["dispref"],
            "logps/chosen": sum(logps["chosen"]) / len(pairs),
            "logps/rejected": sum(logps["rejected"]) / len(pairs),
        },
        "sequences": sequences,
    }


def relative_gap(a: float, b: float) -> float:
    return abs(a - b) / max(abs(a), abs(b), 1e-12)


def compare(expected: dict, row: dict, tol: float = 1e-4) -> dict[str, float]:
    """Relative gaps of the four compared numbers; raises AssertionError naming any above `tol`."""
    gaps = {k: relative_gap(expected["step1"][k], row[k]) for k in ("loss", "loss/align", "loss/spo_pref", "loss/spo_dispref")}
    bad = {k: g for k, g in gaps.items() if not (g <= tol) or math.isnan(g)}
    assert not bad, f"step-1 numbers differ by more than {tol} relative: {bad}"
    return gaps
