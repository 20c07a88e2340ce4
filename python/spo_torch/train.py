"""The torch engine as a child process: `python -m spo_torch.train --run-dir RUN [--resume]`.

Reads RUN/config.json and RUN/pairs.jsonl (written by `spo train --engine torch`), trains with SPOTrainer,
and writes the run folder exactly as the TF.js engine does (docs/engine-contract.md): events in
metrics.jsonl and on stdout, log.txt, checkpoints/step-N/ (HF layout + spo_heads.safetensors + resume
state, trainer_state.json last), degrees.jsonl. Several processes: launch through torchrun or
`accelerate launch`; only rank 0 writes.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import socket
import sys
import time
import traceback
from pathlib import Path

from .divergence import _js_number
from .events import EventWriter, finite_row, now_ms
from .preflight import EngineError, check_causal_lm, check_versions

CHECKPOINTS = "checkpoints"


class NonFiniteStep(Exception):
    """A non-finite loss or gradient norm, caught before the optimizer applies it."""

    def __init__(self, step: int, problem: str):
        super().__init__(f"{problem} at step {step}")
        self.step, self.problem = step, problem


class StopRequest:
    """SIGTERM/SIGINT or a vanished parent ask for a graceful stop at the next step boundary."""

    def __init__(self):
        self.requested = False
        self.why = ""
        self.parent = os.getppid()
        after = os.environ.get("SPO_TORCH_STOP_AFTER_STEP")  # test hook: the same path as a signal
        self.after_step = int(after) if after else None

    def install(self):
        def handler(signum, _frame):
            self.requested, self.why = True, signal.Signals(signum).name

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)

    def poll(self, step: int) -> bool:
        if not self.requested and os.getppid() != self.parent:
            self.requested, self.why = True, "the parent process went away"
        if not self.requested and self.after_step is not None and step >= self.after_step:
            self.requested, self.why = True, "SPO_TORCH_STOP_AFTER_STEP"
        return self.requested


def complete_checkpoints(run_dir: Path) -> list[Path]:
    """checkpoints/step-N folders holding trainer_state.json (written last), newest first. A folder set aside
    as step-N.nonfinite, or HF's checkpoint-N still being written, is not one."""
    root = run_dir / CHECKPOINTS
    if not root.is_dir():
        return []
    steps = []
    for d in root.iterdir():
        if d.name.startswith("step-") and d.name[5:].isdigit() and (d / "trainer_state.json").is_file():
            steps.append((int(d.name[5:]), d))
    return [d for _, d in sorted(steps, reverse=True)]


def newest_checkpoint(run_dir: Path) -> Path | None:
    found = complete_checkpoints(run_dir)
    return found[0] if found else None


def under_fsdp() -> bool:
    """Whether this launch trains under FSDP (accelerate launch with an FSDP config sets ACCELERATE_USE_FSDP)."""
    return os.environ.get("ACCELERATE_USE_FSDP", "").lower() in ("1", "true")


def deepspeed_zero_stage() -> int | None:
    """The ZeRO stage of this launch when accelerate launched it with DeepSpeed: from its config's `zero_stage`
    (ACCELERATE_DEEPSPEED_ZERO_STAGE) or from a DeepSpeed JSON config file's `zero_optimization.stage`."""
    if os.environ.get("ACCELERATE_USE_DEEPSPEED", "").lower() not in ("1", "true"):
        return None
    config_file = os.environ.get("ACCELERATE_DEEPSPEED_CONFIG_FILE", "")
    if config_file and config_file.lower() != "none":
        try:
            stage = json.loads(Path(config_file).read_text(encoding="utf-8")).get("zero_optimization", {}).get("stage")
            return int(stage) if isinstance(stage, (int, str)) and str(stage).isdigit() else None
        except (OSError, ValueError, AttributeError):
            return None
    stage = os.environ.get("ACCELERATE_DEEPSPEED_ZERO_STAGE", "")
    return int(stage) if stage.isdigit() else None


