"""BasicMotions and Tecator, read from the .ts files that the sktime package ships.

BasicMotions (UEA): 40 train and 40 test series, 6 channels (accelerometer and
gyroscope), 100 steps, 4 classes. Tecator (Monash regression archive): 172 train and
43 test near-infrared spectra of 100 values, target fat content in percent.
The validation split is carved from the training files with the seed.
"""

from __future__ import annotations

from share_neuro.data.dataset import Dataset, Split
from share_neuro.data.packages import package_file
from share_neuro.data.splits import carve_validation
from share_neuro.data.ts_format import read_ts

PACKAGE = "sktime"


def load_packaged_ts(name: str, problem: str, task: str, seed: int = 2345, val_fraction: float = 0.15) -> Dataset:
    """Read `<problem>_TRAIN.ts` and `<problem>_TEST.ts` from sktime's data folder."""
    train_path = package_file(PACKAGE, f"datasets/data/{problem}/{problem}_TRAIN.ts", name)
    test_path = package_file(PACKAGE, f"datasets/data/{problem}/{problem}_TEST.ts", name)
    train, test = read_ts(train_path), read_ts(test_path)

    keep, held_out = carve_validation(len(train.X), val_fraction, seed, name)

    return Dataset(
        name=name,
        task=task,
        num_classes=len(train.class_names),
        channels=int(train.X.shape[2]),
        source=str(train_path.parent),
        train=Split(train.X[keep], train.labels[keep]),
        val=Split(train.X[held_out], train.labels[held_out]),
        test=Split(test.X, test.labels),
        class_names=train.class_names,
        info={"val_fraction": val_fraction},
    )


def load_basicmotions(seed: int = 2345, val_fraction: float = 0.15) -> Dataset:
    return load_packaged_ts("basicmotions", "BasicMotions", "classification", seed, val_fraction)


def load_tecator(seed: int = 2345, val_fraction: float = 0.15) -> Dataset:
    return load_packaged_ts("tecator", "Tecator", "regression", seed, val_fraction)
