"""Regression targets: scaling into the model's tanh range and aligning outputs.

The SHaRe-SSM regression head ends in tanh, so it can only produce values in (-1, 1).
Targets already inside [-1, 1] (PPG-DaLiA, which the data layer min-max scales per
subject) are used unchanged. Other targets (Tecator's fat percentage) are mapped
linearly so that the training range covers [-TARGET_RANGE, TARGET_RANGE]; the margin
leaves room for validation and test values slightly outside the training range. The
scaling is stored in the checkpoint, and reported MSE values are in the dataset's own
units.
"""

from __future__ import annotations

import numpy as np

from share_neuro.errors import DataError

TARGET_RANGE = 0.8


def fit_target_scaling(y_train: np.ndarray) -> dict:
    """Return {"center": c, "half_range": h}; the model learns (y - c) / h."""
    low = float(np.min(y_train))
    high = float(np.max(y_train))
    if low >= -1.0 and high <= 1.0:
        return {"center": 0.0, "half_range": 1.0}

    center = (low + high) / 2.0
    half_range = (high - low) / 2.0 / TARGET_RANGE
    if half_range <= 0.0:
        half_range = 1.0
    return {"center": center, "half_range": half_range}


def scale_targets(y: np.ndarray, scaling: dict) -> np.ndarray:
    return ((y - scaling["center"]) / scaling["half_range"]).astype(np.float32)


def regression_outputs_needed(target_shape: tuple, sequence_length: int, output_step: int,
                              dataset: str) -> None:
    """Raise DataError unless the head's outputs can be matched to the targets.

    The regression head emits `sequence_length // output_step` values per series.
    Targets of shape (N,) are compared with the last of them, because only that one has
    seen the whole series. Targets of shape (N, T) need exactly T outputs.
    """
    outputs = sequence_length // output_step
    if outputs < 1:
        raise DataError(
            f"Dataset {dataset!r} has series of {sequence_length} steps, shorter than the "
            f"model's output_step {output_step}, so the regression head emits no output. "
            "Use a preset with a smaller output_step."
        )
    if len(target_shape) == 2 and target_shape[1] != outputs:
        raise DataError(
            f"Dataset {dataset!r} has {target_shape[1]} targets per series, but the model "
            f"emits {outputs} ({sequence_length} steps // output_step {output_step}). "
            "Use a preset whose output_step gives one output per target."
        )
