"""Every dependency of spo_torch on TRL's (and the HF Trainer's) private internals, in one place.

Tested against trl 1.16 (pyproject pins `trl>=1.16,<1.17`). When moving to a new TRL line, check each
item below against its `trl/trainer/dpo_trainer.py` and widen the pin only once tests pass:

1. `DPOTrainer._compute_loss(model, inputs, return_outputs)` is where the loss lives since TRL 0.29 (the
   old `dpo_loss` / `concatenated_forward` hooks are gone). SPOTrainer overrides it and calls it unchanged.
2. The batch layout `_compute_loss` expects: rows [chosen..., rejected...] (`chunk(2)`), `input_ids`,
   `attention_mask`, `completion_mask` (1 on response tokens), right padding; every other key in `inputs`
   is passed to the model, so SPO's own keys must be popped before calling it.
3. The policy forward is the *first* model call inside `_compute_loss`, with keyword arguments
   (`input_ids`, `attention_mask`); it goes through the backbone `model.base_model` (what
   `add_fused_lm_head` calls) and returns no hidden states, so hooks on that backbone read the final
   hidden states and let SPO's variant rows ride along in the same forward (`ride_along`); the forward
   hook hands TRL back its own rows' hidden states only.
8. transformers (5.24) for the shared-prefix path of `ride_along`: a backbone of `transformers.models`
   builds its mask with `masking_utils.create_causal_mask`, which returns a 4D mask it is given as-is
   (`_preprocess_mask_arguments`: boolean for sdpa, additive for eager), and takes RoPE positions from
   the `position_ids` passed.
4. Metrics: `self._metrics[mode][name]` is a list averaged in `log()`; eval names get `eval_` there.
5. Tokenization: `trl.data_utils._tokenize` and `common_prefix_length`, the prompt/completion split that
   `DPOTrainer._prepare_dataset` uses; SPO tokenizes its variants with the same rule.
6. `_signature_columns`: the dataset columns kept when `remove_unused_columns` is on.
7. HF Trainer: `_save(output_dir, state_dict)` writes the model; `_load_from_checkpoint` reads it back;
   `_save_checkpoint(model, trial)` writes `checkpoint-N` (model, optimizer, scheduler, RNG, then
   trainer_state.json).
"""

from __future__ import annotations

import contextlib
import inspect
from dataclasses import dataclass
from typing import Any

import torch
from trl.data_utils import _tokenize, common_prefix_length  # item 5

# Keys SPOTrainer adds to a batch (popped before TRL's `_compute_loss` sees the batch: item 2).
SPO_BATCH_KEYS = ("spo_index", "spo_examples")
# Dataset columns SPOTrainer reads (kept by `remove_unused_columns`: item 6).
SPO_COLUMNS = ["spo_index", "prompt", "spo_chosen_text", "spo_rejected_text", "chosen_keys", "rejected_keys"]


def compute_trl_loss(trainer, model, inputs, return_outputs):
    """TRL's DPO loss for a batch, exactly as DPOTrainer computes it (item 1)."""
    from trl import DPOTrainer

    return DPOTrainer._compute_loss(trainer, model, inputs, return_outputs)


def backbone_of(unwrapped_model) -> torch.nn.Module:
    """The transformer backbone whose `last_hidden_state` feeds the LM head (item 3)."""
    return _backbone(unwrapped_model)


def _backbone(m):
    get_base = getattr(m, "get_base_model", None)
    if callable(get_base) and type(m).__name__.startswith("Peft"):
        m = get_base()
    return m.base_model


@contextlib.contextmanager
def capture_first_hidden(backbone: torch.nn.Module, on_hidden=None):
    """Record `last_hidden_state` of the first forward of `backbone` inside the block (the policy's), and
    `seen["out"] = on_hidden(hidden)` computed there, inside the model's forward (see `ride_along`)."""
    seen: dict[str, Any] = {}

    def hook(_module, _args, output):
        if "hidden" not in seen:
            seen["hidden"] = output.last_hidden_state if hasattr(output, "last_hidden_state") else output[0]
            if on_hidden is not None:
                seen["out"] = on_hidden(seen["hidden"])

    handle = backbone.register_forward_hook(hook)
    try:
        yield seen
    finally:
        handle.remove()


