"""The user cache of decoded arrays: `$SHARE_NEURO_CACHE`, else `~/.cache/share-neuro`."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

from share_neuro.atomic import write_atomic


def cache_dir() -> Path:
    """Return the cache folder (not created here)."""
    configured = os.environ.get("SHARE_NEURO_CACHE")
    if configured:
        return Path(configured).expanduser()

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "share-neuro"


def read_npz(path: Path):
    """Return the arrays of a cached .npz as a dict, or None when it is missing or unreadable."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {key: archive[key] for key in archive.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        return None


def write_npz_atomic(path: Path, arrays: dict) -> None:
    """Write `arrays` to `path` through a temporary file and a rename.

    A concurrent reader finds the old file, no file, or the complete new one, never a
    half-written file. The temporary file is removed if writing fails.
    """
    path.parent.mkdir(parents=True, exist_ok=True)

    def write(temporary: str) -> None:
        with open(temporary, "wb") as stream:
            np.savez(stream, **arrays)

    write_atomic(path, write)