def written_under_fsdp(folder: Path) -> bool:
    """accelerate's FSDP save: the model as `pytorch_model_fsdp.bin` (full state dict) or `pytorch_model_fsdp_0/`
    (sharded), the optimizer as `optimizer.bin` or `optimizer_0/`, where the HF Trainer writes `optimizer.pt`."""
    return any((folder / f).exists() for f in ("pytorch_model_fsdp.bin", "pytorch_model_fsdp_0", "optimizer.bin", "optimizer_0"))


def written_under_deepspeed(folder: Path) -> bool:
    """DeepSpeed's save: its `global_stepN/` folder of model and optimizer states, named in `latest`."""
    return (folder / "latest").is_file() or any(folder.glob("global_step*"))


def checkpoint_problem(folder: Path, fsdp: bool = False, deepspeed: bool = False) -> str | None:
    """Why a checkpoint cannot be resumed from (None: it can), as the TS engine's `checkpointProblem`: each file
    there and well-formed, and every weight finite (a resume from NaN or ±Infinity could only fail). `fsdp`,
    `deepspeed`: the resume runs under that launcher, which reads back only what it wrote (and the other way round)."""
    import torch
    from safetensors import safe_open

    try:
        state = json.loads((folder / "trainer_state.json").read_text(encoding="utf-8"))
        if not isinstance(state, dict) or not isinstance(state.get("global_step"), int):
            return "trainer_state.json is not a trainer state (no global_step)"
    except (OSError, ValueError) as e:
        return f"trainer_state.json cannot be read ({str(e).splitlines()[0]})"
    weights = [f for f in ("model.safetensors", "adapter_model.safetensors", "spo_heads.safetensors") if (folder / f).is_file()]
    if not any(w != "spo_heads.safetensors" for w in weights):
        return "no model.safetensors or adapter_model.safetensors"
    if written_under_deepspeed(folder) != deepspeed:
        if deepspeed:
            return "written without DeepSpeed: resume it the way it was launched, or start a new DeepSpeed run from its weights"
        return "written under DeepSpeed (global_step*/): resume it under DeepSpeed (the same --accelerate-config), or start a new run from its weights"
    if deepspeed:
        latest = (folder / "latest").read_text(encoding="utf-8").strip() if (folder / "latest").is_file() else ""
        if not latest or not (folder / latest).is_dir():
            return "no DeepSpeed resume state (latest naming a global_step folder)"
    elif written_under_fsdp(folder) != fsdp:
        if fsdp:
            return "written without FSDP (optimizer.pt): resume it the way it was launched, or start a new FSDP run from its weights"
        return "written under FSDP (optimizer.bin): resume it under FSDP (the same --accelerate-config), or start a new run from its weights"
    if fsdp:
        if not ((folder / "pytorch_model_fsdp.bin").is_file() or (folder / "pytorch_model_fsdp_0").is_dir()):
            return "no pytorch_model_fsdp.bin (FSDP's resume state of the model)"
        if not ((folder / "optimizer.bin").is_file() or (folder / "optimizer_0").is_dir()):
            return "no optimizer.bin (FSDP's resume state of the optimizer)"
    elif not deepspeed and not (folder / "optimizer.pt").is_file():
        return "no optimizer.pt (the resume state)"
    for name in weights:
        try:
            with safe_open(str(folder / name), framework="pt") as f:
                for key in f.keys():
                    t = f.get_tensor(key)
                    if t.is_floating_point() and not torch.isfinite(t).all():
                        return f"{name}: tensor '{key}' holds NaN or ±Infinity"
        except Exception as e:  # noqa: BLE001 - a torn or corrupt file, whatever safetensors says about it
            return f"{name} cannot be read ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else 'corrupt'})"
    return None


def choose_resume_checkpoint(run_dir: Path, fsdp: bool = False, deepspeed: bool = False) -> tuple[Path | None, list[tuple[Path, str]]]:
    """The newest checkpoint that passes `checkpoint_problem`, and the newer ones skipped with their problem."""
    skipped = []
    for folder in complete_checkpoints(run_dir):
        problem = checkpoint_problem(folder, fsdp, deepspeed)
        if problem is None:
            return folder, skipped
        skipped.append((folder, problem))
    return None, skipped


