"""SPOTrainer: TRL's DPOTrainer plus the SPO degree heads and loss (spo-method.md §2–4).

    L = L_TRL + γ · (CE_pref + CE_dispref)

L_TRL is whatever DPOTrainer computes for the configured `loss_type` list and `loss_weights`, unchanged;
γ = 0 adds nothing (no heads, no extra rows), so the step is exactly TRL's. Each step, every chosen and
rejected response with enough key spans gets one degree variant (spo_torch.augment, drawn from
(seed, global step, pair index, stream)); the heads classify the pooled final hidden states of the
variant's response tokens. Variants that keep the text intact (class 0 or m = 0) reuse the pair's own
row of TRL's forward; the others are computed inside the same backbone forward, never seen by the LM head
or TRL's loss (trl_internals.ride_along): each variant's tokens after the prefix it shares with its pair's
row (the prompt, and the response up to the first cut) are appended to that row, under an attention mask
that lets them see the shared prefix and themselves only. In a causal decoder that is exact, and it spares
recomputing every prompt. Where the model cannot take such a mask (flash attention, sliding-window layers,
a model from outside transformers, ...) they ride along as full extra rows in the batch.
"""

from __future__ import annotations

import logging

import torch
import torch.nn.functional as F
from trl import DPOTrainer

from . import augment as A
from . import trl_internals as T
from .data import assistant_message
from .heads import HEAD_NAMES, HEADS_FILE, SPOHeads, pool_hidden

logger = logging.getLogger(__name__)
HEADS_ATTR = "spo_heads"


def _response_text(value) -> str:
    """The response string of a dataset cell: a string, or the last message of a conversational response."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and isinstance(value[-1], dict):
        return str(value[-1].get("content", ""))
    return str(value)


def add_spo_columns(dataset):
    """Add the columns SPO reads: pair index, raw response texts, and empty key lists when missing."""
    if dataset is None:
        return None
    if isinstance(dataset, dict):
        return {k: add_spo_columns(v) for k, v in dataset.items()}
    names = set(dataset.column_names or [])
    if {"spo_index", "spo_chosen_text", "spo_rejected_text", "chosen_keys", "rejected_keys"} <= names:
        return dataset
    if "chosen_keys" not in names or "rejected_keys" not in names:
        logger.warning(
            "SPOTrainer: the dataset has no chosen_keys/rejected_keys columns, so no response has key spans and the "
            "SPO loss masks every row (spo/coverage = 0). `spo train --engine torch` writes them."
        )

    def add(example, idx):
        out = {"spo_index": int(example["index"]) if example.get("index") is not None else idx}
        for side in ("chosen", "rejected"):
            if f"spo_{side}_text" not in example:
                out[f"spo_{side}_text"] = _response_text(example[side])
        for side in ("chosen_keys", "rejected_keys"):
            if side not in example:
                out[side] = []
        return out

    return dataset.map(add, with_indices=True)


class SPOCollator:
    """TRL's collator plus what SPO needs per pair: its index and raw texts + key spans."""

    def __init__(self, base):
        self.base = base

    def __call__(self, examples):
        batch = self.base(examples)
        if "spo_index" in examples[0]:
            batch["spo_index"] = torch.tensor([int(e["spo_index"]) for e in examples])
            batch["spo_examples"] = [
                {
                    "index": int(e["spo_index"]),
                    "prompt": e["prompt"],
                    "chosen": e["spo_chosen_text"],
                    "rejected": e["spo_rejected_text"],
                    "chosen_keys": [A.Span(int(s["start"]), int(s["end"])) for s in (e.get("chosen_keys") or [])],
                    "rejected_keys": [A.Span(int(s["start"]), int(s["end"])) for s in (e.get("rejected_keys") or [])],
                }
                for e in examples
            ]
        return batch


