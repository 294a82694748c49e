"""Write the best model as a share-neuro checkpoint (see docs/architecture.md)."""

from __future__ import annotations

from pathlib import Path

import torch

from share_neuro.training.files import write_atomic

CHECKPOINT_FORMAT = "share-neuro-checkpoint"
CHECKPOINT_VERSION = 1


def checkpoint_dict(result, data, preset) -> dict:
    """Return the checkpoint as plain types and tensors, loadable with weights_only=True.

    Besides the contract's keys it stores `target_scaling` (regression only; the model
    predicts `(y - center) / half_range`) and the `preset` used.
    """
    checkpoint = {
        "format": CHECKPOINT_FORMAT,
        "version": CHECKPOINT_VERSION,
        "config": result.config,
        "state_dict": {key: value.detach().cpu().clone()
                       for key, value in result.state_dict.items()},
        "dataset": data.dataset.name,
        "normalization": result.normalization,
        "metrics": result.metrics,
        "history": result.history,
        "preset": preset.to_dict(),
    }
    if data.target_scaling is not None:
        checkpoint["target_scaling"] = dict(data.target_scaling)
    return checkpoint


def save_checkpoint(path: Path, result, data, preset) -> None:
    checkpoint = checkpoint_dict(result, data, preset)
    write_atomic(Path(path), lambda temporary: torch.save(checkpoint, temporary))