NONFINITE_SUFFIX = ".nonfinite"


def set_aside(folder: Path) -> Path:
    """step-N → step-N.nonfinite, so no resume picks it; kept for a post-mortem (as the TS engine's quarantine)."""
    target = folder.with_name(folder.name + NONFINITE_SUFFIX)
    if target.exists():
        shutil.rmtree(target)
    os.replace(folder, target)
    return target


def device_description():
    import torch

    if torch.cuda.is_available():
        name = torch.cuda.get_device_name(0)
        return "cuda", name
    return "cpu", f"cpu ({torch.get_num_threads()} threads)"


HEALTH_FILE = "spo_health.json"


def make_engine_trainer(base_cls, writer: EventWriter, run_dir: Path, stop: StopRequest, max_steps: int, health, divergence):
    """SPOTrainer with the run folder's rules: step-N checkpoints, the NaN stop, graceful stop, events."""
    import torch
    from transformers import TrainerCallback

    nan_at = int(os.environ["SPO_TORCH_NAN_AT_STEP"]) if os.environ.get("SPO_TORCH_NAN_AT_STEP") else None

    class EngineTrainer(base_cls):
        last_saved: int = -1

        step_losses: list = []
        pending_alerts: list = []
        # The last batch that gave a finite loss, and the batch of the step being computed: the NaN stop
        # re-runs the former to tell weights gone bad from one bad batch.
        previous_inputs = None
        current_inputs = None

        def _compute_loss(self, model, inputs, return_outputs):
            out = super()._compute_loss(model, inputs, return_outputs)
            if self.model.training:
                if self.current_inputs is not None and self.current_inputs[0] != self.state.global_step:
                    self.previous_inputs = self.current_inputs[1]  # the step before this one completed
                self.current_inputs = (self.state.global_step, inputs)
                loss = out[0] if return_outputs else out
                if nan_at is not None and self.state.global_step + 1 == nan_at:  # test hook: a diverged step
                    loss = loss * float("nan")
                # The mean over ranks, checked before backward on every rank together: a non-finite loss never
                # reaches the gradients, the weights or a checkpoint.
                value = self.accelerator.gather(loss.detach().float().reshape(1)).mean().item()
                if not math.isfinite(value):
                    raise NonFiniteStep(self.state.global_step + 1, f"loss is {_js_number(value)}")
                self.step_losses.append(value)
            return out

        def _note_variant_path(self, seen):
            # The run log says how the variant rows are computed: when it is first known, and when it changes.
            before = getattr(self, "spo_variant_path", None)
            super()._note_variant_path(seen)
            path = self.spo_variant_path
            if path is not None and path != before and self.is_world_process_zero():
                how = "each variant's unshared suffix packed into its pair's row" if path == "shared-prefix" else seen.get("why_full_rows", "")
                writer.log("info", f"SPO variant rows: {path} ({how})")

        def _get_grad_norm(self, model, grad_norm=None):
            # Called after backward (and clipping) and before optimizer.step(): the divergence rules'
            # place, as in the TF.js engine (src/core/train/divergence.ts).
            grad_norm = super()._get_grad_norm(model, grad_norm=grad_norm)
            gn = float(grad_norm.item() if hasattr(grad_norm, "item") else grad_norm) if grad_norm is not None else None
            step = self.state.global_step + 1
            loss = sum(self.step_losses) / len(self.step_losses) if self.step_losses else float("nan")
            self.step_losses = []
            alerts, halt = divergence.observe(step, loss, gn)
            if halt:
                raise NonFiniteStep(step, alerts[0]["message"].rsplit(" at step ", 1)[0])
            self.pending_alerts += [{**a, "step": step} for a in alerts]
            return grad_norm

        def weights_fail_on_previous_batch(self) -> bool:
            """The weights now (the failed step's update was not applied) give a non-finite loss or gradient norm
            on the batch of the step before, where the weights before them gave finite ones: the weights have
            gone bad, not the batch. (Weights near 1e37 can keep a finite loss and still give NaN gradients, so
            the gradients are checked too; every rank runs this together.)"""
            inputs = self.previous_inputs
            if inputs is None:
                return False
            model = self.model
            model.zero_grad(set_to_none=True)
            try:
                loss = base_cls._compute_loss(self, model, dict(inputs), False)
                value = self.accelerator.gather(loss.detach().float().reshape(1)).mean().item()
                if not math.isfinite(value):
                    return True
                self.accelerator.backward(loss)
                sq = sum(float(p.grad.float().pow(2).sum()) for p in model.parameters() if p.grad is not None)
                return not math.isfinite(sq)
            finally:
                model.zero_grad(set_to_none=True)

        def _weights_finite(self) -> bool:
            m = self.accelerator.unwrap_model(self.model)
            return all(torch.isfinite(p).all().item() for p in m.parameters() if p.requires_grad)

        def _save_checkpoint(self, model, trial):
            step = self.state.global_step
            if step == self.last_saved:
                return
            if not self._weights_finite():
                writer.log("warn", f"step {step}: weights are not finite; no checkpoint written")
                return
            # HF Trainer writes output_dir/checkpoint-N (trainer_state.json last); one rename makes it step-N,
            # so a step-N folder is always complete.
            super()._save_checkpoint(model, trial)
            self.accelerator.wait_for_everyone()
            if self.is_world_process_zero():
                src = Path(self.args.output_dir) / f"checkpoint-{step}"
                # Resumed runs keep the alert rules' memory.
                (src / HEALTH_FILE).write_text(json.dumps({"health": health.get_state(), "divergence": divergence.get_state()}))
                dst = run_dir / CHECKPOINTS / f"step-{step}"
                if dst.exists():
                    shutil.rmtree(dst)
                os.replace(src, dst)
                writer.emit({"type": "checkpoint", "step": step, "path": str(dst)})
            self.accelerator.wait_for_everyone()
            self.last_saved = step

    class EventCallback(TrainerCallback):
        trainer = None  # set once the trainer exists

        def __init__(self):
            self.t0 = time.time()
            self.start_step = None
            self.last_log = (time.time(), 0)

        def flush_alerts(self):
            for a in self.trainer.pending_alerts:
                writer.emit({"type": "alert", "code": a["code"], "step": a["step"], "message": a["message"]})
            self.trainer.pending_alerts = []

        def on_train_begin(self, args, state, control, **kw):
            self.start_step = state.global_step
            self.t0 = time.time()

        def on_step_end(self, args, state, control, **kw):
            step = state.global_step
            if not control.should_log:  # else they follow the step's metrics row (on_log), as in the TF.js engine
                self.flush_alerts()
            done = step - (self.start_step or 0)
            eta = (time.time() - self.t0) / done * (max_steps - step) if done > 0 else None
            writer.emit({"type": "progress", "phase": "align", "step": step, "totalSteps": max_steps, "etaSeconds": eta})
            if step >= max_steps:
                control.should_save = True  # the final checkpoint
            if _all_ranks_any(stop.poll(step)):
                control.should_save = True
                control.should_training_stop = True

        def on_log(self, args, state, control, logs=None, **kw):
            logs = dict(logs or {})
            if "train_runtime" in logs:
                return
            if any(k.startswith("eval_") for k in logs):
                skip = {"eval_runtime", "eval_samples_per_second", "eval_steps_per_second", "epoch"}
                row = {"eval/" + k[5:]: v for k, v in logs.items() if k.startswith("eval_") and k not in skip}
                row = {"step": state.global_step, **finite_row(row)}
                writer.emit({"type": "metrics", "split": "eval", "row": row})
                return
            t, tokens = time.time(), logs.get("num_tokens", 0)
            last_t, last_tokens = self.last_log
            if tokens and t > last_t:
                logs["tokens_per_second"] = (tokens - last_tokens) / (t - last_t)
            self.last_log = (t, tokens)
            row = {"step": state.global_step, **finite_row(logs)}
            writer.emit({"type": "metrics", "split": "train", "row": row})
            self.flush_alerts()
            if "rewards/chosen" in row:
                for alert in health.observe(state.global_step, row.get("loss/align", row.get("loss", 0.0)), row["rewards/chosen"]):
                    writer.emit({"type": "alert", "code": alert["code"], "step": state.global_step, "message": alert["message"]})

    return EngineTrainer, EventCallback


