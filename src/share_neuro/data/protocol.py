"""The resampling protocol of the LinOSS experiments for the UEA sets and PPG-DaLiA.

The archive's train and test files are concatenated, exact duplicate samples are
removed (first occurrence kept), and the rest is split at random 70/15/15 with the
seed. An optional time channel t / L (t = 0 .. L-1) is put in front of the channels.
"""

from __future__ import annotations

import numpy as np

from share_neuro.data.dataset import Dataset, Split
from share_neuro.data.splits import random_split

FRACTIONS = (0.70, 0.15, 0.15)


def remove_duplicates(X: np.ndarray, y: np.ndarray) -> tuple:
    """Drop samples whose series and label both repeat an earlier sample."""
    flat = np.ascontiguousarray(X.reshape(len(X), -1))
    keys = [row.tobytes() + np.asarray(label).tobytes() for row, label in zip(flat, y)]

    seen, keep = set(), []
    for index, key in enumerate(keys):
        if key not in seen:
            seen.add(key)
            keep.append(index)

    keep = np.asarray(keep, dtype=np.int64)
    return X[keep], y[keep]


def add_time_channel(X: np.ndarray) -> np.ndarray:
    """Return X with channel 0 holding t / L for step t."""
    steps = X.shape[1]
    time = np.broadcast_to((np.arange(steps, dtype=np.float32) / steps)[None, :, None], (len(X), steps, 1))
    return np.concatenate([time, X], axis=2)


def resample(name: str, task: str, X: np.ndarray, y: np.ndarray, seed: int, source: str,
             class_names: tuple = (), time_channel: bool = False) -> Dataset:
    """Apply the protocol to the concatenated archive samples `X`, `y`."""
    total = len(X)
    X, y = remove_duplicates(X, y)
    if time_channel:
        X = add_time_channel(X)

    train, val, test = random_split(len(X), FRACTIONS, seed)
    return Dataset(
        name=name, task=task, num_classes=len(class_names) if task == "classification" else 0,
        channels=int(X.shape[2]), source=source, class_names=tuple(class_names),
        train=Split(X[train], y[train]), val=Split(X[val], y[val]), test=Split(X[test], y[test]),
        info={"protocol": "concatenate, deduplicate, random 70/15/15", "samples": total,
              "duplicates_removed": total - len(X), "time_channel": time_channel},
    )
