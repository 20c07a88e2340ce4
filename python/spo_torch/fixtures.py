"""Small, reproducible test material: a random-init Llama in HF layout with a word-level tokenizer, and a
run folder (config.json + pairs.jsonl, as `spo train --engine torch` writes them).

    python -m spo_torch.fixtures model DIR [--d-model 32 --layers 2 --seed 0]
    python -m spo_torch.fixtures run RUN --model DIR [--pairs 16 --gamma 0.1 --classes 4 --beta 0.1]
    python -m spo_torch.fixtures parity DIR     (model + run + expected_step1.json: spo_torch/parity.py)

The same folders feed the cross-engine parity check: both engines run step 1 on them and compare
`loss`, `loss/align`, `loss/spo_pref`, `loss/spo_dispref` (docs in python/README.md).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

WORDS = (
    "the a an and or but if then so because please thanks sorry sure here is are was were be can cannot will would "
    "should could help you your i me my we our they them it this that these those what how why when where who "
    "oven bake cake bread flour sugar water salt heat minutes hour recipe cook kitchen plate serve warm cold fresh "
    "dog cat bird fish horse garden tree flower river mountain city road car train ticket money bank job work "
    "doctor medicine pain sleep safe danger law police crime steal hurt kind honest polite answer question ask tell "
    "good bad better worse first second last next step idea plan simple quick slow easy hard right wrong true false"
).split()
SPECIALS = ["<pad>", "<unk>", "<s>", "</s>"]
PUNCT = list(".,!?;:()'\"-")


def make_tokenizer(folder: Path):
    """A word-level tokenizer (whitespace + punctuation split) over WORDS, saved as tokenizer.json."""
    from tokenizers import Tokenizer, models, pre_tokenizers, decoders
    from transformers import PreTrainedTokenizerFast

    vocab = {t: i for i, t in enumerate(SPECIALS + PUNCT + ["Human", "Assistant"] + WORDS)}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.decoder = decoders.WordPiece(prefix="##")  # joins with spaces
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", unk_token="<unk>", bos_token="<s>", eos_token="</s>")
    fast.save_pretrained(str(folder))
    return fast


def make_model(folder: str | Path, d_model: int = 32, layers: int = 2, heads: int = 4, seed: int = 0):
    """A random-init LlamaForCausalLM (float32) + tokenizer, saved in HF layout."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tok = make_tokenizer(folder)
    cfg = LlamaConfig(
        vocab_size=len(tok), hidden_size=d_model, intermediate_size=2 * d_model, num_hidden_layers=layers,
        num_attention_heads=heads, num_key_value_heads=heads, max_position_embeddings=256,
        pad_token_id=tok.pad_token_id, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
        tie_word_embeddings=False,
    )
    torch.manual_seed(seed)
    model = LlamaForCausalLM(cfg)
    model.save_pretrained(str(folder))
    return folder


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)) + rng.choice([".", "!", "?"])


def _keys(text: str, rng: random.Random, max_keys: int) -> list[dict]:
    """Key spans: every word of length ≥ 5 (a stand-in for RAKE), as UTF-16 offsets (ASCII here)."""
    out, pos = [], 0
    for w in text.rstrip(".!?").split(" "):
        if len(w) >= 5 and len(out) < max_keys:
            out.append({"start": pos, "end": pos + len(w), "text": w, "score": float(len(w))})
        pos += len(w) + 1
    return out


def make_pairs(n: int, seed: int = 0, eval_every: int = 0) -> list[dict]:
    rng = random.Random(seed)
    pairs = []
    for i in range(n):
        prompt = "Human: " + _sentence(rng, rng.randint(4, 8)) + " Assistant:"
        chosen = " " + _sentence(rng, rng.randint(8, 14))
        rejected = " " + _sentence(rng, rng.randint(6, 12))
        split = "eval" if eval_every and i % eval_every == eval_every - 1 else "train"
        pairs.append({
            "index": i, "split": split, "source_line": i + 1, "prompt": prompt, "chosen": chosen, "rejected": rejected,
            "prompt_messages": None, "chosen_keys": _keys(chosen.lstrip(), rng, 8), "rejected_keys": _keys(rejected.lstrip(), rng, 8),
        })
    # Offsets are into the response strings as written (with their leading space).
    for p in pairs:
        for side in ("chosen", "rejected"):
            for k in p[f"{side}_keys"]:
                k["start"] += 1
                k["end"] += 1
    return pairs