def _all_ranks_any(flag: bool) -> bool:
    import torch
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
        t = torch.tensor([1.0 if flag else 0.0], device="cuda" if dist.get_backend() == "nccl" else "cpu")
        dist.all_reduce(t)
        return t.item() > 0
    return flag


def run(run_dir: Path, resume: bool) -> int:
    rank = int(os.environ.get("RANK", "0"))
    writer = EventWriter(run_dir, enabled=rank == 0)
    stop = StopRequest()
    stop.install()
    step = 0
    try:
        versions = check_versions()
        cfg = json.loads((run_dir / "config.json").read_text(encoding="utf-8"))
        check_causal_lm(cfg.get("model") or "")
        return _train(run_dir, resume, cfg, versions, writer, stop)
    except EngineError as e:
        return _fail(writer, step, str(e))
    except FileNotFoundError as e:
        return _fail(writer, step, f"cannot read {e.filename}: no such file")


def _fail(writer: EventWriter, step: int, message: str) -> int:
    print(f"spo_torch: {message}", file=sys.stderr, flush=True)
    writer.emit({"type": "done", "reason": "failed", "step": step, "message": message})
    return 1


def _train(run_dir, resume, cfg, versions, writer, stop) -> int:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, PrinterCallback

    from .data import read_pairs, to_datasets
    from .degrees import compute_degrees, write_degrees
    from .run_config import engine_options, spo_config, spo_gamma
    from .trainer import SPOTrainer

    try:
        opts = engine_options(cfg)
    except ValueError as e:
        raise EngineError(str(e)) from None
    if spo_gamma(cfg) > 0 and deepspeed_zero_stage() == 3:  # before TrainingArguments, which imports deepspeed
        # Tested on CPU (2 processes, gloo): ZeRO-3 gathers each module's parameters in backward in the order autograd
        # reaches them, and the variant rows, different on each rank, make that order differ: a collective mismatch
        # at step 1. ZeRO-2 (and plain DPO under ZeRO-3) matched one process.
        raise EngineError("SPO (spo_gamma > 0) under DeepSpeed ZeRO-3 is not supported yet (ranks gather parameters in "
                          "different orders in backward); use ZeRO-2 (TRL's zero2.yaml) or FSDP2, or spo_gamma 0 for plain DPO")
    world = int(os.environ.get("WORLD_SIZE", "1"))
    kind, device_name = device_description()
    use_cpu = kind == "cpu" or os.environ.get("ACCELERATE_USE_CPU", "").lower() in ("1", "true")
    if use_cpu:
        kind, device_name = "cpu", f"cpu ({torch.get_num_threads()} threads)"
    bf16 = bool(cfg.get("bf16", False)) and not use_cpu and torch.cuda.is_bf16_supported()
    try:
        args = spo_config(cfg, str(run_dir / CHECKPOINTS), use_cpu=use_cpu, bf16=bf16)
    except ValueError as e:  # a knob out of range: SPOConfig's / DPOConfig's own message
        raise EngineError(f"config.json: {str(e).splitlines()[0]}") from None
    resume_from = None
    if resume and under_fsdp() and os.environ.get("FSDP_VERSION", "1") == "1":  # accelerate's default version is 1
        # Tested on CPU (tests/test_fsdp.py): under FSDP1 the step after the resumed one came out 5e-4 off an
        # uninterrupted run's, even for plain DPO; under FSDP2 the losses are the same.
        raise EngineError("resuming under FSDP1 is not supported (its optimizer state does not come back exactly); "
                          "resume under FSDP2 (fsdp_version: 2, as TRL's fsdp2.yaml), or start a new run from a checkpoint's weights")
    if resume:
        resume_from, skipped = choose_resume_checkpoint(run_dir, under_fsdp(), deepspeed_zero_stage() is not None)
        for folder, problem in skipped:  # said before `started`, as the TS engine logs them
            writer.log("warn", f"skipping checkpoint {folder.name}: {problem}")
        if resume_from is None:
            if skipped:
                raise EngineError(f"{run_dir}: no usable checkpoint to resume from (every one is incomplete, corrupt or not finite)")
            raise EngineError(f"{run_dir}: no complete checkpoint to resume from (checkpoints/step-N with trainer_state.json)")
    writer.emit({
        "type": "started", "runDir": str(run_dir), "runName": run_dir.name, "backend": f"torch-{kind}",
        "backendNote": f"torch {versions['torch']}, transformers {versions['transformers']}, trl {versions['trl']}, {device_name}"
        + (f", {world} processes" if world > 1 else "")
        + (f", resumed from {resume_from.name}" if resume_from else ""),
        "totalSteps": opts.max_steps, "config": cfg, "pid": os.getpid(), "host": socket.gethostname(),
        "engine": "torch", "device": device_name,
    })
    tok = AutoTokenizer.from_pretrained(opts.model)
    pairs = read_pairs(run_dir / "pairs.jsonl")
    lines = {int(p["index"]): int(p.get("source_line", int(p["index"]) + 1)) for p in pairs}
    data_degrees = {int(p["index"]): p.get("data_degree") for p in pairs}
    train_ds, eval_ds = to_datasets(pairs, tok)
    model = AutoModelForCausalLM.from_pretrained(opts.model, dtype=torch.float32)
    peft_config = None
    if opts.use_peft:
        try:
            from peft import LoraConfig
        except ImportError:
            raise EngineError("use_peft needs peft: pip install 'spo-studio-torch[peft]'") from None
        peft_config = LoraConfig(r=opts.lora_r, lora_alpha=opts.lora_alpha, lora_dropout=opts.lora_dropout, target_modules="all-linear", task_type="CAUSAL_LM")
    from .divergence import DivergenceMonitor
    from .health import HealthMonitor

    health = HealthMonitor(list(args.loss_type) == ["sigmoid"])  # the 0.693 plateau is DPO's
    divergence = DivergenceMonitor()
    if resume_from is not None and (resume_from / HEALTH_FILE).is_file():
        saved = json.loads((resume_from / HEALTH_FILE).read_text())
        health.set_state(saved.get("health"))
        divergence.set_state(saved.get("divergence"))
    EngineTrainer, EventCallback = make_engine_trainer(SPOTrainer, writer, run_dir, stop, opts.max_steps, health, divergence)
    events_cb = EventCallback()
    trainer = EngineTrainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds, processing_class=tok, peft_config=peft_config, callbacks=[events_cb])
    events_cb.trainer = trainer
    trainer.remove_callback(PrinterCallback)  # stdout carries events only
    if world > 1:  # which of accelerate's engines the launch picked (DDP on CPU is MULTI_CPU; FSDP, DeepSpeed, MULTI_GPU)
        writer.log("info", f"distributed: {trainer.accelerator.distributed_type.value}, {world} processes")
    if resume_from is not None:
        trainer.last_saved = int(resume_from.name[5:])
    step = trainer.state.global_step
    try:
        trainer.train(resume_from_checkpoint=str(resume_from) if resume_from else None)
    except NonFiniteStep as e:
        # As the TS engine's nanStopPlan: the step k − 1 checkpoint holds the weights step k ran with; when they
        # fail on the batch before too (weights of 1e37 are finite, yet every forward overflows), set it aside.
        previous = run_dir / CHECKPOINTS / f"step-{e.step - 1}"
        aside = ""
        if (previous / "trainer_state.json").is_file() and _all_ranks_any(trainer.weights_fail_on_previous_batch()):
            trainer.accelerator.wait_for_everyone()
            if trainer.is_world_process_zero():
                aside = f" The step-{e.step - 1} checkpoint already produced it and was set aside as {set_aside(previous).name}."
        last = next((c for c in complete_checkpoints(run_dir) if int(c.name[5:]) < e.step), None)
        where = f"the last good checkpoint is {last}" if last else "no good checkpoint was saved yet"
        message = f"{e.problem} at step {e.step}; training stopped before the update ({where}).{aside} Try a lower learning_rate or beta."
        writer.emit({"type": "alert", "code": "nan", "step": e.step, "message": message})
        writer.emit({"type": "done", "reason": "failed", "step": e.step - 1, "message": message})
        return 1
    step = trainer.state.global_step
    if stop.requested:
        writer.emit({"type": "done", "reason": "stopped", "step": step, "message": f"stopped ({stop.why}); resume continues from step {step}"})
        return 0
    if opts.write_degrees:
        writer.emit({"type": "progress", "phase": "degrees", "step": step, "totalSteps": opts.max_steps, "etaSeconds": None})
        records = compute_degrees(trainer, [("train", trainer.train_dataset), ("eval", trainer.eval_dataset)], lines, args.per_device_eval_batch_size, data_degrees)
        if trainer.is_world_process_zero():
            write_degrees(run_dir / "degrees.jsonl", records)
            writer.log("info", f"wrote {len(records)} per-example degrees to {run_dir / 'degrees.jsonl'}")
    if opts.use_peft and opts.merge_adapter and trainer.is_world_process_zero():
        export = run_dir / "merged"
        _merged_export(trainer, tok, export)
        writer.log("info", f"merged adapter export: {export}")
    writer.emit({"type": "done", "reason": "completed", "step": step})
    return 0


