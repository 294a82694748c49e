"""Validation and test evaluation, sharded over ranks under DDP."""

from __future__ import annotations

import torch

from share_neuro.training import distributed
from share_neuro.training.objective import batch_sums, metrics_from_sums


@torch.no_grad()
def evaluate(model, x: torch.Tensor, y: torch.Tensor, task: str, data, preset,
             context: distributed.DistributedContext) -> dict:
    """Return {"accuracy" or "mse", "loss"} of `model` on (x, y).

    Each rank evaluates every `world_size`-th series and the sums are added over ranks,
    so every rank gets the same numbers and takes the same early-stopping decision.
    """
    was_training = model.training
    model.eval()

    indices = torch.arange(context.rank, x.shape[0], context.world_size)
    sums = torch.zeros(3, dtype=torch.float64)
    for start in range(0, len(indices), preset.eval_batch_size):
        batch = indices[start:start + preset.eval_batch_size]
        sums += batch_sums(task, model(x[batch]), y[batch], data.target_half_range)

    model.train(was_training)
    return metrics_from_sums(task, distributed.all_reduce_sum(context, sums))
