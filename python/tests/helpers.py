"""Shared test helpers: run the engine CLI in-process or as a child, read events, validate them."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "schemas"
OWN = Path(__file__).parent / "fixtures"


def schema(name):
    """schemas/<name>.schema.json once it is on main (spo schema …), else the own stand-in."""
    real = SCHEMAS / f"{name}.schema.json"
    path = real if real.exists() else OWN / f"{name}.schema.json"
    return json.loads(path.read_text()), path


def events(run_dir):
    return [json.loads(line) for line in (Path(run_dir) / "metrics.jsonl").read_text().splitlines() if line.strip()]


def validate_events(evs):
    import jsonschema

    s, _ = schema("events")
    for e in evs:
        jsonschema.validate(e, s)


def validate_config(cfg):
    import jsonschema

    s, _ = schema("config")
    jsonschema.validate(cfg, s)


def losses(evs, key="loss"):
    return {e["row"]["step"]: e["row"][key] for e in evs if e["type"] == "metrics" and e.get("split") == "train"}


def run_inprocess(run_dir, *extra, env=None):
    """The CLI in this process (imports are shared, so it is quick)."""
    from spo_torch import train

    old = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    saved = sys.stdout
    try:
        return train.main(["--run-dir", str(run_dir), *extra])
    finally:
        sys.stdout = saved
        train.EventWriter.default_stdout = None
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def child_env(**extra):
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="", HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false", OMP_NUM_THREADS="1")
    env.update(extra)
    return env


def spawn(run_dir, *extra, **env):
    return subprocess.Popen([sys.executable, "-m", "spo_torch.train", "--run-dir", str(run_dir), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env(**env), cwd=str(REPO / "python"))