@dataclass
class VariantRows:
    """SPO's variant rows for one batch: full token rows (prompt + variant response, right padding) and, per
    row, the TRL row it was cut from (j for pair j's chosen response, B + j for its rejected one)."""

    ids: torch.Tensor  # [V, Tv]
    mask: torch.Tensor  # [V, Tv], 1 on real tokens
    pair_rows: torch.Tensor  # [V], long


# The attention implementations that take a custom 4D mask as given (a boolean one for sdpa, additive for eager).
_PREFIX_ATTENTION = ("sdpa", "eager")


def sharded_by_fsdp(module: torch.nn.Module) -> bool:
    """Whether FSDP (1 or 2) shards parameters of `module` or of a submodule (a unit inside it)."""
    if not torch.distributed.is_available():
        return False
    from torch.distributed.fsdp import FSDPModule, FullyShardedDataParallel

    return any(isinstance(m, (FSDPModule, FullyShardedDataParallel)) for m in module.modules())


def prefix_sharing_blocker(backbone: torch.nn.Module, kwargs: dict, variants: VariantRows) -> str | None:
    """Why this forward cannot let variants reuse their pair rows' prefixes (`pack_suffixes`), or None if it can."""
    cfg = backbone.config.get_text_config()
    if not type(backbone).__module__.startswith("transformers.models."):
        # transformers' own models build their masks with masking_utils, which takes a custom 4D mask as given;
        # a model from elsewhere (remote code) might silently ignore it.
        return f"the backbone {type(backbone).__name__} is not one of transformers' own models"
    if "position_ids" not in inspect.signature(backbone.forward).parameters:
        return "the backbone's forward takes no position_ids"
    if not getattr(cfg, "is_causal", True):
        return "the backbone is not causal"
    if getattr(cfg, "_attn_implementation", None) not in _PREFIX_ATTENTION:
        return f"attention implementation {getattr(cfg, '_attn_implementation', None)!r} (needs one of {_PREFIX_ATTENTION})"
    layer_types = getattr(cfg, "layer_types", None)
    if layer_types is not None and any(t != "full_attention" for t in layer_types):
        return "the backbone has non-full-attention layers (sliding window, linear)"
    if layer_types is None and getattr(cfg, "sliding_window", None) is not None and getattr(cfg, "use_sliding_window", True):
        return "the backbone uses a sliding window"
    mask = kwargs.get("attention_mask")
    if mask is None or mask.dim() != 2 or kwargs.get("input_ids") is None or kwargs["input_ids"].dim() != 2:
        return "the policy forward has no 2D input_ids + attention_mask"
    if kwargs.get("position_ids") is not None or kwargs.get("inputs_embeds") is not None:
        return "the policy forward passes position_ids or inputs_embeds"
    if kwargs.get("cache") is not None or kwargs.get("past_key_values") is not None:
        return "the policy forward passes a cache"
    if len(set(variants.pair_rows.tolist())) != len(variants.pair_rows):
        return "a row has more than one variant"
    return None


def shared_prefix_lengths(ids, mask, variants: VariantRows) -> torch.Tensor:
    """Per variant: how many leading tokens it shares with its pair row (at least the prompt, often the first
    response tokens), capped so at least its last token is recomputed."""
    rows_ids, rows_mask = ids[variants.pair_rows], mask[variants.pair_rows]
    width = min(ids.size(1), variants.ids.size(1))
    same = (rows_ids[:, :width] == variants.ids[:, :width]) & (rows_mask[:, :width] > 0) & (variants.mask[:, :width] > 0)
    shared = same.long().cumprod(1).sum(1)
    return torch.minimum(shared, variants.mask.sum(1) - 1).clamp(min=0)


