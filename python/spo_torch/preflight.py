"""One clear line for each thing that stops the engine before it trains: a missing or too old torch/TRL,
a model folder that is not a causal LM. Each message names the fix."""

from __future__ import annotations

import importlib
import os

SETUP = "npm run setup:torch (or: pip install -e 'python[peft]')"
MINIMUM = {"torch": "2.6", "transformers": "5.0", "trl": "1.16", "accelerate": "1.4"}
BELOW = {"trl": "1.17"}  # the TRL line spo_torch/trl_internals.py was checked against


class EngineError(Exception):
    """A refusal with one line the CLI and VS Code show as is."""


def _version_tuple(v: str) -> tuple[int, ...]:
    """(major, minor, patch…) from a version string; stops at the first non-numeric part (dev, rc, +local)."""
    import re

    out = []
    for part in v.split("+")[0].split("."):
        m = re.match(r"\d+", part)
        if not m:
            break
        out.append(int(m.group()))
        if m.end() < len(part):
            break
    return tuple(out)


def check_versions() -> dict[str, str]:
    import sys

    found = {}
    for name, minimum in MINIMUM.items():
        try:
            mod = importlib.import_module(name)
        except ImportError:
            raise EngineError(f"{name} is not installed in {sys.executable}; install the engine: {SETUP}") from None
        version = getattr(mod, "__version__", "0")
        if _version_tuple(version) < _version_tuple(minimum):
            raise EngineError(f"{name} {version} is too old in {sys.executable} (need >= {minimum}); upgrade: {SETUP}")
        if name in BELOW and _version_tuple(version) >= _version_tuple(BELOW[name]):
            raise EngineError(
                f"{name} {version} is newer than the tested line (< {BELOW[name]}): spo_torch relies on its DPOTrainer internals; "
                f"install the tested one: pip install '{name}>={minimum},<{BELOW[name]}'"
            )
        found[name] = version
    return found


def check_causal_lm(folder: str) -> None:
    if not folder:
        raise EngineError("the torch engine needs a model: pass --model DIR (an HF folder with config.json and weights)")
    if not os.path.isdir(folder):
        raise EngineError(f"model folder {folder} does not exist")
    if not os.path.isfile(os.path.join(folder, "config.json")):
        raise EngineError(f"{folder} is not a Hugging Face model folder (no config.json)")
    from transformers import AutoConfig
    from transformers.models.auto.modeling_auto import MODEL_FOR_CAUSAL_LM_MAPPING_NAMES

    try:
        config = AutoConfig.from_pretrained(folder)
    except Exception as e:  # noqa: BLE001 - any parse failure is the same refusal
        raise EngineError(f"{folder}/config.json cannot be read as a model config ({str(e).splitlines()[0]})") from None
    if config.model_type not in MODEL_FOR_CAUSAL_LM_MAPPING_NAMES:
        raise EngineError(f"{folder} holds a '{config.model_type}' model, which is not a causal language model (AutoModelForCausalLM cannot load it)")
    weights = [f for f in os.listdir(folder) if f.endswith((".safetensors", ".bin", ".gguf")) and f != "spo_heads.safetensors"]
    if not weights:
        raise EngineError(f"{folder} has a config.json but no weights (*.safetensors)")
