"""User arrays from .npz files and the checks in share_neuro.data.validate."""

import numpy as np
import pytest

from share_neuro.data import load_dataset
from share_neuro.errors import DataError


def save(tmp_path, **arrays):
    path = tmp_path / "user.npz"
    np.savez(path, **arrays)
    return path


def sample_arrays(count=40, length=8, channels=2):
    rng = np.random.default_rng(0)
    return rng.normal(size=(count, length, channels)), np.arange(count) % 3


def test_split_70_15_15(tmp_path):
    X, y = sample_arrays()
    dataset = load_dataset(str(save(tmp_path, X=X, y=y)), seed=1)

    assert dataset.task == "classification"
    assert dataset.num_classes == 3
    assert [len(part) for part in dataset.splits().values()] == [28, 6, 6]
    assert dataset.train.X.dtype == np.float32

    joined = np.concatenate([part.X for part in dataset.splits().values()])
    assert sorted(joined[:, 0, 0].tolist()) == sorted(X[:, 0, 0].astype(np.float32).tolist())


def test_explicit_splits_kept(tmp_path):
    X, y = sample_arrays()
    path = save(tmp_path, X=X, y=y, X_val=X[:5], y_val=y[:5], X_test=X[:7], y_test=y[:7])

    dataset = load_dataset(str(path))

    assert [len(part) for part in dataset.splits().values()] == [40, 5, 7]


def test_given_test_split_val_carved(tmp_path):
    X, y = sample_arrays()
    dataset = load_dataset(str(save(tmp_path, X=X, y=y, X_test=X[:7], y_test=y[:7])))

    assert [len(part) for part in dataset.splits().values()] == [34, 6, 7]


def test_float_targets_mean_regression(tmp_path):
    X, _ = sample_arrays()
    dataset = load_dataset(str(save(tmp_path, X=X, y=np.linspace(0, 1, 40))))

    assert dataset.task == "regression"
    assert dataset.num_classes == 0
    assert dataset.train.y.dtype == np.float32


def test_nan_rejected(tmp_path):
    X, y = sample_arrays()
    X[3, 2, 1] = np.nan
    path = save(tmp_path, X=X, y=y, X_val=X[:5], y_val=y[:5], X_test=X[5:10], y_test=y[5:10])

    with pytest.raises(DataError, match=r"train\.X contains 1 NaN or infinite values \(first at index \(3, 2, 1\)"):
        load_dataset(str(path))


def test_wrong_rank_rejected(tmp_path):
    X, y = sample_arrays()

    with pytest.raises(DataError, match=r"train\.X has shape \(28, 8\); expected rank 3.*X\[\.\.\., None\]"):
        load_dataset(str(save(tmp_path, X=X[:, :, 0], y=y)))


def test_label_count_mismatch_rejected(tmp_path):
    X, y = sample_arrays()

    with pytest.raises(DataError, match="X has 40 samples but y has 39"):
        load_dataset(str(save(tmp_path, X=X, y=y[:39])))


def test_label_outside_classes_rejected(tmp_path):
    X, y = sample_arrays()
    path = save(tmp_path, X=X, y=y, X_val=X[:5], y_val=y[:5], X_test=X[:5], y_test=y[:5])

    with pytest.raises(DataError, match=r"train\.y\[2\] = 2 is outside the class range 0\.\.1"):
        load_dataset(str(path), num_classes=2)


def test_empty_split_rejected(tmp_path):
    X, y = sample_arrays()
    path = save(tmp_path, X=X, y=y, X_val=X[:0], y_val=y[:0], X_test=X[:5], y_test=y[:5])

    with pytest.raises(DataError, match=r"val is empty \(0 samples\)"):
        load_dataset(str(path))


def test_object_array_rejected(tmp_path):
    X, _ = sample_arrays()
    path = save(tmp_path, X=X, y=np.array([{"label": 1}] * 40, dtype=object))

    with pytest.raises(DataError, match="cannot load it without pickle"):
        load_dataset(str(path))


def test_missing_key_and_file(tmp_path):
    X, _ = sample_arrays()

    with pytest.raises(DataError, match="required array 'y' is missing"):
        load_dataset(str(save(tmp_path, X=X)))

    with pytest.raises(DataError, match="file not found"):
        load_dataset(str(tmp_path / "absent.npz"))
