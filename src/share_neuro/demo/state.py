"""Stage markers and staging folders that make a demo run resumable.

Layout inside the output folder:

- `.demo/stages/<stage>.json`: the marker of a completed stage. It stores the stage's
  settings, its output files with their size and SHA-256, and its run time.
- `.demo/staging/<stage>/`: where a running stage writes its files. When the stage
  finishes, its files are renamed into the output folder and the marker is written
  last. A stage that fails or is interrupted leaves its staging folder behind only if
  the process is killed outright; the next run deletes it.

A stage counts as complete only when its marker exists, its settings equal the current
ones and every output file still has the recorded size and hash.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

from share_neuro.atomic import current_umask, write_atomic

STATE_FOLDER = ".demo"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_atomic_with(path: Path, write) -> None:
    """Call `write(temporary_path)` for a temporary file beside `path`, then rename it over `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, write)


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` (UTF-8) to `path` through `write_atomic_with`."""
    def write(temporary: str) -> None:
        with open(temporary, "w", encoding="utf-8") as stream:
            stream.write(text)

    write_atomic_with(path, write)


def write_json_atomic(path: Path, data, **dump_options) -> None:
    """Write `data` as indented JSON through `write_text_atomic`."""
    write_text_atomic(path, json.dumps(data, indent=2, **dump_options) + "\n")


class RunState:
    """The markers and staging folders of one output folder."""

    def __init__(self, out: Path):
        self.out = Path(out)
        self.folder = self.out / STATE_FOLDER
        self.markers = self.folder / "stages"
        self.staging_root = self.folder / "staging"

    def marker_path(self, stage: str) -> Path:
        return self.markers / f"{stage}.json"

    def read_marker(self, stage: str):
        """Return the marker dict of `stage`, or None when it is missing or unreadable."""
        try:
            with open(self.marker_path(stage), encoding="utf-8") as handle:
                marker = json.load(handle)
        except (OSError, ValueError):
            return None
        return marker if isinstance(marker, dict) else None

    def completed(self, stage: str, settings: dict) -> tuple:
        """Return (True, "") when `stage` is complete with `settings`, else (False, reason)."""
        marker = self.read_marker(stage)
        if marker is None:
            return False, "not run yet"
        if marker.get("settings") != settings:
            return False, f"settings changed (was {marker.get('settings')}, now {settings})"

        for name, recorded in marker.get("outputs", {}).items():
            path = self.out / name
            if not path.is_file():
                return False, f"{name} is missing"
            if path.stat().st_size != recorded.get("bytes") or sha256_of(path) != recorded.get("sha256"):
                return False, f"{name} changed since the stage wrote it"
        return True, ""

    def staging(self, stage: str) -> Path:
        """Return an empty staging folder for `stage`, removing one left by a killed run."""
        folder = self.staging_root / stage
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        return folder

    def discard_staging(self, stage: str) -> None:
        shutil.rmtree(self.staging_root / stage, ignore_errors=True)
        try:
            self.staging_root.rmdir()
        except OSError:
            pass  # not empty or already gone

    def forget(self, stage: str, outputs) -> None:
        """Delete the marker of `stage`, then its output files, so none of them looks complete."""
        self.marker_path(stage).unlink(missing_ok=True)
        for name in outputs:
            (self.out / name).unlink(missing_ok=True)

    def commit(self, stage: str, outputs, settings: dict, seconds: float, summary: dict) -> dict:
        """Move the staged `outputs` into the output folder, then write the marker."""
        staged = self.staging_root / stage
        missing = [name for name in outputs if not (staged / name).is_file()]
        if missing:
            raise RuntimeError(f"stage {stage!r} did not write {', '.join(missing)}")

        recorded = {}
        for name in outputs:
            source = staged / name
            recorded[name] = {"bytes": source.stat().st_size, "sha256": sha256_of(source)}
            # mkstemp creates files readable by the owner only; results are for everyone.
            os.chmod(source, 0o666 & ~current_umask())
            os.replace(source, self.out / name)
        self.discard_staging(stage)

        marker = {
            "stage": stage,
            "settings": settings,
            "outputs": recorded,
            "seconds": round(seconds, 3),
            "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "summary": summary,
        }
        write_json_atomic(self.marker_path(stage), marker)
        return marker

    def clear(self, outputs) -> None:
        """Delete every marker, staging folder and listed output file (for --no-resume)."""
        shutil.rmtree(self.folder, ignore_errors=True)
        for name in outputs:
            (self.out / name).unlink(missing_ok=True)
