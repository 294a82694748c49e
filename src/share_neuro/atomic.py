"""Atomic file writes: a temporary file in the target folder, then os.replace.

A reader never sees a half-written file, and an error or Ctrl-C during the write
leaves the previous file (or none) in place. The result gets the permissions a plain
open() would give it (0o666 minus the umask), not the 0600 of tempfile.mkstemp.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable


def write_atomic(path, write: Callable[[str], None]) -> Path:
    """Call `write(temporary_path)` for a temporary file beside `path`, then rename it to `path`.

    The folder of `path` must exist. `write` may reopen or replace the temporary file
    (h5py and torch.save do), but must leave a file at that path.
    """
    path = Path(path)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(descriptor)

    try:
        write(temporary)
        os.chmod(temporary, 0o666 & ~current_umask())
        _fsync(temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def write_text_atomic(path, text: str) -> Path:
    """Write `text` as UTF-8 to `path` through `write_atomic`."""
    def write(temporary: str) -> None:
        with open(temporary, "w", encoding="utf-8") as stream:
            stream.write(text)

    return write_atomic(path, write)


def current_umask() -> int:
    """Return the process umask (reading it requires setting it, so it is set back at once)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync(path: str) -> None:
    # Flush the data to disk before the rename, so a crash cannot leave an empty file under the final name.
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
