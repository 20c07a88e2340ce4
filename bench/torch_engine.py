"""Torch-engine step cost, measured in one run on the same model and batch:

  1. the engine's DPO step (SPOTrainer, γ = 0) against stock TRL DPOTrainer: overhead %  (target ≤ 5%)
  2. its DPO+SPO step (γ = 0.1) against its DPO step: ratio                           (target ≤ 1.4×)
  3. tokens/s of each
  4. the DPO+SPO step with the variant rows forced to full rows (the fallback), against the engine's default
     (shared-prefix), measured in the same run

A step = forward + backward + optimizer update (`training_step` then AdamW), timed round-robin in an order
shuffled each round, so machine noise and cache effects hit all trainers alike; the median over rounds is
reported. Prints torch version, BLAS and threads.

    ~/.cache/spo-studio/torch-env/bin/python bench/torch_engine.py [--d-model 128 --layers 4 --batch 8 --rounds 7 --steps 5]

By default the model is a small random Llama with a word-level vocabulary (~140 tokens): the backbone is then nearly
the whole step, the worst case for SPO's extra rows. `--model DIR` benches a real HF folder instead (e.g. the fetched
SmolLM2-135M-Instruct, vocabulary 49152), and `--pairs FILE` a run folder's prepared pairs.jsonl (e.g. HH pairs as
`spo train --engine torch` writes them) instead of the synthetic pairs.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def blas_info() -> str:
    import torch

    import re

    cfg = torch.__config__.show()
    parts = [f"{k}={v}" for k, v in re.findall(r"\b(BLAS_INFO|LAPACK_INFO|USE_MKL|USE_MKLDNN|USE_OPENMP)=([^,\s]+)", cfg)]
    parts += [line.strip() for line in cfg.splitlines() if "Intel(R) oneAPI Math Kernel Library" in line or line.strip().startswith("- OpenMP")]
    try:
        from threadpoolctl import threadpool_info

        parts += [f"{p['internal_api']} {p.get('version')} ({p['num_threads']} threads)" for p in threadpool_info()]
    except ImportError:
        parts.append("threadpoolctl not installed")
    return "; ".join(parts) or "unknown"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--d-model", type=int, default=128)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--steps", type=int, default=6, help="turns per round (each trainer takes one step a turn)")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0 = torch's default)")
    ap.add_argument("--model", default=None, help="an HF model folder (default: a random small Llama made here)")
    ap.add_argument("--pairs", default=None, help="a prepared pairs.jsonl (default: synthetic pairs)")
    ap.add_argument("--max-length", type=int, default=128)
    ap.add_argument("--rebuild", action=argparse.BooleanOptionalAction, default=True,
                    help="fresh trainers each round (default; --no-rebuild for a big model, where a warm-up step is costly)")
    a = ap.parse_args()

    import torch
    import transformers
    import trl
    from torch.optim import AdamW
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import DPOConfig, DPOTrainer

    from spo_torch import SPOConfig, SPOTrainer
    from spo_torch.data import to_datasets
    from spo_torch.fixtures import make_model, make_pairs

    if a.threads:
        torch.set_num_threads(a.threads)
    print(f"torch {torch.__version__}, transformers {transformers.__version__}, trl {trl.__version__}")
    print(f"threads: torch {torch.get_num_threads()} (interop {torch.get_num_interop_threads()}), cpus {os.cpu_count()}")
    print(f"BLAS: {blas_info()}")
    tmp = Path(tempfile.mkdtemp(prefix="spo-bench-"))
    model_dir = Path(a.model) if a.model else make_model(tmp / "model", d_model=a.d_model, layers=a.layers, heads=4, seed=0)
    tok = AutoTokenizer.from_pretrained(str(model_dir))
    if a.pairs:
        import json

        # All of them: TRL drops pairs whose prompt fills max_length; the batch is the first --batch that remain.
        pairs = [json.loads(line) for line in Path(a.pairs).read_text().splitlines() if line.strip()]
        for p in pairs:
            p["split"] = "train"
    else:
        pairs = make_pairs(a.batch, seed=1)
    train, _ = to_datasets(pairs, tok)
    common = dict(bf16=False, gradient_checkpointing=False, use_cpu=True, report_to=[], save_strategy="no", disable_tqdm=True,
                  per_device_train_batch_size=a.batch, max_length=a.max_length, learning_rate=1e-4, seed=0)

    def trainer(kind):
        model = AutoModelForCausalLM.from_pretrained(str(model_dir))
        if kind == "trl":
            t = DPOTrainer(model=model, args=DPOConfig(output_dir=str(tmp / kind), **common), train_dataset=train, processing_class=tok)
        else:
            t = SPOTrainer(model=model, args=SPOConfig(output_dir=str(tmp / kind), spo_gamma=0.0 if kind == "engine-dpo" else 0.1, **common),
                           train_dataset=train, processing_class=tok)
            if kind in VARIANT_PATHS:
                t.variant_rows = VARIANT_PATHS[kind]
        if len(t.train_dataset) < a.batch:
            raise SystemExit(f"only {len(t.train_dataset)} pairs fit max_length {a.max_length}; --batch is {a.batch}")
        batch = t.data_collator([t.train_dataset[i] for i in range(a.batch)])
        t.current_gradient_accumulation_steps = 1  # set by Trainer.train(); training_step reads it
        opt = AdamW([p for p in t.model.parameters() if p.requires_grad], lr=1e-4)
        tokens = int(batch["attention_mask"].sum())
        return t, batch, opt, tokens

    # What the engine does by default, then each way of computing the variant rows forced.
    VARIANT_PATHS = {"spo-full": "full-rows"}
    kinds = ("trl", "engine-dpo", "engine-spo", *VARIANT_PATHS)

    def build_all():
        built = {k: trainer(k) for k in kinds}
        for k in kinds:
            steps(built[k], 1)  # warm-up: AdamW's state, the allocator's pools
        return built

    times = {k: [] for k in kinds}
    cpu = {k: [] for k in kinds}

    def steps(run, n):
        t, batch, opt, _ = run
        start, cpu_start = time.perf_counter(), time.process_time()
        for _ in range(n):
            t.training_step(t.model, dict(batch))
            opt.step()
            opt.zero_grad(set_to_none=True)
        return (time.perf_counter() - start) / n, (time.process_time() - cpu_start) / n

    # This machine's speed drifts by ±10–20% from one second to the next (a shared VM), and two trainers running
    # the same code differ by up to ~10% depending on where their tensors landed in memory. So the trainers take
    # single steps in turn, in an order shuffled each time, ratios are taken between steps of the same turn, and
    # (--rebuild, the default) every round builds fresh trainers.
    runs = build_all()
    order = list(kinds)
    shuffle = random.Random(0).shuffle
    for r in range(a.rounds):
        if a.rebuild and r > 0:
            del runs
            gc.collect()
            runs = build_all()
        for _ in range(a.steps):
            shuffle(order)
            for k in order:
                wall, used = steps(runs[k], 1)
                times[k].append(wall)
                cpu[k].append(used)
    med = {k: statistics.median(v) for k, v in times.items()}
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}

    def ratio(a_kind, b_kind, clock):
        """The median over turns of a's step time over b's in the same turn."""
        return statistics.median(x / y for x, y in zip(clock[a_kind], clock[b_kind]))

    mc = runs["trl"][0].model.config
    what = f"{model_dir}" if a.model else "random Llama"
    print(f"model: {what}, d_model {mc.hidden_size}, {mc.num_hidden_layers} layers, vocab {len(tok)}; batch {a.batch} pairs "
          f"({'prepared ' + a.pairs if a.pairs else 'synthetic'}), max_length {a.max_length} ({runs['trl'][3]} tokens per policy forward)")
    fresh = ", fresh trainers each round" if a.rebuild else ""
    for k, v in med.items():
        tokens = runs[k][3]
        print(f"  {k:11s} step {v * 1000:8.2f} ms wall, {med_cpu[k] * 1000:8.2f} ms CPU (median of {a.rounds}×{a.steps} turns{fresh})  {tokens / v:9.0f} tokens/s")
    # CPU time (all of this process's threads) as well as wall time: on a shared machine wall time mostly
    # measures the other processes, as `spo bench train` notes for the TF.js side.
    print(f"engine DPO step vs stock TRL DPOTrainer: {100 * (ratio('engine-dpo', 'trl', times) - 1):+.1f}% wall, "
          f"{100 * (ratio('engine-dpo', 'trl', cpu) - 1):+.1f}% CPU (target ≤ +5%)")
    print(f"engine DPO+SPO step vs engine DPO step: {ratio('engine-spo', 'engine-dpo', times):.2f}× wall, "
          f"{ratio('engine-spo', 'engine-dpo', cpu):.2f}× CPU (target ≤ 1.4×; variant rows: "
          f"{runs['engine-spo'][0].spo_variant_path}, the engine's choice)")
    for k, path in VARIANT_PATHS.items():
        print(f"  variant rows forced to {path:13s}: {ratio(k, 'engine-dpo', times):.2f}× wall, {ratio(k, 'engine-dpo', cpu):.2f}× CPU")
    print("  (ratios: the median over turns of the two trainers' steps in the same turn)")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
