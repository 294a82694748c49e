"""Loss and per-batch metric sums for classification and regression."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def regression_predictions(output: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Return the model outputs that correspond to `targets`.

    `output` has shape (B, T_out, 1). One target per series (shape (B,), Tecator)
    takes the last output, because only that one has seen the whole series. A target
    sequence (shape (B, T)) takes all T outputs.
    """
    output = output[..., 0]
    if targets.dim() == 1:
        return output[:, -1]
    return output[:, : targets.shape[1]]


def batch_loss(task: str, output: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Return the mean training loss: cross-entropy, or MSE on scaled targets."""
    if task == "classification":
        return F.cross_entropy(output, targets)
    return F.mse_loss(regression_predictions(output, targets), targets)


def batch_sums(task: str, output: torch.Tensor, targets: torch.Tensor,
               half_range: float) -> torch.Tensor:
    """Return float64 sums [loss_sum, metric_sum, count] for one evaluation batch.

    Classification: summed cross-entropy, number correct, number of series.
    Regression: summed squared error on scaled targets, the same in the dataset's
    units (scaled error times `half_range` squared), number of target values.
    """
    if task == "classification":
        loss_sum = F.cross_entropy(output, targets, reduction="sum")
        correct = (output.argmax(dim=-1) == targets).sum()
        count = targets.shape[0]
        return torch.tensor([float(loss_sum), float(correct), float(count)],
                            dtype=torch.float64)

    predictions = regression_predictions(output, targets)
    squared = ((predictions.double() - targets.double()) ** 2).sum()
    return torch.tensor([float(squared), float(squared) * half_range ** 2,
                         float(targets.numel())], dtype=torch.float64)


def metrics_from_sums(task: str, sums: torch.Tensor) -> dict:
    """Turn summed [loss, metric, count] into {"accuracy" or "mse", "loss"}."""
    loss_sum, metric_sum, count = (float(v) for v in sums)
    if count == 0:
        return {}
    if task == "classification":
        return {"accuracy": metric_sum / count, "loss": loss_sum / count}
    return {"mse": metric_sum / count, "loss": loss_sum / count}
