"""The `Dataset` and `Split` types that every reader returns."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Split:
    """One part of a dataset.

    `X` is float32 of shape (N, L, C). `y` contains int64 class indices of shape (N,) for
    classification, or float32 targets of shape (N,) or (N, T) for regression.
    """

    X: np.ndarray
    y: np.ndarray

    def __len__(self) -> int:
        return int(self.X.shape[0])


@dataclass
class Dataset:
    """A dataset split into train, validation and test parts."""

    name: str
    task: str  # "classification" or "regression"
    num_classes: int  # 0 for regression
    channels: int
    source: str  # where the data came from: a file, a package or a URL
    train: Split
    val: Split
    test: Split
    class_names: tuple = ()
    # Reader-specific facts, for example the users in each split of `hapt`.
    info: dict = field(default_factory=dict)

    @property
    def length(self) -> int:
        """Time steps per sequence (L)."""
        return int(self.train.X.shape[1])

    def splits(self) -> dict:
        """Map split name to `Split`, in the order train, val, test."""
        return {"train": self.train, "val": self.val, "test": self.test}
