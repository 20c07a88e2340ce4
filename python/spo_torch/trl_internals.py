"""Every dependency of spo_torch on TRL's (and the HF Trainer's) private internals, in one place.

Tested against trl 1.16 (pyproject pins `trl>=1.16,<1.17`). When moving to a new TRL line, check each
item below against its `trl/trainer/dpo_trainer.py` and widen the pin only once tests pass:

1. `DPOTrainer._compute_loss(model, inputs, return_outputs)` is where the loss lives since TRL 0.29 (the
   old `dpo_loss` / `concatenated_forward` hooks are gone). SPOTrainer overrides it and calls it unchanged.
2. The batch layout `_compute_loss` expects: rows [chosen..., rejected...] (`chunk(2)`), `input_ids`,
   `attention_mask`, `completion_mask` (1 on response tokens), right padding; every other key in `inputs`
   is passed to the model, so SPO's own keys must be popped before calling it.
3. The policy forward is the *first* model call inside `_compute_loss`; it goes through the backbone
   `model.base_model` (what `add_fused_lm_head` calls) and returns no hidden states, so a forward hook
   on that backbone is how SPO reads the final hidden states without a second forward.
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
def capture_first_hidden(backbone: torch.nn.Module):
    """Record `last_hidden_state` of the first forward of `backbone` inside the block (the policy's)."""
    seen: dict[str, Any] = {}

    def hook(_module, _args, output):
        if "hidden" not in seen:
            seen["hidden"] = output.last_hidden_state if hasattr(output, "last_hidden_state") else output[0]

    handle = backbone.register_forward_hook(hook)
    try:
        yield seen
    finally:
        handle.remove()


def record_metric(trainer, mode: str, name: str, value: float) -> None:
    """Add one batch value to TRL's metric store, averaged and logged with TRL's own metrics (item 4)."""
    trainer._metrics[mode][name].append(float(value))


def tokenize_completion(tokenizer, prompt, completion, conversational: bool, eos_token: str | None):
    """(prompt_ids, completion_ids) of prompt + completion, split as DPOTrainer's `tokenize_fn` does (item 5)."""
    if conversational:
        prompt_ids = _tokenize(tokenizer, prompt, add_generation_prompt=True)["input_ids"]
        full_ids = _tokenize(tokenizer, list(prompt) + [{"role": "assistant", "content": completion}])["input_ids"]
    else:
        if eos_token is not None and not completion.endswith(eos_token):
            completion = completion + eos_token  # TRL's add_eos, for non-conversational data
        prompt_ids = _tokenize(tokenizer, prompt)["input_ids"]
        full_ids = _tokenize(tokenizer, prompt + completion)["input_ids"]
    n = common_prefix_length(prompt_ids, full_ids)
    return list(prompt_ids[:n]), list(full_ids[n:])


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
