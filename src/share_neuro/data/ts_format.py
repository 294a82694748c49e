"""A reader for the sktime/UEA `.ts` text format (equal-length series without timestamps).

A file has `#` comment lines, `@key value` header lines, an `@data` line, then one
series per line. Dimensions are separated by `:` and the values of a dimension by `,`.
When `@classLabel true ...` or `@targetLabel true` is set, the last `:` field is the
class label or numeric target. `?` marks a missing value and is read as NaN.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from share_neuro.errors import DataError


@dataclass
class TsData:
    """The content of one .ts file."""

    problem: str
    X: np.ndarray  # float32 (N, L, C)
    class_names: tuple  # declared class labels, in header order; () for regression
    labels: np.ndarray  # int64 indices into class_names, or float32 targets, or None


def read_ts(path) -> TsData:
    """Parse the .ts file at `path`.

    Raises `DataError` naming the file and line for malformed content.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as error:
        raise DataError(f"{path}: file not found") from error
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(f"{path}: cannot read the file ({error})") from error

    header, data_start = _read_header(path, lines)
    return _read_data(path, lines, header, data_start)


def _fail(path, line_number: int, problem: str):
    raise DataError(f"{path}:{line_number}: {problem}; fix the file or replace it with a valid .ts file")


def _read_header(path, lines) -> tuple:
    header = {"problem": path.stem, "class_names": None, "target": False, "dimensions": None,
              "length": None}

    for index, raw in enumerate(lines):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not line.startswith("@"):
            _fail(path, index + 1, "data line before the @data header line")

        key, _, value = line[1:].partition(" ")
        key, words = key.lower(), value.split()

        if key == "data":
            return header, index + 1
        if key == "problemname":
            header["problem"] = value.strip()
        elif key == "timestamps" and _flag(path, index, words):
            _fail(path, index + 1, "series with timestamps are not supported")
        elif key == "equallength" and not _flag(path, index, words):
            _fail(path, index + 1, "series of unequal length are not supported; pad them to one length")
        elif key == "dimensions":
            header["dimensions"] = _positive_int(path, index, words)
        elif key == "serieslength":
            header["length"] = _positive_int(path, index, words)
        elif key == "classlabel" and _flag(path, index, words):
            if len(words) < 3:
                _fail(path, index + 1, "@classLabel true needs at least two class names")
            header["class_names"] = tuple(words[1:])
        elif key == "targetlabel" and _flag(path, index, words):
            header["target"] = True

    _fail(path, len(lines), "no @data line found")


def _flag(path, index, words) -> bool:
    if not words or words[0].lower() not in ("true", "false"):
        _fail(path, index + 1, f"expected true or false, found {' '.join(words)!r}")
    return words[0].lower() == "true"


def _positive_int(path, index, words) -> int:
    if len(words) != 1 or not words[0].isdigit() or int(words[0]) < 1:
        _fail(path, index + 1, f"expected a positive integer, found {' '.join(words)!r}")
    return int(words[0])


def _read_data(path, lines, header, data_start) -> TsData:
    class_names = header["class_names"]
    labelled = class_names is not None or header["target"]
    class_index = {name: i for i, name in enumerate(class_names or ())}

    series, labels = [], []
    for index in range(data_start, len(lines)):
        line = lines[index].strip()
        if not line or line.startswith("#"):
            continue

        fields = line.split(":")
        if labelled:
            fields, label = fields[:-1], fields[-1].strip()
        if not fields:
            _fail(path, index + 1, "expected values followed by ':' and a label, found no ':'")
        dimensions = [_parse_values(path, index, field) for field in fields]

        expected_dims = header["dimensions"] or (len(series[0]) if series else len(dimensions))
        if len(dimensions) != expected_dims:
            _fail(path, index + 1, f"found {len(dimensions)} dimensions, expected {expected_dims}")

        expected_length = header["length"] or (len(series[0][0]) if series else len(dimensions[0]))
        lengths = {len(values) for values in dimensions}
        if lengths != {expected_length}:
            _fail(path, index + 1, f"found series length {sorted(lengths)}, expected {expected_length}")

        if class_names is not None:
            if label not in class_index:
                _fail(path, index + 1, f"class label {label!r} is not declared in @classLabel {list(class_names)}")
            labels.append(class_index[label])
        elif header["target"]:
            try:
                labels.append(float(label))
            except ValueError:
                _fail(path, index + 1, f"target {label!r} is not a number")
        series.append(dimensions)

    if not series:
        _fail(path, len(lines), "the file contains no series after @data")

    X = np.asarray(series, dtype=np.float32).transpose(0, 2, 1)
    if class_names is not None:
        y = np.asarray(labels, dtype=np.int64)
    elif header["target"]:
        y = np.asarray(labels, dtype=np.float32)
    else:
        y = None
    return TsData(problem=header["problem"], X=np.ascontiguousarray(X), class_names=class_names or (), labels=y)


def _parse_values(path, index, field) -> np.ndarray:
    items = field.split(",")
    try:
        return np.asarray([np.nan if item.strip() == "?" else float(item) for item in items], dtype=np.float64)
    except ValueError:
        bad = next(item for item in items if not _is_number(item))
        _fail(path, index + 1, f"value {bad!r} is not a number")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return text.strip() == "?"
    return True
