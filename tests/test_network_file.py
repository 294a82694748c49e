"""Round trip of the HDF5 network file and one clear error for every kind of bad file."""

import dataclasses

import h5py
import numpy as np
import pytest

from share_neuro.errors import InputFileError
from share_neuro.network import load_network, save_network
from share_neuro.network.synthetic import random_share_network


def _assert_same_network(a, b):
    assert [type(node) for node in a.nodes] == [type(node) for node in b.nodes]
    for left, right in zip(a.nodes + a.synapses, b.nodes + b.synapses):
        for field in dataclasses.fields(left):
            x, y = getattr(left, field.name), getattr(right, field.name)
            if isinstance(x, dict):
                assert set(x) == set(y), field.name
                for key in x:
                    assert np.array_equal(x[key], y[key]), f"{left.name}.{field.name}/{key}"
            elif isinstance(x, np.ndarray):
                assert np.array_equal(x, y), f"{left.name}.{field.name}"
            else:
                assert x == y, f"{left.name}.{field.name}"
    assert a.metadata == b.metadata


@pytest.mark.parametrize("scheme, task", [("imex", "classification"), ("im", "regression"), ("imex-damped", "classification")])
def test_round_trip(tmp_path, scheme, task):
    network = random_share_network(3, inputs=2, hidden=5, state=3, blocks=2, scheme=scheme, task=task, extra_delay=2)
    path = save_network(network, tmp_path / "net.h5")
    loaded = load_network(path)
    _assert_same_network(network, loaded)
    assert loaded.synapses[0].weight.dtype == np.int16
    assert loaded.nodes[1].threshold.dtype == np.int32


def test_save_casts_to_documented_dtypes(tmp_path):
    network = random_share_network(3, inputs=2, hidden=4, state=3, blocks=1)
    network.synapses[0].weight = network.synapses[0].weight.astype(np.int64)
    loaded = load_network(save_network(network, tmp_path / "net.h5"))
    assert loaded.synapses[0].weight.dtype == np.int16


def test_save_invalid_network_leaves_no_file(tmp_path):
    network = random_share_network(3, inputs=2, hidden=4, state=3, blocks=1)
    network.synapses[0].weight[0, 0] = 3
    with pytest.raises(InputFileError, match="odd values"):
        save_network(network, tmp_path / "net.h5")
    assert list(tmp_path.iterdir()) == []


def test_save_error_while_writing_leaves_no_file(tmp_path):
    network = random_share_network(3, inputs=2, hidden=4, state=3, blocks=1)
    network.metadata["not_json"] = object()
    with pytest.raises(TypeError):
        save_network(network, tmp_path / "net.h5")
    assert list(tmp_path.iterdir()) == []


def test_saved_file_mode_follows_umask(tmp_path):
    import os

    network = random_share_network(3, inputs=2, hidden=4, state=3, blocks=1)
    previous = os.umask(0o022)
    try:
        path = save_network(network, tmp_path / "net.h5")
    finally:
        os.umask(previous)

    assert path.stat().st_mode & 0o777 == 0o644
    assert [item.name for item in tmp_path.iterdir()] == ["net.h5"]


def test_missing_file(tmp_path):
    with pytest.raises(InputFileError, match="not found"):
        load_network(tmp_path / "absent.h5")


def test_directory_instead_of_file(tmp_path):
    with pytest.raises(InputFileError, match="not a regular file"):
        load_network(tmp_path)


def test_non_hdf5_file(tmp_path):
    path = tmp_path / "net.h5"
    path.write_text("not an HDF5 file")
    with pytest.raises(InputFileError, match="not a readable HDF5 file"):
        load_network(path)


