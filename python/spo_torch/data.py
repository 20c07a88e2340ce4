"""Prepared pairs (RUN/pairs.jsonl, written by the TS side) as TRL preference datasets.

The TS side is the only reader of data formats and the only key-content extractor; this module only turns
its output into the columns DPOTrainer and SPOTrainer read. Key spans arrive as UTF-16 offsets and leave as
Python string indices.
"""

from __future__ import annotations

import json
from pathlib import Path

from .augment import spans_from_utf16


def read_pairs(path: str | Path) -> list[dict]:
    pairs = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                p = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}:{n}: not a JSON line ({e.msg})") from None
            for k in ("index", "prompt", "chosen", "rejected"):
                if k not in p:
                    raise ValueError(f"{path}:{n}: prepared pair lacks '{k}'")
            pairs.append(p)
    if not pairs:
        raise ValueError(f"{path}: no prepared pairs")
    return pairs


def assistant_message(response: str) -> dict:
    """A response as the chat template's assistant turn: without its one leading space (HH responses start
    with the space after "Assistant:"), as the TS side formats it (docs/engine-contract.md, "Chat formatting").
    Only the formatting drops it: key spans and degree variants stay on the response as written."""
    return {"role": "assistant", "content": response[1:] if response.startswith(" ") else response}


def to_rows(pairs: list[dict], tokenizer=None) -> list[dict]:
    """Rows for TRL: conversational (prompt messages + assistant turns) when the pair has prompt_messages and
    the tokenizer has a chat template, else plain strings. `chosen_keys`/`rejected_keys` index the response text."""
    chat = tokenizer is not None and getattr(tokenizer, "chat_template", None)
    rows = []
    for p in pairs:
        row = {
            "index": int(p["index"]),
            "chosen_keys": [{"start": s.start, "end": s.end} for s in spans_from_utf16(p["chosen"], p.get("chosen_keys") or [])],
            "rejected_keys": [{"start": s.start, "end": s.end} for s in spans_from_utf16(p["rejected"], p.get("rejected_keys") or [])],
            "spo_chosen_text": p["chosen"],
            "spo_rejected_text": p["rejected"],
        }
        if chat and p.get("prompt_messages"):
            row["prompt"] = [{"role": m["role"], "content": m["content"]} for m in p["prompt_messages"]]
            row["chosen"] = [assistant_message(p["chosen"])]
            row["rejected"] = [assistant_message(p["rejected"])]
        else:
            row["prompt"], row["chosen"], row["rejected"] = p["prompt"], p["chosen"], p["rejected"]
        rows.append(row)
    return rows


def to_datasets(pairs: list[dict], tokenizer=None):
    """(train, eval or None) as `datasets.Dataset`, split by each pair's `split`."""
    from datasets import Dataset

    rows = to_rows(pairs, tokenizer)
    train = [r for r, p in zip(rows, pairs) if p.get("split", "train") != "eval"]
    evals = [r for r, p in zip(rows, pairs) if p.get("split") == "eval"]
    if not train:
        raise ValueError("pairs.jsonl has no train pairs")
    return Dataset.from_list(train), (Dataset.from_list(evals) if evals else None)
