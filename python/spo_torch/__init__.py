"""SPO Studio's PyTorch engine: TRL's DPOTrainer plus the SPO degree heads and loss.

`SPOConfig` / `SPOTrainer` are imported lazily so `spo_torch.augment` (pure Python) loads without torch.
"""

__version__ = "0.1.0"
__all__ = ["SPOConfig", "SPOTrainer", "__version__"]


def __getattr__(name):
    if name == "SPOConfig":
        from .config import SPOConfig

        return SPOConfig
    if name == "SPOTrainer":
        from .trainer import SPOTrainer

        return SPOTrainer
    raise AttributeError(name)
