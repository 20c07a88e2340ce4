"""`spo score --engine torch`: the summed log-probability of each chosen and rejected response given its prompt,
under a causal LM in HF layout, computed by PyTorch in float32.

    python -m spo_torch.score --model DIR --pairs FILE.jsonl [--max-length N] [--batch 8] [--no-chat-template]

FILE is prepared pairs (docs/engine-contract.md, "Prepared pairs"), written by the TS side, which stays the only
reader of the data formats. Tokenization is the TF.js scorer's (docs/engine-contract.md, "Scoring"), so both
engines score the same token sequences:
  - chat (the tokenizer has a chat template and the pair has prompt_messages): TRL 1.16's conversational
    tokenization (`model_fetch.encode_chat_pair`), the response being the assistant turn;
  - plain: [BOS when the tokenizer adds one] + tokens(prompt), then tokens(response), each without special tokens;
  - longer than --max-length: prompt tokens go from the left first (a leading BOS stays), then response tokens
    from the right (`truncate_pair`, as src/core/model/logprobs.ts `truncatePair`).
Prints one JSON object on stdout: {"engine", "device", "versions", "chat_pairs", "scores": [{"index",
"logp_chosen", "logp_rejected", "truncated": {"chosen": {"prompt", "response"}, "rejected": {…}}}]}.
A refusal the user can act on exits 3 with one `error: …` line on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field

EXIT_REFUSED = 3
# As the TF.js scorer: micro-batches of at most this many tokens, the LM head taken in vocabulary-sized pieces
# of rows, so memory stays near the weights plus one layer's activations.
BATCH_TOKENS = 2048
HEAD_ROWS = 1024


@dataclass
class Encoded:
    ids: list[int]
    response_start: int
    truncated: dict = field(default_factory=lambda: {"prompt": 0, "response": 0})


def truncate_pair(prompt: list[int], response: list[int], max_len: int, keep_bos: bool) -> Encoded:
    """Prompt then response ids cut to max_len: prompt tokens from the left first (keeping a leading BOS and at
    least one prompt token), then response tokens from the right."""
    if max_len < 2:
        raise ValueError(f"--max-length must be at least 2 (got {max_len})")
    prompt, response = list(prompt), list(response)
    truncated = {"prompt": 0, "response": 0}
    excess = len(prompt) + len(response) - max_len
    if excess > 0:
        drop = min(excess, len(prompt) - min(len(prompt), 1))
        if drop > 0:
            prompt = prompt[:1] + prompt[1 + drop:] if keep_bos else prompt[drop:]
            truncated["prompt"] = drop
            excess -= drop
    if excess > 0:
        response = response[: len(response) - excess]
        truncated["response"] = excess
    return Encoded(prompt + response, len(prompt), truncated)


def adds_bos(tokenizer) -> bool:
    """Whether the tokenizer puts a BOS in front of a text (the TS tokenizer's `addsBos` test)."""
    bos = tokenizer.bos_token_id
    plain = tokenizer("a", add_special_tokens=False)["input_ids"]
    full = tokenizer("a", add_special_tokens=True)["input_ids"]
    return bos is not None and len(full) > len(plain) and full[0] == bos


def plain_pair_ids(tokenizer, prompt: str, response: str, bos: bool) -> tuple[list[int], list[int]]:
    """TRL's plain-text tokenization, as the TS encodePair does it: tokenize(prompt) and tokenize(prompt +
    response), the response being the tokens after their common prefix, then EOS when the tokenizer has one."""
    head = [tokenizer.bos_token_id] if bos else []
    prompt_ids = head + tokenizer(prompt, add_special_tokens=False)["input_ids"]
    full_ids = head + tokenizer(prompt + response, add_special_tokens=False)["input_ids"]
    n = 0
    while n < len(prompt_ids) and n < len(full_ids) and prompt_ids[n] == full_ids[n]:
        n += 1
    response_ids = full_ids[n:]
    eos = tokenizer.eos_token_id
    if eos is not None and (not response_ids or response_ids[-1] != eos):
        response_ids.append(eos)
    return prompt_ids[:n], response_ids


def encode_pairs(tokenizer, pairs: list[dict], max_len: int, chat: bool) -> tuple[list[tuple[Encoded, Encoded]], int]:
    """(chosen, rejected) encodings of every pair, and how many went through the chat template."""
    from .model_fetch import encode_chat_pair

    bos = adds_bos(tokenizer)
    out, chat_pairs = [], 0
    for p in pairs:
        if chat and p.get("prompt_messages"):
            chat_pairs += 1
            e = encode_chat_pair(tokenizer, p["prompt_messages"], p["chosen"], p["rejected"])
            out.append(tuple(truncate_pair(e["prompt_ids"], e[f"{side}_ids"], max_len, False) for side in ("chosen", "rejected")))
            continue
        out.append(tuple(truncate_pair(*plain_pair_ids(tokenizer, p["prompt"], p[side], bos), max_len, bos) for side in ("chosen", "rejected")))
    return out, chat_pairs


def score_sequences(model, seqs: list[Encoded], batch: int, pad_id: int) -> list[float]:
    """Summed log-probs of each sequence's response tokens (position t predicted from hidden state t − 1), in
    float32, accumulated in float64; micro-batches of similar length, right-padded."""
    import torch

    from . import trl_internals as T

    backbone = T.backbone_of(model)
    head = model.get_output_embeddings()
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i].ids))
    sums = [0.0] * len(seqs)
    i = 0
    with torch.no_grad():
        while i < len(order):
            n = 1
            while n < batch and i + n < len(order) and (n + 1) * max(2, len(seqs[order[i + n]].ids)) <= BATCH_TOKENS:
                n += 1
            rows = order[i : i + n]
            i += n
            width = max(len(seqs[r].ids) for r in rows)
            ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
            mask = torch.zeros((len(rows), width), dtype=torch.long)
            for b, r in enumerate(rows):
                ids[b, : len(seqs[r].ids)] = torch.tensor(seqs[r].ids)
                mask[b, : len(seqs[r].ids)] = 1
            hidden = backbone(input_ids=ids, attention_mask=mask, use_cache=False).last_hidden_state
            picks, targets, owner = [], [], []
            for b, r in enumerate(rows):
                e = seqs[r]
                for t in range(max(1, e.response_start), len(e.ids)):
                    picks.append(b * width + t - 1)
                    targets.append(e.ids[t])
                    owner.append(r)
            if not picks:
                continue
            h = hidden.reshape(-1, hidden.size(-1))[torch.tensor(picks)]
            target = torch.tensor(targets)
            for start in range(0, len(picks), HEAD_ROWS):
                logits = head(h[start : start + HEAD_ROWS]).float()
                lp = torch.log_softmax(logits, -1).gather(-1, target[start : start + HEAD_ROWS, None])[:, 0].double()
                for r, v in zip(owner[start : start + HEAD_ROWS], lp.tolist()):
                    sums[r] += v
    return sums