def test_truncated_file(tmp_path):
    path = save_network(random_share_network(3, inputs=2, hidden=4, state=3, blocks=1), tmp_path / "net.h5")
    content = path.read_bytes()
    path.write_bytes(content[: len(content) // 2])
    with pytest.raises(InputFileError, match="net.h5"):
        load_network(path)


@pytest.fixture
def saved(tmp_path):
    network = random_share_network(3, inputs=2, hidden=4, state=3, blocks=1, extra_delay=1)
    return save_network(network, tmp_path / "net.h5")


def _edit(path, action):
    with h5py.File(path, "r+") as file:
        action(file)


def _replace(group, name, data):
    del group[name]
    group.create_dataset(name, data=data)


BAD_FILES = {
    "wrong format": (lambda f: f.attrs.__setitem__("format", "netx"), "'format' is 'netx'"),
    "newer major version": (lambda f: f.attrs.__setitem__("version", "2.0"), "newer than this share-neuro reads"),
    "malformed version": (lambda f: f.attrs.__setitem__("version", "one"), "expected MAJOR.MINOR"),
    "missing version": (lambda f: f.attrs.__delitem__("version"), "'version' is missing"),
    "missing nodes": (lambda f: f.__delitem__("nodes"), "group /nodes is missing"),
    "missing weight": (lambda f: f["synapses/encoder_in"].__delitem__("weight"), "'weight' is missing"),
    "missing threshold": (lambda f: f["nodes/encoder"].__delitem__("threshold"), "'threshold' is missing"),
    "missing size": (lambda f: f["nodes/encoder"].attrs.__delitem__("size"), "'size' is missing"),
    "unknown kind": (lambda f: f["nodes/encoder"].attrs.__setitem__("kind", "lif"), "'kind' is 'lif'"),
    "odd weight": (lambda f: _replace(f["synapses/b0_C"], "weight", np.full((4, 3), 3, np.int16)), "odd values"),
    "weight out of range": (lambda f: _replace(f["synapses/b0_C"], "weight", np.full((4, 3), 300, np.int16)),
                            r"outside \[-256, 254\]"),
    "weight wrong dtype": (lambda f: _replace(f["synapses/b0_C"], "weight", np.zeros((4, 3), np.int64)), "dtype int64"),
    "weight wrong shape": (lambda f: _replace(f["synapses/b0_C"], "weight", np.zeros((3, 4), np.int16)), r"shape \(3, 4\)"),
    "delay too long": (lambda f: _replace(f["synapses/b0_C"], "delay", np.full((4, 3), 63, np.uint8)), r"outside \[0, 62\]"),
    "state_bits too large": (lambda f: f["nodes/b0_hrf"].attrs.__setitem__("state_bits", 33), "state_bits"),
    "coef_frac_bits too small": (lambda f: f["nodes/b0_hrf"].attrs.__setitem__("coef_frac_bits", 11), "coef_frac_bits"),
    "threshold beyond state": (lambda f: _replace(f["nodes/b0_hrf"], "threshold", np.full(3, 2**23, np.int32)),
                               "threshold has values"),
    "missing coefficient": (lambda f: f["nodes/b0_hrf/coefficients"].__delitem__("k_a"), "coefficients are"),
    "unknown source": (lambda f: f["synapses/b0_C"].attrs.__setitem__("source", "ghost"), "'ghost' is not a node"),
    "unknown target": (lambda f: f["synapses/b0_C"].attrs.__setitem__("target", "ghost"), "'ghost' is not a node"),
    "duplicate index": (lambda f: f["nodes/encoder"].attrs.__setitem__("index", 0), "index attributes"),
    "std not positive": (lambda f: _replace(f["nodes/input"], "std", np.zeros(2)), "std contains values <= 0"),
    "NaN mean": (lambda f: _replace(f["nodes/input"], "mean", np.full(2, np.nan)), "NaN"),
    "bad scheme": (lambda f: f["nodes/b0_hrf"].attrs.__setitem__("scheme", "rk4"), "scheme is 'rk4'"),
    "bad task": (lambda f: f["nodes/readout"].attrs.__setitem__("task", "ranking"), "task is 'ranking'"),
    "graded mismatch": (lambda f: f["synapses/b0_C"].attrs.__setitem__("graded", True), "graded is True"),
    "bad metadata": (lambda f: f.attrs.__setitem__("metadata", "{oops"), "not valid JSON"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_rejected_with_message(saved, case):
    action, message = BAD_FILES[case]
    _edit(saved, action)
    with pytest.raises(InputFileError, match=message) as error:
        load_network(saved)
    assert str(saved) in str(error.value)


def test_duplicate_names_rejected(tmp_path):
    network = random_share_network(3, inputs=2, hidden=4, state=3, blocks=1)
    network.nodes[2].name = network.nodes[1].name
    with pytest.raises(InputFileError, match="used twice"):
        save_network(network, tmp_path / "net.h5")