@dataclass
class PackedRows:
    """TRL's rows [n, t] with each variant's unshared suffix appended to its pair row: [n, t + l]."""

    ids: torch.Tensor  # [n, t + l]
    mask: torch.Tensor  # [n, 1, t + l, t + l]: boolean (sdpa) or additive (eager)
    positions: torch.Tensor  # [n, t + l]
    gather: torch.Tensor  # [V, Tv]: where each variant's full-row hidden state is, in its pair row's packed row


def pack_suffixes(ids, mask, variants: VariantRows, attention: str, dtype: torch.dtype) -> PackedRows:
    """The policy forward's input with the variants' suffixes packed in (see `ride_along`, "shared-prefix").

    Row r of TRL's batch keeps its t columns and what they see (causal, its padding masked); at most one variant is
    cut from it (a pair's chosen or its rejected response), whose tokens after the `s` it shares with the row go in
    columns t.. of the same row, at positions s, s + 1, ... (RoPE by position ids); they see the row's first s
    tokens and their own earlier ones, and nothing of the row past s. Padded suffix columns see only themselves
    (a softmax needs one key; their outputs are never read)."""
    n, t = ids.shape
    V, Tv = variants.ids.shape
    dev = ids.device
    rows = variants.pair_rows
    shared = shared_prefix_lengths(ids, mask, variants)
    suffix_len = variants.mask.sum(1) - shared
    l_max = int(suffix_len.max())
    L = t + l_max
    steps = torch.arange(l_max, device=dev)
    src = (shared[:, None] + steps).clamp(max=Tv - 1)  # each suffix token's position in its variant row
    valid = steps < suffix_len[:, None]  # [V, l]
    packed_ids = torch.nn.functional.pad(ids, (0, l_max), value=0)
    packed_ids[rows, t:] = variants.ids.gather(1, src).masked_fill(~valid, 0)
    # Padding columns take position 0: any valid one (their outputs are never read), and an absolute position
    # table (GPT-2's) may hold no more than max_length positions.
    positions = torch.nn.functional.pad(torch.arange(t, device=dev), (0, l_max), value=0).repeat(n, 1)
    positions[rows, t:] = src.masked_fill(~valid, 0)
    # Who sees whom. Row tokens: causal over the row's real tokens (as TRL's 2D mask makes it).
    causal = torch.ones(L, L, dtype=torch.bool, device=dev).tril()
    key_is_row_token = torch.nn.functional.pad(mask.bool(), (0, l_max), value=False)  # [n, L]
    allowed = causal[None] & key_is_row_token[:, None, :]  # [n, L, L]
    # Suffix tokens: the row's first s tokens, then the suffix causally.
    suffix_real = torch.zeros(n, l_max, dtype=torch.bool, device=dev)
    suffix_real[rows] = valid
    shared_of_row = torch.zeros(n, dtype=torch.long, device=dev)
    shared_of_row[rows] = shared
    sees_prefix = (torch.arange(t, device=dev)[None, :] < shared_of_row[:, None])[:, None, :].expand(n, l_max, t)
    sees_suffix = causal[t:, t:][None] & suffix_real[:, None, :]
    allowed[:, t:, :] = torch.cat([sees_prefix, sees_suffix], 2) & suffix_real[:, :, None]
    allowed[:, t + steps, t + steps] |= ~suffix_real
    allowed = allowed[:, None]
    if attention == "eager":
        allowed = torch.zeros(allowed.shape, dtype=dtype, device=dev).masked_fill(~allowed, torch.finfo(dtype).min)
    # Each variant's full row, read back: shared positions from its pair row, the rest from its suffix columns.
    pos = torch.arange(Tv, device=dev)[None, :]
    gather = torch.where(pos < shared[:, None], pos, t + pos - shared[:, None]).clamp(max=L - 1)
    return PackedRows(packed_ids, allowed, positions, gather)


# How `ride_along` computes the variant rows (both exact): packed into their pair rows, reusing the shared prefixes,
# where the model allows it; or as full rows.
VARIANT_ROW_MODES = ("shared-prefix", "full-rows")


