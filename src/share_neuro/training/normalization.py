"""Per-channel input normalisation, fitted on the training split.

The statistics travel in the checkpoint (`normalization.mean`, `normalization.std`) so
that the converter and the simulators apply the same `(x - mean) / std` to raw input.
"""

from __future__ import annotations

import numpy as np

# A channel whose training standard deviation is below this (a constant channel) keeps
# std 1, so that normalisation never divides by zero or blows up rounding noise.
MIN_STD = 1e-6


def fit_normalization(x_train: np.ndarray, enabled: bool = True) -> dict:
    """Return {"mean": [C floats], "std": [C floats]} for inputs of shape (N, L, C).

    With `enabled` False the result is mean 0 and std 1 for every channel, which leaves
    the input unchanged.
    """
    channels = x_train.shape[-1]
    if not enabled:
        return {"mean": [0.0] * channels, "std": [1.0] * channels}

    flat = x_train.reshape(-1, channels).astype(np.float64)
    mean = flat.mean(axis=0)
    std = flat.std(axis=0)
    std = np.where(std < MIN_STD, 1.0, std)
    return {"mean": [float(v) for v in mean], "std": [float(v) for v in std]}


def apply_normalization(x: np.ndarray, normalization: dict) -> np.ndarray:
    """Return `(x - mean) / std` as float32, channel-wise over the last axis."""
    mean = np.asarray(normalization["mean"], dtype=np.float32)
    std = np.asarray(normalization["std"], dtype=np.float32)
    return ((x.astype(np.float32) - mean) / std).astype(np.float32)
