"""Checkpoint save/load and rejection of missing, truncated, foreign and unsafe files."""

import pickle

import pytest
import torch

from share_neuro.errors import InputFileError
from share_neuro.model import ModelConfig, build_model
from share_neuro.model.checkpoint import CHECKPOINT_FORMAT, load, load_model, save


def config():
    return ModelConfig(input_size=2, output_size=3, hidden_size=4, state_size=3, num_blocks=1)


def write_checkpoint(path):
    torch.manual_seed(0)
    model = build_model(config())
    save(path, model, config(), dataset="toy", normalization={"mean": [0.0, 1.0], "std": [1.0, 2.0]},
         metrics={"test_accuracy": 0.5}, history=[{"step": 1, "loss": 1.0}])
    return model


def test_round_trip(tmp_path):
    path = tmp_path / "model.pt"
    model = write_checkpoint(path)

    checkpoint = load(path)
    assert checkpoint["format"] == CHECKPOINT_FORMAT
    assert checkpoint["version"] == 1
    assert checkpoint["dataset"] == "toy"
    assert checkpoint["normalization"] == {"mean": [0.0, 1.0], "std": [1.0, 2.0]}
    assert checkpoint["metrics"] == {"test_accuracy": 0.5}

    loaded, _ = load_model(path)
    x = torch.randn(1, 20, 2)
    assert torch.equal(loaded(x), model.eval()(x))
    assert list(tmp_path.iterdir()) == [path]


def test_missing_file(tmp_path):
    path = tmp_path / "absent.pt"
    with pytest.raises(InputFileError, match="not found") as error:
        load(path)
    assert str(path) in str(error.value)


def test_truncated_file(tmp_path):
    path = tmp_path / "model.pt"
    write_checkpoint(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])

    with pytest.raises(InputFileError, match="truncated") as error:
        load(path)
    assert str(path) in str(error.value)


def test_foreign_checkpoint(tmp_path):
    path = tmp_path / "other.pt"
    torch.save({"model": {"weight": torch.zeros(2)}}, path)
    with pytest.raises(InputFileError, match="not a share-neuro checkpoint") as error:
        load(path)
    assert str(path) in str(error.value)


def test_wrong_version(tmp_path):
    path = tmp_path / "model.pt"
    write_checkpoint(path)
    checkpoint = torch.load(path, weights_only=True)
    checkpoint["version"] = 99
    torch.save(checkpoint, path)
    with pytest.raises(InputFileError, match="version 99"):
        load(path)


def test_invalid_config(tmp_path):
    path = tmp_path / "model.pt"
    write_checkpoint(path)
    checkpoint = torch.load(path, weights_only=True)
    checkpoint["config"]["scheme"] = "rk4"
    torch.save(checkpoint, path)
    with pytest.raises(InputFileError, match="'rk4'"):
        load(path)


def test_state_dict_mismatch(tmp_path):
    path = tmp_path / "model.pt"
    write_checkpoint(path)
    checkpoint = torch.load(path, weights_only=True)
    del checkpoint["state_dict"]["encoder.weight"]
    torch.save(checkpoint, path)
    with pytest.raises(InputFileError, match="does not match"):
        load_model(path)


class CodeOnLoad:
    """Unpickling this object would create the marker file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_malicious_pickle_is_not_run(tmp_path):
    marker = tmp_path / "code-ran"
    path = tmp_path / "evil.pt"
    torch.save({"format": CHECKPOINT_FORMAT, "payload": CodeOnLoad(marker)}, path)

    with pytest.raises(InputFileError, match="unsafe") as error:
        load(path)
    assert str(path) in str(error.value)
    assert not marker.exists()


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_plain_pickle_with_code_is_not_run(tmp_path):
    marker = tmp_path / "code-ran"
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps(CodeOnLoad(marker)))

    with pytest.raises(InputFileError) as error:
        load(path)
    assert str(path) in str(error.value)
    assert not marker.exists()


def test_hdf5_file_is_named(tmp_path):
    from share_neuro.network.hdf5 import save_network
    from share_neuro.network.synthetic import random_share_network

    path = save_network(random_share_network(hidden=8, state=4, blocks=1), tmp_path / "network.h5")

    with pytest.raises(InputFileError) as error:
        load(path)
    message = str(error.value)
    assert f"{path} is not a torch checkpoint" in message
    assert "HDF5 file" in message
    assert "unsafe" not in message


def test_unknown_file_kind_is_named(tmp_path):
    path = tmp_path / "model.onnx"
    path.write_bytes(b"\x08\x07\x12\x07pytorch" + bytes(64))

    with pytest.raises(InputFileError, match="is not a torch checkpoint") as error:
        load(path)
    assert "HDF5" not in str(error.value)


def test_checkpoint_mode_follows_umask(tmp_path):
    import os

    previous = os.umask(0o022)
    try:
        write_checkpoint(tmp_path / "model.pt")
    finally:
        os.umask(previous)

    assert (tmp_path / "model.pt").stat().st_mode & 0o777 == 0o644
    assert sorted(item.name for item in tmp_path.iterdir()) == ["model.pt"]
