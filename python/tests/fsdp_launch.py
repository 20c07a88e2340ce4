"""`python -m spo_torch.train` under accelerate's FSDP on CPU, for tests/test_fsdp.py (run it with torchrun).

accelerate 1.15 picks FSDP only on an accelerator: with `cpu=True` (ACCELERATE_USE_CPU) a torchrun launch becomes
MULTI_CPU (DDP over gloo) and the FSDP plugin is dropped (`AcceleratorState.__init__` sets FSDP only in its
MULTI_GPU/NPU/XPU/... branch); without it, no CUDA gives DistributedType.NO, one process each. FSDP1's plugin
also asks for a device when `sync_module_states` is on. So after accelerate has set up the gloo process group,
this sets the distributed type to FSDP exactly as that branch does (and mirrors it into PartialState, as the
end of `AcceleratorState.__init__` does), and the device to plain `cpu` (MULTI_CPU says `cpu:0`, which FSDP1
rejects: "Inconsistent compute device and `device_id`: cpu vs cpu:0"). Everything after that is accelerate's,
TRL's and the HF Trainer's real FSDP code: wrapping (fully_shard / FullyShardedDataParallel), the optimizer,
the full state dict on save.
"""

import sys
from pathlib import Path

# The spo_torch next to these tests, not an installed copy.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402
import accelerate.state as S  # noqa: E402
from accelerate.utils import DistributedType  # noqa: E402

_init = S.AcceleratorState.__init__


def _fsdp_on_cpu(self, *args, fsdp_plugin=None, **kwargs):
    _init(self, *args, fsdp_plugin=fsdp_plugin, **kwargs)
    if fsdp_plugin is not None and self.distributed_type == DistributedType.MULTI_CPU:
        self.distributed_type = DistributedType.FSDP
        self.fsdp_plugin = fsdp_plugin
        self.device = torch.device("cpu")
        S.PartialState._shared_state["distributed_type"] = self.distributed_type
        S.PartialState._shared_state["device"] = self.device


S.AcceleratorState.__init__ = _fsdp_on_cpu

if __name__ == "__main__":
    import torch.distributed as dist
    from spo_torch.train import main

    rc = main(sys.argv[1:])
    # Once the run is over, take the gloo group down on every rank together: left to interpreter exit, a rank of
    # an FSDP1 run on CPU sometimes aborted there ("terminate called without an active exception", exit -6)
    # after `done` `completed` had been written.
    if rc == 0 and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
    sys.exit(rc)
