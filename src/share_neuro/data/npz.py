"""User arrays from a `.npz` file.

Required keys: `X` (N, L, C) and `y` (N,) or (N, T). Optional: `X_val`/`y_val` and
`X_test`/`y_test`. Splits that the file lacks are cut from `X`, `y` with the seed:
70/15/15 when both are missing, else 15% of `X` for the missing one. Integer labels
mean classification (classes 0..max), float labels mean regression, unless `task` is
given.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from share_neuro.data.dataset import Dataset, Split
from share_neuro.data.splits import carve_validation, random_split
from share_neuro.errors import DataError

HELD_OUT_FRACTION = 0.15


def load_npz(path, seed: int = 2345, task=None, num_classes=None) -> Dataset:
    """Load the arrays in `path` (read with allow_pickle=False) into a `Dataset`."""
    path = Path(path)
    arrays = _read(path)
    name = path.name

    for key in ("X", "y"):
        if key not in arrays:
            raise DataError(f"{path}: required array '{key}' is missing (found {sorted(arrays)}); "
                            f"save the file with np.savez(path, X=..., y=...)")
    for split in ("val", "test"):
        if (f"X_{split}" in arrays) != (f"y_{split}" in arrays):
            raise DataError(f"{path}: contains only one of X_{split} and y_{split}; provide both or neither")

    task = task or ("classification" if np.issubdtype(arrays["y"].dtype, np.integer) else "regression")
    if task not in ("classification", "regression"):
        raise DataError(f"{path}: invalid task {task!r}; expected classification or regression")

    parts = _split(path, arrays, seed)
    parts = {split: Split(_as_float(path, f"X{suffix}", X), _as_labels(path, f"y{suffix}", y, task))
             for (split, suffix), (X, y) in zip((("train", ""), ("val", "_val"), ("test", "_test")), parts)}

    if task == "classification" and num_classes is None:
        num_classes = int(max(part.y.max(initial=-1) for part in parts.values())) + 1
    channels = parts["train"].X.shape[2] if parts["train"].X.ndim == 3 else 0

    return Dataset(name=name, task=task, num_classes=int(num_classes or 0), channels=int(channels),
                   source=str(path), info={"file": str(path)}, **parts)


def _read(path: Path) -> dict:
    if not path.is_file():
        raise DataError(f"{path}: file not found; pass the path of an existing .npz file")
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {key: archive[key] for key in archive.files}
    except ValueError as error:
        raise DataError(f"{path}: cannot load it without pickle ({error}); save plain numeric arrays "
                        f"(no object arrays) with np.savez") from error
    except (OSError, EOFError, zipfile.BadZipFile) as error:
        raise DataError(f"{path}: not a readable .npz file ({error}); save it with np.savez") from error


def _split(path: Path, arrays: dict, seed: int) -> list:
    X, y = arrays["X"], arrays["y"]
    if len(X) != len(y):
        raise DataError(f"{path}: X has {len(X)} samples but y has {len(y)}; expected one label per sample")

    has_val, has_test = "X_val" in arrays, "X_test" in arrays
    if has_val and has_test:
        return [(X, y), (arrays["X_val"], arrays["y_val"]), (arrays["X_test"], arrays["y_test"])]

    if not has_val and not has_test:
        train, val, test = random_split(len(X), (0.70, 0.15, 0.15), seed)
        return [(X[train], y[train]), (X[val], y[val]), (X[test], y[test])]

    keep, held_out = carve_validation(len(X), HELD_OUT_FRACTION, seed, path.name)
    carved = (X[held_out], y[held_out])
    given = (arrays["X_val"], arrays["y_val"]) if has_val else (arrays["X_test"], arrays["y_test"])
    return [(X[keep], y[keep]), given if has_val else carved, carved if has_val else given]


def _as_float(path: Path, key: str, X: np.ndarray) -> np.ndarray:
    if not np.issubdtype(X.dtype, np.number) or np.iscomplexobj(X):
        raise DataError(f"{path}: array '{key}' has dtype {X.dtype}; expected real numbers")
    return X.astype(np.float32, copy=False)


def _as_labels(path: Path, key: str, y: np.ndarray, task: str) -> np.ndarray:
    if task == "regression":
        return _as_float(path, key, y)

    if not np.issubdtype(y.dtype, np.integer):
        raise DataError(f"{path}: array '{key}' has dtype {y.dtype}; classification labels must be integers "
                        f"0..K-1 (or pass task='regression')")
    return y.astype(np.int64, copy=False)
