import os

import pytest

# Tests run on CPU, on few threads, offline.
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("WANDB_DISABLED", "true")


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    from spo_torch.fixtures import make_model

    return str(make_model(tmp_path_factory.mktemp("tiny-llama"), d_model=32, layers=2, heads=4, seed=0))


@pytest.fixture(scope="session")
def pairs():
    from spo_torch.fixtures import make_pairs

    return make_pairs(12, seed=3)