def _heads_from_state_dict(state_dict) -> dict[str, torch.Tensor] | None:
    """The heads file's tensors (`pref.weight`, ...) from a model state dict holding `...spo_heads.pref_weight`
    etc., or None when it lacks one (an empty or partial state dict: the live parameters are used then)."""
    out = {}
    for h in HEAD_NAMES:
        for part in ("weight", "bias"):
            found = [v for k, v in state_dict.items() if k == f"{HEADS_ATTR}.{h}_{part}" or k.endswith(f".{HEADS_ATTR}.{h}_{part}")]
            if len(found) != 1 or type(found[0]) is not torch.Tensor:  # not a shard (a DTensor of a sharded state dict)
                return None
            out[f"{h}.{part}"] = found[0]
    return out


class SPOTrainer(DPOTrainer):
    """DPOTrainer + SPO. Takes an `SPOConfig` (a plain `DPOConfig` gives SPO's defaults)."""

    # How variant rows are computed (trl_internals.ride_along; both exact): "shared-prefix" reuses their pair rows'
    # prefixes where the model allows it, "full-rows" never does (the exactness tests and the bench compare them).
    variant_rows = "shared-prefix"

    def __init__(self, model=None, ref_model=None, args=None, data_collator=None, train_dataset=None, eval_dataset=None, *rest, **kwargs):
        super().__init__(model, ref_model, args, data_collator, add_spo_columns(train_dataset), add_spo_columns(eval_dataset), *rest, **kwargs)
        self.spo_gamma = float(getattr(self.args, "spo_gamma", 0.1))
        self.spo_classes = int(getattr(self.args, "spo_classes", 4))
        self.spo_pooling = getattr(self.args, "spo_pooling", "mean")
        spo_seed = getattr(self.args, "spo_seed", None)
        self.spo_seed = int(self.args.seed if spo_seed is None else spo_seed)
        self.data_collator = SPOCollator(self.data_collator)
        T.extend_signature_columns(self)
        self.spo_heads: SPOHeads | None = None
        if self.spo_gamma > 0:
            self._attach_heads()

    # --- heads -----------------------------------------------------------------------------------------
    def _base_module(self):
        m = self.accelerator.unwrap_model(self.model)
        get_base = getattr(m, "get_base_model", None)
        return get_base() if callable(get_base) and type(m).__name__.startswith("Peft") else m

    def _attach_heads(self):
        base = self._base_module()
        d_model = base.config.get_text_config().hidden_size
        heads = SPOHeads(d_model, self.spo_classes, seed=self.spo_seed)
        # Start from heads shipped with the model folder (an SPO checkpoint, or a cross-engine fixture).
        src = getattr(base.config, "_name_or_path", "") or ""
        import os

        if src and os.path.isfile(os.path.join(src, HEADS_FILE)):
            heads.load(src)
        heads.to(next(base.parameters()).device)
        # A submodule of the model, so the optimizer, DDP's gradient sync and DeepSpeed all see the heads;
        # requires_grad is set after PEFT froze the base model.
        setattr(base, HEADS_ATTR, heads)
        for p in heads.parameters():
            p.requires_grad_(True)
        self.spo_heads = heads

    def _save(self, output_dir=None, state_dict=None):
        output_dir = output_dir or self.args.output_dir
        heads_tensors = None
        if self.spo_heads is not None:
            # The heads are not part of the exported language model: they go in their own file.
            if state_dict is None:
                state_dict = self.model.state_dict()
            # Under FSDP the live parameters are this rank's shards; the HF Trainer hands rank 0 the gathered full
            # state dict (FULL_STATE_DICT), so the heads file is written from it when it holds them.
            heads_tensors = _heads_from_state_dict(state_dict)
            state_dict = {k: v for k, v in state_dict.items() if f"{HEADS_ATTR}." not in k}
        super()._save(output_dir, state_dict)
        if self.spo_heads is not None and self.args.should_save:
            self.spo_heads.save(output_dir, heads_tensors)

    def _load_from_checkpoint(self, resume_from_checkpoint, model=None):
        super()._load_from_checkpoint(resume_from_checkpoint, model)
        # Under FSDP the HF Trainer loads FSDP's own save of the whole model, the heads among its parameters (which
        # are shards there, so the heads file could not be copied into them); elsewhere the heads come from their file.
        if self.spo_heads is not None and not self.is_fsdp_enabled:
            self.spo_heads.load(resume_from_checkpoint)

    # --- loss ------------------------------------------------------------------------------------------
    def _compute_loss(self, model, inputs, return_outputs):
        inputs = dict(inputs)
        examples = inputs.pop("spo_examples", None)
        inputs.pop("spo_index", None)
        if self.spo_heads is None or examples is None:
            return T.compute_trl_loss(self, model, inputs, return_outputs)
        mode = "train" if self.model.training else "eval"
        # The optimizer step this batch is trained at (1-based); evals draw at step 0, so evals compare.
        step = self.state.global_step + 1 if mode == "train" else 0
        backbone = T.backbone_of(self.accelerator.unwrap_model(model))
        rows, extra = self._variant_rows(examples, step)
        device = inputs["input_ids"].device
        variants = extra_completion = None
        if extra:
            variants, extra_completion = self._encode_variants(extra, device)
        heads = getattr(self._base_module(), HEADS_ATTR)  # an FSDP1 wrapper, if a wrap policy made the heads a unit
        completion = inputs["completion_mask"]

        def head_logits(hidden, ext):
            # Runs inside the policy's forward (ride_along), where FSDP has gathered the heads' parameters.
            pooled = pool_hidden(hidden, completion, self.spo_pooling)
            if extra:
                ext = ext[:, : extra_completion.size(1)]
                pooled = torch.cat([pooled, pool_hidden(ext, extra_completion, self.spo_pooling)], 0)
            return self._head_logits(heads, pooled, rows, device)

        with T.ride_along(backbone, variants, self.variant_rows, head_logits) as seen:
            out = T.compute_trl_loss(self, model, inputs, return_outputs)
        align = out[0] if return_outputs else out
        self._note_variant_path(seen)
        spo_loss, stats = self._spo_loss(seen["out"], rows, len(examples), device)
        total = align + self.spo_gamma * spo_loss
        # The mean over ranks, as the logged `loss` is (each rank holds its own share of the batch).
        T.record_metric(self, mode, "loss/align", self.accelerator.gather(align.detach().float().reshape(1)).mean().item())
        for name, value in stats.items():
            T.record_metric(self, mode, name, value)
        return (total, out[1]) if return_outputs else total

    def _note_variant_path(self, seen):
        """Keep how this step's variant rows were computed (`ride_along`'s path); say once why it is not shared."""
        path = seen.get("path")
        why = seen.get("why_full_rows", "") if path not in (None, "shared-prefix") else None
        said = self.__dict__.setdefault("_variant_reasons_said", set())
        if why is not None and self.variant_rows != "full-rows" and why not in said:
            said.add(why)
            logger.info("SPOTrainer: variant rows computed as %s, not reusing their pair rows' prefixes: %s", path, why)
        self.spo_variant_path = path

    def _variant_rows(self, examples, step):
        """Per head: (row, label) with row < 2B for intact variants, else an index into `extra` + 2B."""
        B = len(examples)
        rows = {"pref": [], "dispref": []}
        extra = []  # (prompt, text, the pair's own row in TRL's batch)
        for j, ex in enumerate(examples):
            for head, side, stream, intact_row in (("pref", "chosen", A.STREAM_CHOSEN, j), ("dispref", "rejected", A.STREAM_REJECTED, B + j)):
                v = A.augment(ex[side], ex[f"{side}_keys"], self.spo_classes, self.spo_seed, step, ex["index"], stream)
                if not v.kept:
                    continue
                if v.removed == 0:
                    rows[head].append((intact_row, v.label))
                else:
                    rows[head].append((2 * B + len(extra), v.label))
                    extra.append((ex["prompt"], v.text, intact_row))
        return rows, extra

    def _encode_variants(self, extra, device):
        tok = self._tokenizer
        items = []
        for prompt, text, _row in extra:
            conversational = not isinstance(prompt, str)
            if conversational:  # the assistant turn as the pair's own row has it (one leading space dropped)
                text = assistant_message(text)["content"]
            items.append((prompt, text, conversational))
        cache = self.__dict__.setdefault("_prompt_ids_cache", {})
        seqs, masks = [], []
        for p_ids, c_ids in T.tokenize_completions(self.processing_class, items, tok.eos_token, cache):
            ids = p_ids + c_ids
            mask = [0] * len(p_ids) + [1] * len(c_ids)
            if self.args.max_length is not None:  # the collator's keep_start truncation
                ids, mask = ids[: self.args.max_length], mask[: self.args.max_length]
            seqs.append(ids)
            masks.append(mask)
        T_len = max(len(s) for s in seqs)
        pad = tok.pad_token_id if tok.pad_token_id is not None else 0
        input_ids = torch.tensor([s + [pad] * (T_len - len(s)) for s in seqs], dtype=torch.long)
        attention = torch.tensor([[1] * len(s) + [0] * (T_len - len(s)) for s in seqs], dtype=torch.long)
        completion = torch.tensor([m + [0] * (T_len - len(m)) for m in masks], dtype=torch.long)
        pair_rows = torch.tensor([row for _p, _t, row in extra], dtype=torch.long)
        return T.VariantRows(input_ids.to(device), attention.to(device), pair_rows.to(device)), completion.to(device)

    @staticmethod
    def _head_logits(heads, pooled, rows, device):
        """Per head, the logits of its picked rows of `pooled`; a head with none gets the logits of row 0, detached,
        which `_spo_loss` multiplies by 0 to keep the heads in the graph. One call of the heads module."""
        inputs = []
        for head in ("pref", "dispref"):
            picked = [r for r, _ in rows[head]]
            inputs.append(pooled[torch.tensor(picked, device=device)] if picked else pooled[:1].detach())
        return dict(zip(("pref", "dispref"), heads(*inputs)))

    def _spo_loss(self, head_logits, rows, pairs, device):
        acc = self.accelerator
        world = acc.num_processes
        total = head_logits["pref"].new_zeros(())
        stats = {}
        for head in ("pref", "dispref"):
            picked = [r for r, _ in rows[head]]
            labels = torch.tensor([c for _, c in rows[head]], dtype=torch.long, device=device)
            logits = head_logits[head]
            if picked:
                ce_sum = F.cross_entropy(logits, labels, reduction="sum")
                correct = (logits.argmax(-1) == labels).sum()
            else:
                # Keep the heads in the graph so every rank's backward touches every parameter (DDP).
                ce_sum = 0.0 * logits.sum()
                correct = torch.zeros((), device=device, dtype=torch.long)
            # The mean over the kept rows of the whole global batch: divide by the global count and undo
            # DDP's average over ranks, so 1 and N processes give the same loss and gradients.
            count = torch.tensor(float(len(picked)), device=device)
            sums = acc.gather(torch.stack([ce_sum.detach().float(), correct.float(), count]).reshape(1, 3)).reshape(-1, 3).sum(0)
            n_global = sums[2].item()
            total = total + ce_sum * (world / max(n_global, 1.0))
            stats[f"loss/spo_{head}"] = sums[0].item() / max(n_global, 1.0)
            if n_global > 0:
                stats[f"spo/acc_{head}"] = sums[1].item() / n_global
        kept = torch.tensor([float(len(rows["pref"]) + len(rows["dispref"])), float(2 * pairs)], device=device)
        kept = acc.gather(kept.reshape(1, 2)).reshape(-1, 2).sum(0)
        stats["spo/coverage"] = kept[0].item() / max(kept[1].item(), 1.0)
        return total, stats
