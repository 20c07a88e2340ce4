"""The two SPO classifier heads (spo-method.md §3): `pref` for chosen variants, `dispref` for rejected ones,
each a linear d_model → K on the pooled final hidden states over the response tokens.

Stored as the TF.js engine stores them (`spo_heads.safetensors`: `pref.weight` [D, K], `pref.bias` [K],
`dispref.weight`, `dispref.bias`, float32), so either engine reads the other's checkpoints.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
from torch import nn

HEADS_FILE = "spo_heads.safetensors"
HEAD_NAMES = ("pref", "dispref")


class SPOHeads(nn.Module):
    def __init__(self, d_model: int, classes: int, seed: int = 0):
        super().__init__()
        g = torch.Generator().manual_seed(seed * 7919)
        self.classes = classes
        self.d_model = d_model
        # Weights as [D, K] (the file layout), so logits = pooled @ W + b.
        self.pref_weight = nn.Parameter(torch.randn(d_model, classes, generator=g) * 0.02)
        self.pref_bias = nn.Parameter(torch.zeros(classes))
        self.dispref_weight = nn.Parameter(torch.randn(d_model, classes, generator=g) * 0.02)
        self.dispref_bias = nn.Parameter(torch.zeros(classes))

    def logits(self, head: str, pooled: torch.Tensor) -> torch.Tensor:
        w = getattr(self, f"{head}_weight")
        b = getattr(self, f"{head}_bias")
        return pooled.to(w.dtype) @ w + b

    def forward(self, pref_pooled: torch.Tensor, dispref_pooled: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Both heads' logits. Called as a module (not `.logits`), so a wrapper that gathers parameters around a
        module's forward (FSDP, when a wrap policy makes the heads a unit of their own) sees the call."""
        return self.logits("pref", pref_pooled), self.logits("dispref", dispref_pooled)

    def tensors(self) -> dict[str, torch.Tensor]:
        return {f"{h}.{part}": getattr(self, f"{h}_{part}").detach().float().cpu().contiguous() for h in HEAD_NAMES for part in ("weight", "bias")}

    def save(self, folder: str | os.PathLike, tensors: dict[str, torch.Tensor] | None = None) -> Path:
        """Write the heads file from the live parameters, or from `tensors` (the file's names: gathered full
        tensors where the live parameters are shards)."""
        from safetensors.torch import save_file

        path = Path(folder) / HEADS_FILE
        if tensors is None:
            tensors = self.tensors()
        else:
            tensors = {k: v.detach().float().cpu().contiguous() for k, v in tensors.items()}
            for h in HEAD_NAMES:  # the same layout check as `load`
                for part, shape in (("weight", (self.d_model, self.classes)), ("bias", (self.classes,))):
                    if tuple(tensors[f"{h}.{part}"].shape) != shape:
                        raise ValueError(f"heads tensor '{h}.{part}' has shape {list(tensors[f'{h}.{part}'].shape)}, not {list(shape)}")
        save_file(tensors, str(path), metadata={"format": "pt", "classes": str(self.classes)})
        return path

    def load(self, folder_or_file: str | os.PathLike) -> None:
        from safetensors.torch import load_file

        path = Path(folder_or_file)
        if path.is_dir():
            path = path / HEADS_FILE
        tensors = load_file(str(path))
        with torch.no_grad():
            for h in HEAD_NAMES:
                for part, shape in (("weight", (self.d_model, self.classes)), ("bias", (self.classes,))):
                    t = tensors.get(f"{h}.{part}")
                    if t is None or tuple(t.shape) != shape:
                        raise ValueError(f"{path}: tensor '{h}.{part}' missing or not of shape {list(shape)}")
                    getattr(self, f"{h}_{part}").copy_(t)

    def all_finite(self) -> bool:
        return all(torch.isfinite(p).all().item() for p in self.parameters())


def pool_hidden(hidden: torch.Tensor, mask: torch.Tensor, mode: str) -> torch.Tensor:
    """Response hidden states pooled per row: masked mean, or the last response token. [B, D], float32."""
    h = hidden.float()
    m = mask.to(h.dtype).unsqueeze(-1)
    if mode == "mean":
        return (h * m).sum(1) / m.sum(1).clamp(min=1)
    if mode == "last":
        positions = torch.arange(1, mask.size(1) + 1, device=mask.device) * (mask > 0)
        last = positions.argmax(1)
        return h[torch.arange(h.size(0), device=h.device), last]
    raise ValueError(f"spo_pooling must be 'mean' or 'last', got {mode!r}")
