"""The LinOSS benchmark sets: six UEA classification sets and PPG-DaLiA.

None of them ships in a package. They load either from a folder of .ts files that the
user downloaded (`data_dir`), or through aeon's downloading loaders on a machine with
internet access. Offline, loading fails at once with a `DataError` that says what to
do. Both routes apply the protocol in `share_neuro.data.protocol`.
"""

from __future__ import annotations

import importlib.util
import socket
import threading
from pathlib import Path

import numpy as np

from share_neuro.data.protocol import resample
from share_neuro.data.ts_format import read_ts
from share_neuro.errors import DataError

# dataset name -> (archive problem name, task, archive host that the loader downloads from)
ARCHIVE_SETS = {
    "eigenworms": ("EigenWorms", "classification", "timeseriesclassification.com"),
    "selfregulationscp1": ("SelfRegulationSCP1", "classification", "timeseriesclassification.com"),
    "selfregulationscp2": ("SelfRegulationSCP2", "classification", "timeseriesclassification.com"),
    "ethanolconcentration": ("EthanolConcentration", "classification", "timeseriesclassification.com"),
    "heartbeat": ("Heartbeat", "classification", "timeseriesclassification.com"),
    "motorimagery": ("MotorImagery", "classification", "timeseriesclassification.com"),
    # NOTE: aeon's regression archive names this set "PPGDalia"; its windows may differ
    # from the ones the LinOSS authors cut from the raw UCI recordings.
    "ppg-dalia": ("PPGDalia", "regression", "zenodo.org"),
}

CONNECT_TIMEOUT_S = 3.0
HTTPS_PORT = 443


def load_archive_set(name: str, seed: int = 2345, data_dir=None, time_channel: bool = False):
    """Load `name` from `data_dir`, or else download it with aeon when online."""
    problem, task, host = ARCHIVE_SETS[name]

    if data_dir is not None:
        X, y, class_names, source = read_folder(name, problem, Path(data_dir))
    else:
        X, y, class_names, source = download(name, problem, task, host)

    return resample(name, task, X, y, seed, source, class_names, time_channel)


def read_folder(name: str, problem: str, folder: Path) -> tuple:
    """Read `<problem>_TRAIN.ts` and `<problem>_TEST.ts` from `folder` and concatenate them."""
    parts = [_find_file(name, folder, f"{problem}_{part}.ts") for part in ("TRAIN", "TEST")]
    train, test = read_ts(parts[0]), read_ts(parts[1])

    if train.class_names != test.class_names:
        raise DataError(
            f"dataset '{name}': {parts[0].name} declares classes {list(train.class_names)} but "
            f"{parts[1].name} declares {list(test.class_names)}; use files from one archive release"
        )
    if train.labels is None or test.labels is None:
        raise DataError(f"dataset '{name}': {parts[0].name} or {parts[1].name} has no class labels or targets")
    if train.X.shape[1:] != test.X.shape[1:]:
        raise DataError(
            f"dataset '{name}': {parts[0].name} has (length, channels) {train.X.shape[1:]} but "
            f"{parts[1].name} has {test.X.shape[1:]}"
        )

    X = np.concatenate([train.X, test.X])
    y = np.concatenate([train.labels, test.labels])
    return X, y, train.class_names, str(folder)


def _find_file(name: str, folder: Path, filename: str) -> Path:
    if not folder.is_dir():
        raise DataError(f"dataset '{name}': data folder {folder} not found; pass an existing folder with --data-dir")

    exact = folder / filename
    if exact.is_file():
        return exact

    matches = [path for path in folder.iterdir() if path.name.lower() == filename.lower()]
    if matches:
        return matches[0]
    raise DataError(
        f"dataset '{name}': {filename} not found in {folder}; put the archive's {filename} "
        f"and its _TRAIN/_TEST partner into that folder"
    )


def offline_advice(name: str, problem: str) -> str:
    return (
        f"download {problem}_TRAIN.ts and {problem}_TEST.ts from the archive on a machine "
        f"with internet access, put them into a folder and pass it with --data-dir "
        f"(data_dir= in Python), or run on an online machine with aeon installed"
    )


def download(name: str, problem: str, task: str, host: str) -> tuple:
    """Download with aeon after quick checks that aeon is installed and `host` is reachable."""
    if importlib.util.find_spec("aeon") is None:
        raise DataError(
            f"dataset '{name}' is not packaged and its downloading loader (aeon) is not "
            f"installed; {offline_advice(name, problem)}"
        )

    problem_reaching = reach(host, HTTPS_PORT, CONNECT_TIMEOUT_S)
    if problem_reaching:
        raise DataError(
            f"dataset '{name}': cannot reach {host} ({problem_reaching}), so it cannot be "
            f"downloaded; {offline_advice(name, problem)}"
        )

    # NOTE: this branch needs internet access and aeon, so the test suite cannot run it.
    from aeon.datasets import load_classification, load_regression

    loader = load_classification if task == "classification" else load_regression
    X, y = loader(problem)
    X = np.asarray(X, dtype=np.float32).transpose(0, 2, 1)

    if task == "classification":
        class_names = tuple(str(label) for label in np.unique(y))
        index = {label: i for i, label in enumerate(class_names)}
        y = np.asarray([index[str(label)] for label in y], dtype=np.int64)
    else:
        class_names = ()
        y = np.asarray(y, dtype=np.float32)
    return X, y, class_names, f"aeon download of {problem} from {host}"


def reach(host: str, port: int, timeout: float):
    """Return None when a TCP connection to `host:port` opens within `timeout` seconds,
    else a short reason. Name resolution runs in a thread so that a slow resolver
    cannot hold the caller past the timeout either."""
    outcome = {}

    def connect():
        try:
            with socket.create_connection((host, port), timeout=timeout):
                outcome["reason"] = None
        except OSError as error:
            outcome["reason"] = str(error) or type(error).__name__

    worker = threading.Thread(target=connect, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        return f"no answer within {timeout:.0f} s"
    return outcome["reason"]