def _merged_export(trainer, tok, export: Path) -> None:
    """The base model with the LoRA adapter merged in, in HF layout (heads beside it, not in it)."""
    from .trainer import HEADS_ATTR

    model = trainer.accelerator.unwrap_model(trainer.model)
    merged = model.merge_and_unload()
    heads = getattr(merged, HEADS_ATTR, None)
    state = {k: v for k, v in merged.state_dict().items() if f"{HEADS_ATTR}." not in k}
    merged.save_pretrained(str(export), state_dict=state)
    tok.save_pretrained(str(export))
    if heads is not None:
        heads.save(export)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m spo_torch.train", description="Train SPO with PyTorch + TRL on a prepared run folder.")
    ap.add_argument("--run-dir", required=True, help="run folder with config.json and pairs.jsonl")
    ap.add_argument("--resume", action="store_true", help="continue from the newest complete checkpoint")
    a = ap.parse_args(argv)
    run_dir = Path(a.run_dir).resolve()
    # Events own stdout (one JSON object a line); anything else a library prints goes to stderr.
    events_out, sys.stdout = sys.stdout, sys.stderr
    EventWriter.default_stdout = events_out
    try:
        return run(run_dir, a.resume)
    except Exception as e:  # noqa: BLE001 - every failure ends the run with one line
        return _fail(EventWriter(run_dir, enabled=int(os.environ.get("RANK", "0")) == 0), 0, explain(e))


def explain(e: BaseException) -> str:
    """One line for an unexpected failure: CUDA out of memory, a dead worker, or the error itself."""
    text = f"{type(e).__name__}: {e}".splitlines()[0]
    try:
        import torch

        if isinstance(e, torch.cuda.OutOfMemoryError):
            return ("CUDA out of memory: lower per_device_train_batch_size or max_length, raise gradient_accumulation_steps, "
                    "or use use_peft / bf16; resume continues from the last checkpoint")
    except ImportError:
        pass
    low = text.lower()
    if any(s in low for s in ("connection closed by peer", "connection reset", "gloo", "nccl", "broken pipe", "process group")):
        # The transport's own text runs long (gloo's ends in advice and an emoji): its first sentence is enough.
        detail = text.split(". ")[0]
        detail = detail if len(detail) <= 200 else detail[:199] + "…"
        return f"a worker process died or lost its connection ({detail}); resume continues from the last checkpoint"
    traceback.print_exc(file=sys.stderr)
    return text


if __name__ == "__main__":
    sys.exit(main())
