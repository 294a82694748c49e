"""Checks that a dataset is usable before training starts.

Each check raises one `DataError` that names the dataset, the split and field, and
the offending value.
"""

from __future__ import annotations

import numpy as np

from share_neuro.data.dataset import Dataset, Split
from share_neuro.errors import DataError

TASKS = ("classification", "regression")


def validate_dataset(dataset: Dataset) -> Dataset:
    """Check every split of `dataset` and that the splits agree in length and channels."""
    if dataset.task not in TASKS:
        raise DataError(
            f"dataset '{dataset.name}': invalid task {dataset.task!r}; "
            f"expected one of {', '.join(TASKS)}"
        )

    if dataset.task == "classification" and dataset.num_classes < 2:
        raise DataError(
            f"dataset '{dataset.name}': classification needs at least 2 classes, "
            f"got num_classes={dataset.num_classes}"
        )

    for split_name, split in dataset.splits().items():
        validate_split(dataset.name, split_name, split, dataset.task, dataset.num_classes)

    reference = dataset.train.X.shape[1:]
    for split_name, split in dataset.splits().items():
        if split.X.shape[1:] != reference:
            raise DataError(
                f"dataset '{dataset.name}': {split_name}.X has (length, channels) = "
                f"{split.X.shape[1:]} but train.X has {reference}; all splits need the "
                f"same length and channels"
            )

    if dataset.channels != reference[1]:
        raise DataError(
            f"dataset '{dataset.name}': declares {dataset.channels} channels but X has "
            f"{reference[1]}"
        )
    return dataset


def validate_split(name: str, split_name: str, split: Split, task: str, num_classes: int) -> None:
    """Check one split's shapes, values and labels."""
    X, y = split.X, split.y
    where = f"dataset '{name}': {split_name}"

    if not isinstance(X, np.ndarray) or X.ndim != 3:
        shape = getattr(X, "shape", type(X).__name__)
        raise DataError(
            f"{where}.X has shape {shape}; expected rank 3 (samples, length, channels). "
            f"For a single channel add a last axis, for example X[..., None]"
        )

    if X.shape[0] == 0:
        raise DataError(f"{where} is empty (0 samples); every split needs at least one sample")

    if X.shape[1] == 0 or X.shape[2] == 0:
        raise DataError(f"{where}.X has shape {X.shape}; length and channels must be at least 1")

    if X.dtype != np.float32:
        raise DataError(f"{where}.X has dtype {X.dtype}; expected float32")

    _check_finite(f"{where}.X", X)

    if not isinstance(y, np.ndarray) or y.shape[:1] != X.shape[:1]:
        shape = getattr(y, "shape", type(y).__name__)
        raise DataError(
            f"{where}.y has shape {shape} but X has {X.shape[0]} samples; "
            f"expected one label per sample"
        )

    if task == "classification":
        _check_labels(where, y, num_classes)
    else:
        _check_targets(where, y)


def _check_finite(field: str, values: np.ndarray) -> None:
    bad = ~np.isfinite(values)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise DataError(
            f"{field} contains {int(bad.sum())} NaN or infinite values "
            f"(first at index {first}, value {values[first]}); remove or impute them"
        )


def _check_labels(where: str, y: np.ndarray, num_classes: int) -> None:
    if y.ndim != 1:
        raise DataError(f"{where}.y has shape {y.shape}; classification labels need shape (N,)")

    if y.dtype != np.int64:
        raise DataError(f"{where}.y has dtype {y.dtype}; classification labels must be int64")

    outside = (y < 0) | (y >= num_classes)
    if outside.any():
        index = int(np.argmax(outside))
        raise DataError(
            f"{where}.y[{index}] = {int(y[index])} is outside the class range "
            f"0..{num_classes - 1}; map the labels to 0..{num_classes - 1}"
        )


def _check_targets(where: str, y: np.ndarray) -> None:
    if y.ndim not in (1, 2):
        raise DataError(f"{where}.y has shape {y.shape}; regression targets need shape (N,) or (N, T)")

    if y.dtype != np.float32:
        raise DataError(f"{where}.y has dtype {y.dtype}; regression targets must be float32")

    _check_finite(f"{where}.y", y)