@contextlib.contextmanager
def ride_along(backbone: torch.nn.Module, variants: VariantRows | None, mode: str = "shared-prefix", on_hidden=None):
    """Run SPO's variant rows inside the first (policy) forward of `backbone` inside the block.

    `seen["hidden"]` is that forward's last hidden state for TRL's rows; `seen["extra"]` [V, >= Tv, D] is each
    variant row's, as if the full row had been run (positions past a row's length are junk); `seen["path"]` says
    how. The LM head and TRL's loss only ever see TRL's rows. `seen["out"] = on_hidden(hidden, extra)` (extra None
    without variants) is computed in the forward hook, inside the wrapped model's forward: FSDP gathers the root
    unit's parameters (SPO's heads among them) only around that forward (FSDP1 with use_orig_params leaves them
    as flat 1-D shards outside it), so the heads are applied there. Either way it stays one forward and one
    backward, as TRL's, on every rank (DDP and FSDP see the step they expect). Two ways, chosen per step:

    - "shared-prefix" (default): in a causal decoder a variant's hidden states over the tokens it shares with its
      pair row (the prompt, and the response up to the first cut) are the pair row's. So only its unshared suffix
      is computed, appended to the pair row itself with a custom attention mask (`pack_suffixes`): the rows grow
      by the longest suffix, and no prompt is computed twice.
    - "full-rows" (fallback, see `prefix_sharing_blocker`): the pre-hook appends the full variant rows to the
      batch, and the hook cuts them off again.
    """
    seen: dict[str, Any] = {}
    state: dict[str, Any] = {"path": None}

    def pre(_module, args, kwargs):
        if state["path"] is not None or variants is None or "input_ids" not in kwargs:
            return None
        ids, mask = kwargs["input_ids"], kwargs.get("attention_mask")
        kwargs = dict(kwargs)
        blocker = prefix_sharing_blocker(backbone, kwargs, variants) if mode != "full-rows" else "full rows were asked for"
        n, t = ids.shape
        state["n"], state["t"] = n, t
        if blocker is None:
            cfg = backbone.config.get_text_config()
            dtype = backbone.get_input_embeddings().weight.dtype
            packed = pack_suffixes(ids, mask, variants, cfg._attn_implementation, dtype)
            kwargs.update(input_ids=packed.ids, attention_mask=packed.mask, position_ids=packed.positions)
            state["path"], state["gather"] = "shared-prefix", packed.gather
            return args, kwargs
        T_all = max(t, variants.ids.size(1))
        pad_id = 0  # any id: padded positions are masked out and their hidden states never read

        def widen(x, value):
            return torch.nn.functional.pad(x, (0, T_all - x.size(1)), value=value)

        kwargs["input_ids"] = torch.cat([widen(ids, pad_id), widen(variants.ids, pad_id)])
        if mask is None:
            mask = torch.ones_like(ids)
        kwargs["attention_mask"] = torch.cat([widen(mask, 0), widen(variants.mask.to(mask.dtype), 0)])
        state["path"], state["why"] = "full-rows", blocker
        return args, kwargs

    def post(_module, _args, output):
        if "hidden" in seen:
            return None
        h = output.last_hidden_state if hasattr(output, "last_hidden_state") else output[0]
        if state["path"] is None:
            seen["hidden"] = h
            _apply(None)
            return None
        seen["path"] = state["path"]
        n, t = state["n"], state["t"]
        if state["path"] == "full-rows":
            seen["hidden"], seen["extra"] = h[:n, :t], h[n:]
            seen["why_full_rows"] = state["why"]
        else:
            seen["hidden"] = h[:, :t]
            gather = state["gather"]
            seen["extra"] = h[variants.pair_rows].gather(1, gather[..., None].expand(-1, -1, h.size(-1)))
        _apply(seen["extra"])
        output.last_hidden_state = seen["hidden"]  # TRL's rows only, in TRL's shape
        return output

    def _apply(extra):
        if on_hidden is not None:
            seen["out"] = on_hidden(seen["hidden"], extra)

    handles = [backbone.register_forward_pre_hook(pre, with_kwargs=True), backbone.register_forward_hook(post)]
    try:
        yield seen
    finally:
        for handle in handles:
            handle.remove()


