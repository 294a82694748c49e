"""The .ts reader on hand-written files, valid and malformed."""

import numpy as np
import pytest

from share_neuro.data.ts_format import read_ts
from share_neuro.errors import DataError

HEADER = "# comment\n@problemName Toy\n@univariate false\n@dimensions 2\n@equalLength true\n@seriesLength 3\n"


def write(tmp_path, text):
    path = tmp_path / "Toy_TRAIN.ts"
    path.write_text(text)
    return path


def test_multivariate_with_classes(tmp_path):
    path = write(tmp_path, HEADER + "@classLabel true up down\n@data\n1,2,3:4,5,6:down\n\n7,8,9:1,1,?:up\n")

    data = read_ts(path)

    assert data.problem == "Toy"
    assert data.class_names == ("up", "down")
    assert data.labels.tolist() == [1, 0]
    assert data.X.shape == (2, 3, 2)
    assert data.X[0, :, 1].tolist() == [4, 5, 6]
    assert np.isnan(data.X[1, 2, 1])


def test_numeric_target(tmp_path):
    path = write(tmp_path, "@problemName T\n@targetLabel true\n@data\n1,2:0.5\n3,4:-2e1\n")

    data = read_ts(path)

    assert data.X.shape == (2, 2, 1)
    assert data.labels.dtype == np.float32
    assert data.labels.tolist() == [0.5, -20.0]


MALFORMED = [
    ("@data\n1,2,3:4,5,6:left\n", "class label 'left' is not declared", 9),
    ("@data\n1,2,3:4,5:up\n", r"series length \[2, 3\], expected 3", 9),
    ("@data\n1,2,3:up\n", "found 1 dimensions, expected 2", 9),
    ("@data\n1,x,3:4,5,6:up\n", "value 'x' is not a number", 9),
    ("@data\n1,2,3\n", "found no ':'", 9),
    ("1,2,3:4,5,6:up\n@data\n", "data line before the @data header line", 8),
    ("\n", "no @data line found", 8),
    ("@data\n# nothing\n", "contains no series", 9),
]


@pytest.mark.parametrize("body, message, line", MALFORMED)
def test_malformed_file_names_line(tmp_path, body, message, line):
    path = write(tmp_path, HEADER.replace("@seriesLength 3\n", "@seriesLength 3\n@classLabel true up down\n") + body)

    with pytest.raises(DataError, match=message) as raised:
        read_ts(path)
    assert f"{path}:{line}:" in str(raised.value)


def test_unsupported_headers(tmp_path):
    with pytest.raises(DataError, match="timestamps are not supported"):
        read_ts(write(tmp_path, "@timeStamps true\n@data\n"))

    with pytest.raises(DataError, match="unequal length are not supported"):
        read_ts(write(tmp_path, "@equalLength false\n@data\n"))

    with pytest.raises(DataError, match="expected a positive integer"):
        read_ts(write(tmp_path, "@dimensions two\n@data\n"))


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        read_ts(tmp_path / "absent.ts")
