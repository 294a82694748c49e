"""DistributedDataParallel set-up for training under torchrun (gloo backend, CPU).

Run as `torchrun --nproc_per_node 2 -m share_neuro.training.distributed DATASET ...`
(the options of `share-neuro train`), or `torchrun ... $(which share-neuro) train --ddp`.
torchrun sets RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT; every rank
builds the same model from the same seed, trains on its own shard of each batch
(DistributedSampler) and averages gradients in DDP's backward. Only rank 0 prints
progress and writes files.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from share_neuro.errors import ShareNeuroError

TORCHRUN_VARIABLES = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")


class DistributedSetupError(ShareNeuroError):
    """`--ddp` outside torchrun, or a process group that failed to start."""


@dataclass(frozen=True)
class DistributedContext:
    """Rank and world size of this process; a single process has rank 0 of 1."""

    rank: int = 0
    world_size: int = 1
    enabled: bool = False

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def setup(enabled: bool) -> DistributedContext:
    """Join the torchrun process group when `enabled`; else return a one-process context."""
    if not enabled:
        return DistributedContext()

    missing = [name for name in TORCHRUN_VARIABLES if name not in os.environ]
    if missing:
        raise DistributedSetupError(
            f"--ddp needs the environment that torchrun sets, but {', '.join(missing)} "
            "is not set. Start training with "
            "`torchrun --nproc_per_node 2 -m share_neuro.training.distributed DATASET ...`."
        )

    import torch.distributed as dist

    if not dist.is_available():
        raise DistributedSetupError("This torch build has no torch.distributed support.")
    if not dist.is_initialized():
        dist.init_process_group(backend="gloo")
    return DistributedContext(rank=dist.get_rank(), world_size=dist.get_world_size(),
                              enabled=True)


def teardown(context: DistributedContext) -> None:
    """Leave the process group, if this process joined one."""
    if not context.enabled:
        return

    import torch.distributed as dist

    if dist.is_initialized():
        dist.destroy_process_group()


def all_reduce_sum(context: DistributedContext, values):
    """Return the element-wise sum of a float64 tensor over all ranks (a copy)."""
    if not context.enabled:
        return values

    import torch.distributed as dist

    summed = values.clone()
    dist.all_reduce(summed, op=dist.ReduceOp.SUM)
    return summed


def barrier(context: DistributedContext) -> None:
    if context.enabled:
        import torch.distributed as dist

        dist.barrier()


def main(argv: list[str] | None = None) -> None:
    """Run `share-neuro train --ddp` with the given arguments (the torchrun entry point)."""
    from share_neuro.cli import main as cli_main

    arguments = list(sys.argv[1:] if argv is None else argv)
    cli_main(["train", "--ddp", *arguments], prog_name="share_neuro.training.distributed")


if __name__ == "__main__":
    main()
