"""`python -m spo_torch.train` under accelerate's DeepSpeed on CPU, for tests/test_deepspeed.py (run it with torchrun).

As with FSDP (tests/fsdp_launch.py), accelerate 1.15 picks DeepSpeed only off the CPU: with `cpu=True` a torchrun
launch becomes MULTI_CPU and `AcceleratorState.__init__` drops the DeepSpeed plugin (its DEEPSPEED branch asks for
`not cpu`). So after accelerate has set up the gloo process group, this sets the distributed type to DEEPSPEED and
selects the plugin exactly as that branch does. DeepSpeed itself runs on its CPU accelerator (DS_ACCELERATOR=cpu,
gloo). Everything after that is accelerate's, TRL's, the HF Trainer's and DeepSpeed's real code: the engine, ZeRO's
partitioned optimizer, its checkpoint (global_stepN/) and its resume.
"""

import sys
from pathlib import Path

# The spo_torch next to these tests, not an installed copy.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import accelerate.state as S  # noqa: E402
from accelerate.utils import DistributedType  # noqa: E402

_init = S.AcceleratorState.__init__


def _deepspeed_on_cpu(self, *args, deepspeed_plugin=None, **kwargs):
    _init(self, *args, deepspeed_plugin=deepspeed_plugin, **kwargs)
    if deepspeed_plugin is not None and self.distributed_type == DistributedType.MULTI_CPU:
        self.distributed_type = DistributedType.DEEPSPEED
        deepspeed_plugin.set_mixed_precision(self._mixed_precision)
        deepspeed_plugin.select(_from_accelerator_state=True)
        self.deepspeed_plugins = deepspeed_plugin
        S.PartialState._shared_state["distributed_type"] = self.distributed_type


S.AcceleratorState.__init__ = _deepspeed_on_cpu

if __name__ == "__main__":
    from spo_torch.train import main

    sys.exit(main(sys.argv[1:]))
