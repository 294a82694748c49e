"""Atomic file writes: a temporary file in the target directory, then os.replace.

A reader never sees a half-written file, and an error or Ctrl-C during the write
leaves the previous file (or none) in place.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable

from share_neuro import atomic
from share_neuro.errors import InputFileError


def check_writable_directory(path: Path, description: str) -> None:
    """Create the parent directory of `path`, or raise InputFileError if that fails."""
    parent = Path(path).resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputFileError(
            f"Cannot create the directory {str(parent)!r} for the {description} {str(path)!r}: "
            f"{error.strerror}. Choose another path."
        ) from None
    if not os.access(parent, os.W_OK):
        raise InputFileError(
            f"The directory {str(parent)!r} for the {description} {str(path)!r} is not writable. "
            "Choose another path."
        )
    if Path(path).is_dir():
        raise InputFileError(
            f"The {description} path {str(path)!r} is a directory; give a file name."
        )


def write_atomic(path: Path, write: Callable[[str], None]) -> None:
    """Call `write(temporary_path)`, then move the result to `path` (see share_neuro.atomic)."""
    atomic.write_atomic(Path(path), write)


def write_json_atomic(path: Path, data: dict) -> None:
    def write(temporary: str) -> None:
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2)
            handle.write("\n")

    write_atomic(path, write)