def _schema_defaults() -> dict:
    """Every key's default from the committed schemas/config.schema.json (generated from the TS training spec),
    so a fixture config is a complete resolved config, as the TS side writes it; {} outside a checkout."""
    path = Path(__file__).resolve().parents[2] / "schemas" / "config.schema.json"
    if not path.exists():
        return {}
    return {k: p.get("default") for k, p in json.loads(path.read_text())["properties"].items()}


def run_config(model: str, **overrides) -> dict:
    """A resolved training config with the contract's keys (docs/engine-contract.md)."""
    cfg = _schema_defaults()
    cfg |= {
        "engine": "torch", "model": str(model), "seed": 42,
        "loss_type": ["sigmoid"], "loss_weights": None, "beta": 0.1, "label_smoothing": 0.0,
        "learning_rate": 1e-3, "per_device_train_batch_size": 4, "gradient_accumulation_steps": 1,
        "max_steps": 4, "max_length": 64, "warmup_steps": 0, "min_lr_ratio": 0.1, "weight_decay": 0.0,
        "adam_beta1": 0.9, "adam_beta2": 0.999, "adam_epsilon": 1e-8, "max_grad_norm": 1.0,
        "logging_steps": 1, "eval_steps": 0, "save_steps": 0,
        "spo_gamma": 0.1, "spo_classes": 4, "spo_pooling": "mean", "extractor": "rake", "max_keys": 8,
        "precompute_ref_log_probs": False, "use_peft": False, "lora_r": 8, "lora_alpha": 16, "lora_dropout": 0.0,
        "bf16": False, "write_degrees": True, "merge_adapter": False,
    }
    cfg.update(overrides)
    return cfg


def make_run(run_dir: str | Path, model: str, pairs: int = 16, eval_every: int = 0, pair_seed: int = 0, **overrides) -> Path:
    run = Path(run_dir)
    run.mkdir(parents=True, exist_ok=True)
    cfg = run_config(model, **overrides)
    cfg["output_dir"] = str(run)
    (run / "config.json").write_text(json.dumps(cfg, indent=2) + "\n")
    with open(run / "pairs.jsonl", "w", encoding="utf-8") as f:
        for p in make_pairs(pairs, seed=pair_seed, eval_every=eval_every):
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
    return run


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m spo_torch.fixtures", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="what", required=True)
    m = sub.add_parser("model", help="a random-init Llama + word-level tokenizer in HF layout")
    m.add_argument("dir")
    m.add_argument("--d-model", type=int, default=32)
    m.add_argument("--layers", type=int, default=2)
    m.add_argument("--heads", type=int, default=4)
    m.add_argument("--seed", type=int, default=0)
    r = sub.add_parser("run", help="a run folder: config.json + pairs.jsonl")
    r.add_argument("dir")
    r.add_argument("--model", required=True)
    r.add_argument("--pairs", type=int, default=16)
    r.add_argument("--gamma", type=float, default=0.1)
    r.add_argument("--classes", type=int, default=4)
    r.add_argument("--beta", type=float, default=0.1)
    r.add_argument("--steps", type=int, default=1)
    q = sub.add_parser("parity", help="the cross-engine step-1 fixture (spo_torch/parity.py)")
    q.add_argument("dir")
    q.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    if a.what == "parity":
        from .parity import make_parity_fixture

        folder = make_parity_fixture(a.dir, a.seed)
        print(json.dumps(json.loads((folder / "expected_step1.json").read_text())["step1"], indent=1))
    elif a.what == "model":
        print(make_model(a.dir, a.d_model, a.layers, a.heads, a.seed))
    else:
        print(make_run(a.dir, a.model, a.pairs, spo_gamma=a.gamma, spo_classes=a.classes, beta=a.beta, max_steps=a.steps))


if __name__ == "__main__":
    main()