def context_length(config) -> int | None:
    """The model's context length as the TS config reader takes it (max_position_embeddings, GPT-2's n_positions)."""
    text = config.get_text_config() if hasattr(config, "get_text_config") else config
    for name in ("max_position_embeddings", "n_positions"):
        value = getattr(text, name, None)
        if isinstance(value, int) and value > 0:
            return value
    return None


def score(args: argparse.Namespace) -> dict:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from .data import read_pairs
    from .preflight import check_causal_lm, check_versions

    versions = check_versions()
    check_causal_lm(args.model)
    pairs = read_pairs(args.pairs)
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    chat = not args.no_chat_template and bool(getattr(tokenizer, "chat_template", None))
    model = AutoModelForCausalLM.from_pretrained(args.model, dtype=torch.float32).eval()
    context = context_length(model.config)
    max_len = args.max_length or context
    if max_len is None:
        raise ValueError(f"{args.model}/config.json names no context length (max_position_embeddings): pass --max-length")
    if context is not None and max_len > context:
        raise ValueError(f"--max-length {max_len} exceeds the model context length {context}")
    encoded, chat_pairs = encode_pairs(tokenizer, pairs, max_len, chat)
    pad = tokenizer.eos_token_id if tokenizer.eos_token_id is not None else 0
    sums = score_sequences(model, [s for pair in encoded for s in pair], args.batch, pad)
    return {
        "engine": "torch",
        "device": f"cpu ({torch.get_num_threads()} threads)",
        "versions": versions,
        "chat_pairs": chat_pairs,
        "max_length": max_len,
        "scores": [
            {"index": int(p["index"]), "logp_chosen": sums[2 * k], "logp_rejected": sums[2 * k + 1],
             "truncated": {"chosen": c.truncated, "rejected": r.truncated}}
            for k, (p, (c, r)) in enumerate(zip(pairs, encoded))
        ],
    }


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m spo_torch.score", description=__doc__.split("\n\n")[0])
    p.add_argument("--model", required=True, help="causal LM folder in HF layout")
    p.add_argument("--pairs", required=True, help="prepared pairs (pairs.jsonl layout)")
    p.add_argument("--max-length", type=int, help="tokens per sequence (default: the model's context length)")
    p.add_argument("--batch", type=int, default=8, help="sequences per forward pass")
    p.add_argument("--no-chat-template", action="store_true", help="plain text even when the model has a chat template")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # Scores are the stdout; library chatter goes to stderr.
    out, sys.stdout = sys.stdout, sys.stderr
    from .preflight import EngineError

    try:
        result = score(args)
    except (EngineError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr, flush=True)
        return EXIT_REFUSED
    out.write(json.dumps(result, allow_nan=False) + "\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
