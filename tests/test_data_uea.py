"""The archive sets: offline failure, loading from a folder, and the resampling protocol."""

import shutil
import socket
import time

import numpy as np
import pytest

from share_neuro.data import load_dataset, uea_online
from share_neuro.data.packages import package_file
from share_neuro.data.protocol import add_time_channel, remove_duplicates
from share_neuro.errors import DataError


@pytest.fixture
def eigenworms_folder(tmp_path):
    """BasicMotions' files saved under EigenWorms' names, as a user would provide them."""
    for part in ("TRAIN", "TEST"):
        source = package_file("sktime", f"datasets/data/BasicMotions/BasicMotions_{part}.ts", "basicmotions")
        shutil.copy(source, tmp_path / f"EigenWorms_{part}.ts")
    return tmp_path


def test_offline_fails_fast_with_advice():
    started = time.monotonic()

    with pytest.raises(DataError) as raised:
        load_dataset("eigenworms")

    assert time.monotonic() - started < 10
    message = str(raised.value)
    assert "dataset 'eigenworms'" in message
    assert "EigenWorms_TRAIN.ts" in message
    assert "--data-dir" in message


def test_unreachable_host_fails_fast(monkeypatch):
    # A loopback port that was just closed: the connection is refused at once.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    import importlib.util
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *args: object() if name == "aeon" else real_find_spec(name, *args))
    monkeypatch.setattr(uea_online, "HTTPS_PORT", port)
    monkeypatch.setitem(uea_online.ARCHIVE_SETS, "heartbeat", ("Heartbeat", "classification", "127.0.0.1"))
    started = time.monotonic()

    with pytest.raises(DataError, match=r"dataset 'heartbeat': cannot reach 127\.0\.0\.1.*--data-dir"):
        load_dataset("heartbeat")
    assert time.monotonic() - started < 10


def test_folder_protocol_70_15_15(eigenworms_folder):
    dataset = load_dataset("eigenworms", seed=3, data_dir=str(eigenworms_folder))

    assert dataset.num_classes == 4
    assert dataset.info["samples"] == 80
    sizes = [len(part) for part in dataset.splits().values()]
    unique_count = 80 - dataset.info["duplicates_removed"]
    assert sum(sizes) == unique_count
    assert sizes[:2] == [int(0.7 * unique_count), int(0.15 * unique_count)]
    assert dataset.train.X.shape[1:] == (100, 6)


def test_folder_split_follows_seed(eigenworms_folder):
    first = load_dataset("eigenworms", seed=3, data_dir=str(eigenworms_folder))
    same = load_dataset("eigenworms", seed=3, data_dir=str(eigenworms_folder))
    other = load_dataset("eigenworms", seed=4, data_dir=str(eigenworms_folder))

    assert np.array_equal(first.test.X, same.test.X)
    assert not np.array_equal(first.test.X, other.test.X)


def test_folder_time_channel(eigenworms_folder):
    dataset = load_dataset("eigenworms", data_dir=str(eigenworms_folder), time_channel=True)

    assert dataset.channels == 7
    assert dataset.train.X[0, :3, 0].tolist() == pytest.approx([0.0, 0.01, 0.02])


def test_folder_missing_file(tmp_path):
    with pytest.raises(DataError, match="EigenWorms_TRAIN.ts not found in"):
        load_dataset("eigenworms", data_dir=str(tmp_path))


def test_duplicates_removed():
    X = np.zeros((4, 3, 1), np.float32)
    X[1] = 1
    X[3] = 1
    y = np.array([0, 1, 0, 0])

    unique_X, unique_y = remove_duplicates(X, y)

    # Sample 2 repeats sample 0. Sample 3 has the series of sample 1 but another label.
    assert unique_y.tolist() == [0, 1, 0]
    assert unique_X[:, 0, 0].tolist() == [0, 1, 1]


def test_time_channel_values():
    X = add_time_channel(np.ones((2, 4, 1), np.float32))

    assert X.shape == (2, 4, 2)
    assert X[1, :, 0].tolist() == [0.0, 0.25, 0.5, 0.75]
