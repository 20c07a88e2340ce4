"""One clear line for each refusal before training: torch/TRL missing or out of range, CUDA OOM, a dead worker."""

import sys

import pytest

from spo_torch import preflight
from spo_torch.preflight import EngineError, check_versions
from spo_torch.train import explain


def test_installed_versions_pass():
    found = check_versions()
    assert set(found) == {"torch", "transformers", "trl", "accelerate"}


@pytest.mark.parametrize("version,needle", [("1.15.2", "too old"), ("1.17.0", "newer than the tested line")])
def test_trl_out_of_range(monkeypatch, version, needle):
    import trl

    monkeypatch.setattr(trl, "__version__", version)
    with pytest.raises(EngineError, match=needle) as e:
        check_versions()
    assert "\n" not in str(e.value) and "pip install" in str(e.value)


def test_torch_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    with pytest.raises(EngineError, match=r"torch is not installed .*setup:torch"):
        check_versions()


def test_cuda_oom_and_dead_worker_messages():
    import torch

    oom = explain(torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB"))
    assert oom.startswith("CUDA out of memory") and "per_device_train_batch_size" in oom and "resume" in oom
    dead = explain(RuntimeError("[/pytorch/third_party/gloo/gloo/transport/tcp/pair.cc:534] Connection closed by peer [127.0.0.1]:1234"))
    assert dead.startswith("a worker process died") and "\n" not in dead


def test_version_parsing():
    assert preflight._version_tuple("2.15.0+cu132") == (2, 15, 0)
    assert preflight._version_tuple("1.17.0.dev0") == (1, 17, 0)
