"""~1B-parameter random-init Llama, bf16 mixed precision, a few hundred steps of DPO or DPO+SPO through the
torch engine (SPOTrainer), recording tokens/s, peak GPU memory and MFU. Run by bench/gpu/run_1b.sh.

    python bench/gpu/train_1b.py --mode dpo|spo [--steps 300 --batch 8 --prompt-len 128 --response-len 256]
    python bench/gpu/train_1b.py --mode spo --tiny --steps 3     # CPU smoke test of the same path

MFU counts the model FLOPs of the DPO work (policy forward + backward: 6·N + attention per token; the
reference forward: a third of that) against --peak-tflops (H200 dense bf16 spec 989; ~790 measured here).
Both modes use the same numerator, so the SPO run's MFU shows what its extra variant rows cost in throughput.
Prints one JSON line with the figures (and writes it to --out when given).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def synthetic_tokenizer(folder: Path, vocab: int):
    """A word-level tokenizer over tokens t0..t{vocab−5}: any id sequence is a text of those words."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    words = ["<pad>", "<unk>", "<s>", "</s>"] + [f"t{i}" for i in range(vocab - 4)]
    tok = Tokenizer(models.WordLevel(vocab={w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", unk_token="<unk>", bos_token="<s>", eos_token="</s>")
    fast.save_pretrained(str(folder))
    return fast


def synthetic_pairs(n: int, vocab: int, prompt_len: int, response_len: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)

    def text(k):
        return " ".join(f"t{rng.randrange(vocab - 4)}" for _ in range(k))

    pairs = []
    for i in range(n):
        chosen, rejected = " " + text(response_len), " " + text(response_len)
        keys = {}
        for side, resp in (("chosen", chosen), ("rejected", rejected)):
            spans, pos = [], 1
            for j, w in enumerate(resp[1:].split(" ")):
                if j % 4 == 1 and len(spans) < 8:  # 8 key spans a response: every class is reachable with K = 4
                    spans.append({"start": pos, "end": pos + len(w)})
                pos += len(w) + 1
            keys[side] = spans
        pairs.append({"index": i, "split": "train", "prompt": text(prompt_len), "chosen": chosen, "rejected": rejected,
                      "prompt_messages": None, "chosen_keys": keys["chosen"], "rejected_keys": keys["rejected"]})
    return pairs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=["dpo", "spo"], required=True)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--batch", type=int, default=8, help="pairs per step")
    ap.add_argument("--prompt-len", type=int, default=128)
    ap.add_argument("--response-len", type=int, default=256)
    ap.add_argument("--peak-tflops", type=float, default=989.0)
    ap.add_argument("--tiny", action="store_true", help="a 2-layer d 64 model on CPU: smoke test")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()

    import torch
    from transformers import LlamaConfig, LlamaForCausalLM, TrainerCallback

    from spo_torch import SPOConfig, SPOTrainer
    from spo_torch.data import to_datasets

    cuda = torch.cuda.is_available() and not a.tiny
    vocab = 512 if a.tiny else 32000
    shape = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=4) if a.tiny else \
        dict(hidden_size=2048, intermediate_size=5632, num_hidden_layers=16, num_attention_heads=16, num_key_value_heads=16)
    tmp = Path(tempfile.mkdtemp(prefix="spo-1b-"))
    tok = synthetic_tokenizer(tmp / "model", vocab)
    cfg = LlamaConfig(vocab_size=vocab, max_position_embeddings=2048, tie_word_embeddings=False, pad_token_id=0, bos_token_id=2, eos_token_id=3, **shape)
    torch.manual_seed(0)
    model = LlamaForCausalLM(cfg)
    model.save_pretrained(str(tmp / "model"))
    model = LlamaForCausalLM.from_pretrained(str(tmp / "model"))  # a model with a path: TRL loads the reference from it
    n_params = sum(p.numel() for p in model.parameters())
    if a.tiny:
        a.prompt_len, a.response_len = 16, 32
    pairs = synthetic_pairs(max(a.batch * a.steps, a.batch), vocab, a.prompt_len, a.response_len)
    train, _ = to_datasets(pairs, tok)
    args = SPOConfig(
        output_dir=str(tmp / "out"), max_steps=a.steps, per_device_train_batch_size=a.batch, learning_rate=1e-5,
        bf16=cuda, gradient_checkpointing=False, use_cpu=not cuda, report_to=[], save_strategy="no", logging_steps=min(10, a.steps),
        max_length=a.prompt_len + a.response_len + 8, spo_gamma=0.1 if a.mode == "spo" else 0.0, spo_classes=4, disable_tqdm=True,
    )
    trainer = SPOTrainer(model=model, args=args, train_dataset=train, processing_class=tok)
    from transformers import PrinterCallback

    trainer.remove_callback(PrinterCallback)

    class Clock(TrainerCallback):
        """Times steps after a warm-up of 10% (at least 1), counting the policy batch's tokens."""

        def __init__(self):
            self.warm = max(1, a.steps // 10)
            self.t0 = None
            self.tokens0 = 0
            self.tokens = 0

        def on_step_end(self, args_, state, control, **kw):
            self.tokens = trainer._total_train_tokens
            if state.global_step == self.warm:
                if cuda:
                    torch.cuda.synchronize()
                self.t0, self.tokens0 = time.perf_counter(), self.tokens

    clock = Clock()
    trainer.add_callback(clock)
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    trainer.train()
    if cuda:
        torch.cuda.synchronize()
    seconds = time.perf_counter() - (clock.t0 or time.perf_counter())
    timed_steps = a.steps - clock.warm
    tokens = clock.tokens - clock.tokens0
    tps = tokens / seconds if seconds > 0 else float("nan")
    L, d = cfg.num_hidden_layers, cfg.hidden_size
    seq = a.prompt_len + a.response_len
    train_flops_per_token = 6 * n_params + 12 * L * d * seq
    flops_per_token = train_flops_per_token * (1 + 1 / 3)  # + the reference forward
    logs = [h for h in trainer.state.log_history if "loss" in h]
    result = {
        "mode": a.mode, "device": torch.cuda.get_device_name(0) if cuda else "cpu", "params": n_params, "steps": a.steps,
        "timed_steps": timed_steps, "pairs_per_step": a.batch, "seq_len": seq, "tokens_per_second": tps,
        "step_seconds": seconds / max(1, timed_steps), "peak_memory_gib": torch.cuda.max_memory_allocated() / 2**30 if cuda else None,
        "mfu": tps * flops_per_token / (a.peak_tflops * 1e12) if cuda else None, "peak_tflops": a.peak_tflops,
        "spo_coverage": logs[-1].get("spo/coverage") if logs else None,
        "first_loss": logs[0]["loss"] if logs else None, "last_loss": logs[-1]["loss"] if logs else None,
        "torch": torch.__version__,
    }
    line = json.dumps(result)
    print(line, flush=True)
    if a.out:
        Path(a.out).write_text(line + "\n")


if __name__ == "__main__":
    main()
