"""SPOConfig: TRL's DPOConfig plus SPO's three knobs (spo-method.md §2–4)."""

from __future__ import annotations

from dataclasses import dataclass, field

from trl import DPOConfig


@dataclass
class SPOConfig(DPOConfig):
    spo_gamma: float = field(default=0.1, metadata={"help": "Weight γ of the SPO degree loss; 0 gives exactly TRL's loss."})
    spo_classes: int = field(default=4, metadata={"help": "Number of degree classes K (0 = intact … K−1 = every key span removed)."})
    spo_pooling: str = field(default="mean", metadata={"help": "Pooling of the response hidden states: 'mean' or 'last'."})
    spo_seed: int | None = field(default=None, metadata={"help": "Seed of the variant draws; None = `seed`."})

    def __post_init__(self):
        if not (isinstance(self.spo_classes, int) and self.spo_classes >= 2):
            raise ValueError(f"spo_classes must be an integer >= 2, got {self.spo_classes!r}")
        if self.spo_pooling not in ("mean", "last"):
            raise ValueError(f"spo_pooling must be 'mean' or 'last', got {self.spo_pooling!r}")
        if not (self.spo_gamma >= 0):
            raise ValueError(f"spo_gamma must be >= 0, got {self.spo_gamma!r}")
        # The heads are used after the DDP forward; with find_unused_parameters DDP would mark them
        # ready before their gradients arrive. Every parameter gets a gradient every step, so off is right.
        if self.ddp_find_unused_parameters is None:
            self.ddp_find_unused_parameters = False
        super().__post_init__()