def record_metric(trainer, mode: str, name: str, value: float) -> None:
    """Add one batch value to TRL's metric store, averaged and logged with TRL's own metrics (item 4)."""
    trainer._metrics[mode][name].append(float(value))


def _prompt_ids(tokenizer, prompt, conversational: bool) -> list:
    return _tokenize(tokenizer, prompt, add_generation_prompt=True)["input_ids"] if conversational else _tokenize(tokenizer, prompt)["input_ids"]


def _full_input(prompt, completion, conversational: bool, eos_token: str | None):
    """What DPOTrainer tokenizes for prompt + completion: the conversation with the assistant turn, or the text
    with TRL's add_eos (non-conversational data)."""
    if conversational:
        return list(prompt) + [{"role": "assistant", "content": completion}]
    if eos_token is not None and not completion.endswith(eos_token):
        completion = completion + eos_token
    return prompt + completion


def _split(prompt_ids, full_ids):
    n = common_prefix_length(prompt_ids, full_ids)
    return list(prompt_ids[:n]), list(full_ids[n:])


def tokenize_completion(tokenizer, prompt, completion, conversational: bool, eos_token: str | None):
    """(prompt_ids, completion_ids) of prompt + completion, split as DPOTrainer's `tokenize_fn` does (item 5)."""
    full_ids = _tokenize(tokenizer, _full_input(prompt, completion, conversational, eos_token))["input_ids"]
    return _split(_prompt_ids(tokenizer, prompt, conversational), full_ids)


def tokenize_completions(tokenizer, items, eos_token: str | None, prompt_ids_cache: dict | None = None):
    """`tokenize_completion` for many (prompt, completion, conversational) at once: the full texts in one
    tokenizer call (a fast tokenizer's batch is the same ids as one call each, tested), the prompts from
    `prompt_ids_cache` (keyed by the prompt) where seen before. A processor that is not a plain tokenizer
    (a VLM's) goes one item at a time."""
    from transformers import PreTrainedTokenizerBase

    if not isinstance(tokenizer, PreTrainedTokenizerBase):
        return [tokenize_completion(tokenizer, p, c, conv, eos_token) for p, c, conv in items]
    cache = {} if prompt_ids_cache is None else prompt_ids_cache
    if len(cache) > 8192:  # a bound: an epoch of a big dataset would otherwise keep every prompt
        cache.clear()
    prompt_ids, plain, chats = [], {}, {}
    for i, (prompt, completion, conversational) in enumerate(items):
        key = (conversational, prompt if isinstance(prompt, str) else repr(prompt))
        if key not in cache:
            cache[key] = _prompt_ids(tokenizer, prompt, conversational)
        prompt_ids.append(cache[key])
        (chats if conversational else plain)[i] = _full_input(prompt, completion, conversational, eos_token)
    full = {}
    if plain:
        full.update(zip(plain, tokenizer(text=list(plain.values()))["input_ids"]))
    if chats:
        full.update(zip(chats, tokenizer.apply_chat_template(list(chats.values()), tokenize=True, return_dict=True)["input_ids"]))
    return [_split(p_ids, full[i]) for i, p_ids in enumerate(prompt_ids)]


def extend_signature_columns(trainer) -> None:
    """Keep SPO's columns through `remove_unused_columns` (item 6)."""
    trainer._set_signature_columns_if_needed()
    cols = list(trainer._signature_columns or [])
    trainer._signature_columns = cols + [c for c in SPO_COLUMNS if c not in cols]


def sequence_logps(model, input_ids, attention_mask, completion_mask) -> torch.Tensor:
    """Summed response-token log-probs per row, through the fused LM head TRL adds (items 2–3)."""
    labels = input_ids.masked_fill(completion_mask == 0, -100)
    out = model(input_ids=input_ids, attention_mask=attention_mask, labels=labels, fused_lm_head=True, use_cache=False)
    seq_len = completion_mask.size(1) - 1
    return out.log_probs[:, -seq_len:].sum(dim=1)
