"""RUN/config.json (the contract's flat keys) → SPOConfig + the engine's own options."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class EngineOptions:
    model: str
    write_degrees: bool
    merge_adapter: bool
    use_peft: bool
    lora_r: int
    lora_alpha: int
    lora_dropout: float
    max_steps: int


# The TF.js engine's older key names, read when the contract's name is absent (a config.json written before
# the spec moved to TRL's names). The contract's names win; this table is the only place that knows both.
LEGACY_KEYS = {
    "loss": "loss_type", "batch_size": "per_device_train_batch_size", "spo.gamma": "spo_gamma",
    "spo.classes": "spo_classes", "spo.pooling": "spo_pooling", "eval_every": "eval_steps",
    "log_every": "logging_steps", "save_every": "save_steps",
}
# TRL's DPOTrainer has no reference-free SimPO/ORPO: those stay TF.js-engine losses.
NOT_IN_TRL_DPO = {"simpo": "sigmoid_norm (length-normalised, with a reference) or TRL's CPOTrainer", "orpo": "TRL's ORPOTrainer"}


def normalize(cfg: dict) -> dict:
    out = dict(cfg)
    for old, new in LEGACY_KEYS.items():
        if old in cfg and out.get(new) is None:
            out[new] = cfg[old]
    loss_type = out.get("loss_type") or ["sigmoid"]
    for name in [loss_type] if isinstance(loss_type, str) else loss_type:
        if name in NOT_IN_TRL_DPO:
            raise ValueError(f"config.json: loss '{name}' is a TF.js-engine loss; the torch engine trains TRL's DPO loss types (use {NOT_IN_TRL_DPO[name]})")
    return out


def _num(cfg, key, default):
    v = cfg.get(key)
    return default if v is None else v


def spo_gamma(cfg: dict) -> float:
    """The config's γ (SPO's loss weight; 0 = plain DPO)."""
    return float(_num(cfg, "spo_gamma", 0.1))


def spo_config(cfg: dict, output_dir: str, use_cpu: bool, bf16: bool):
    from .config import SPOConfig

    cfg = normalize(cfg)
    loss_type = cfg.get("loss_type") or ["sigmoid"]
    if isinstance(loss_type, str):
        loss_type = [loss_type]
    max_steps = int(_num(cfg, "max_steps", 1000))
    if max_steps < 1:
        raise ValueError(f"config.json: max_steps must be >= 1, got {max_steps}")
    eval_steps = int(_num(cfg, "eval_steps", 0))
    save_steps = int(_num(cfg, "save_steps", 0))
    lr = cfg.get("learning_rate")
    return SPOConfig(
        output_dir=output_dir,
        loss_type=list(loss_type),
        loss_weights=cfg.get("loss_weights"),
        beta=float(_num(cfg, "beta", 0.1)),
        label_smoothing=float(_num(cfg, "label_smoothing", 0.0)),
        learning_rate=float(5e-6 if lr is None else lr),  # null = auto: 5e-6 for a given model
        per_device_train_batch_size=int(_num(cfg, "per_device_train_batch_size", _num(cfg, "batch_size", 4))),
        per_device_eval_batch_size=int(_num(cfg, "per_device_train_batch_size", _num(cfg, "batch_size", 4))),
        gradient_accumulation_steps=int(_num(cfg, "gradient_accumulation_steps", 1)),
        max_steps=max_steps,
        max_length=int(_num(cfg, "max_length", 512)),
        warmup_steps=int(_num(cfg, "warmup_steps", 0)),
        # Warmup then cosine down to min_lr_ratio × the peak, as the TF.js engine's schedule.
        lr_scheduler_type="cosine_with_min_lr",
        lr_scheduler_kwargs={"min_lr_rate": float(_num(cfg, "min_lr_ratio", 0.1))},
        weight_decay=float(_num(cfg, "weight_decay", 0.0)),
        adam_beta1=float(_num(cfg, "adam_beta1", 0.9)),
        adam_beta2=float(_num(cfg, "adam_beta2", 0.999)),
        adam_epsilon=float(_num(cfg, "adam_epsilon", 1e-8)),
        max_grad_norm=float(_num(cfg, "max_grad_norm", 1.0)),
        seed=int(_num(cfg, "seed", 42)),
        logging_steps=max(1, int(_num(cfg, "logging_steps", 1))),
        eval_strategy="steps" if eval_steps > 0 else "no",
        eval_steps=eval_steps if eval_steps > 0 else None,
        # The engine decides when to save (every save_steps, at the end, on stop): see EngineTrainer.
        save_strategy="steps" if save_steps > 0 else "no",
        save_steps=save_steps if save_steps > 0 else 500,
        precompute_ref_log_probs=bool(cfg.get("precompute_ref_log_probs", False)),
        spo_gamma=spo_gamma(cfg),
        spo_classes=int(_num(cfg, "spo_classes", 4)),
        spo_pooling=str(_num(cfg, "spo_pooling", "mean")),
        bf16=bf16,
        gradient_checkpointing=False,
        use_cpu=use_cpu,
        report_to=[],
        disable_tqdm=True,
        save_only_model=False,
        dataloader_num_workers=0,
        remove_unused_columns=True,
    )


def engine_options(cfg: dict) -> EngineOptions:
    cfg = normalize(cfg)
    return EngineOptions(
        model=cfg.get("model") or "",
        write_degrees=bool(cfg.get("write_degrees", True)),
        merge_adapter=bool(cfg.get("merge_adapter", False)),
        use_peft=bool(cfg.get("use_peft", False)),
        lora_r=int(_num(cfg, "lora_r", 8)),
        lora_alpha=int(_num(cfg, "lora_alpha", 16)),
        lora_dropout=float(_num(cfg, "lora_dropout", 0.0)),
        max_steps=int(_num(cfg, "max_steps", 1000)),
    )
