"""Per-example preference degrees after a run (spo-method.md §6), in the record shape the TS views read
(src/core/protocol/degrees.ts `DegreeRecord`): the model degree (implicit reward margin, σ of it, the rewards)
and the SPO degree (each head's class distribution on the intact response and its expected class).
The data degree is the key-content extractor's: the TS side puts it into each prepared pair (`data_degree`)
and it is copied here as is (null for a pairs.jsonl written before it carried one).
Computed on every rank for its share of the pairs and gathered to rank 0.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import torch

from . import trl_internals as T
from .heads import pool_hidden


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


def _head(probs: list[float]) -> dict:
    return {"probs": probs, "expected": sum(c * p for c, p in enumerate(probs))}


@torch.no_grad()
def compute_degrees(trainer, datasets: list[tuple[str, object]], lines: dict[int, int], batch_size: int,
                    data_degrees: dict[int, dict | None] | None = None) -> list[dict]:
    """Degree records for this rank's share of `datasets` [(split, tokenized dataset)], gathered on rank 0.
    `data_degrees` maps a pair index to its prepared pair's `data_degree`."""
    acc = trainer.accelerator
    model = acc.unwrap_model(trainer.model)
    fsdp = T.sharded_by_fsdp(trainer.model)
    # Under FSDP the forwards go through the wrapped model (FSDP1's root gathers its parameters only in its own
    # forward), and every rank runs as many batches, since each forward is a collective.
    forward_model = trainer.model if fsdp else model
    was_training = model.training
    model.eval()
    heads = getattr(trainer._base_module(), "spo_heads", None) if trainer.spo_heads is not None else None
    backbone = T.backbone_of(model)
    beta = trainer.beta
    device = acc.device
    records = []
    for split, ds in datasets:
        if ds is None:
            continue
        rows = list(range(acc.process_index, len(ds), acc.num_processes))
        batches = [rows[start : start + batch_size] for start in range(0, len(rows), batch_size)]
        if fsdp:
            most = math.ceil(math.ceil(len(ds) / acc.num_processes) / batch_size)
            batches += [None] * (most - len(batches))  # None: row 0 again, for the collectives; no record
        for chunk in batches:
            examples = [ds[i] for i in (chunk if chunk is not None else [0])]
            batch = trainer.data_collator(examples)
            B = len(examples)
            ids, attn, comp = (batch[k].to(device) for k in ("input_ids", "attention_mask", "completion_mask"))

            def head_probs(hidden):
                # In the policy forward's hook, where FSDP has gathered the heads' parameters (ride_along).
                pooled = pool_hidden(hidden, comp, trainer.spo_pooling)
                return [torch.softmax(x, -1).float().cpu().tolist() for x in heads(pooled[:B], pooled[B:])]

            with T.capture_first_hidden(backbone, head_probs if heads is not None else None) as seen:
                logps = T.sequence_logps(forward_model, ids, attn, comp)
            if "ref_chosen_logps" in batch:
                ref = torch.cat([batch["ref_chosen_logps"], batch["ref_rejected_logps"]]).to(device)
            elif trainer.ref_model is not None:
                ref = T.sequence_logps(trainer.ref_model, ids, attn, comp)
            else:  # PEFT: the reference is the base model with the adapter disabled
                with model.disable_adapter():
                    ref = T.sequence_logps(forward_model, ids, attn, comp)
            if chunk is None:
                continue
            rewards = (beta * (logps - ref)).float().cpu().tolist()
            probs = dict(zip(("pref", "dispref"), seen["out"])) if heads is not None else None
            for j, ex in enumerate(examples):
                cr, rr = rewards[j], rewards[B + j]
                index = int(ex["spo_index"])
                records.append({
                    "index": index,
                    "line": int(lines.get(index, index + 1)),
                    "split": split,
                    "model": {"margin": cr - rr, "probability": _sigmoid(cr - rr), "chosenReward": cr, "rejectedReward": rr},
                    "spo": {"pref": _head(probs["pref"][j]), "dispref": _head(probs["dispref"][j])} if probs else None,
                    "data": (data_degrees or {}).get(index),
                })
    if was_training:
        model.train()
    if acc.num_processes > 1:
        import torch.distributed as dist

        gathered = [None] * acc.num_processes
        dist.all_gather_object(gathered, records)
        records = [r for part in gathered for r in part]
    return sorted(records, key=lambda r: r["index"])


def write_degrees(path: str | Path, records: list[dict]) -> None:
    path = Path(path)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, allow_nan=False) + "\n")
    os.replace(tmp, path)
