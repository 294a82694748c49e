"""`share-neuro convert` end to end on a small real model, and its rejection of bad input."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from share_neuro.cli import main
from share_neuro.conversion import float_forward
from share_neuro.conversion.source import FloatModel
from share_neuro.data import load_dataset
from share_neuro.energy.profiles import bundled_profile_dir
from share_neuro.model.checkpoint import load_model
from share_neuro.network.hdf5 import load_network
from share_neuro.simulation.reference import simulate
from share_neuro.training.normalization import apply_normalization


def invoke(*args):
    return CliRunner().invoke(main, [str(arg) for arg in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory) -> Path:
    """A tiny SHaRe-SSM trained for a few steps on BasicMotions."""
    path = tmp_path_factory.mktemp("model") / "basicmotions.pt"
    result = invoke("train", "basicmotions", "--preset", "tiny", "--max-steps", 30, "--out", path,
                    "--threads", 1, "--no-progress")
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def converted(checkpoint, tmp_path_factory):
    """(network path, report dict) of the converted tiny model."""
    folder = tmp_path_factory.mktemp("converted")
    network_path = folder / "net.h5"
    report_path = folder / "report.json"
    result = invoke("convert", checkpoint, "-o", network_path, "--report-json", report_path, "--no-progress")
    assert result.exit_code == 0, result.output
    return network_path, json.loads(report_path.read_text())


def test_numpy_forward_matches_torch_trace(checkpoint):
    float_model = FloatModel.from_checkpoint(checkpoint)
    model, saved = load_model(checkpoint)
    X = load_dataset("basicmotions").test.X

    numpy_trace = float_forward.trace(float_model, X)
    with torch.no_grad():
        torch_trace = model.trace(torch.from_numpy(apply_normalization(X, saved["normalization"])))

    assert np.allclose(numpy_trace["output"], torch_trace["output"].numpy(), atol=1e-4)
    assert np.allclose(numpy_trace["blocks"][0]["hrf_position"], torch_trace["blocks"][0]["hrf_position"].numpy(), atol=1e-3)
    assert np.mean(numpy_trace["encoder_spikes"] == torch_trace["encoder_spikes"].numpy()) > 0.999


def test_report_json_has_required_keys(converted):
    _, report = converted

    for key in ("float_accuracy", "fixed_accuracy", "cores", "neurons", "synapses", "saturations", "prediction_agreement"):
        assert key in report
    assert report["cores"] >= 5
    assert report["neurons"] == 8 * 4 + 4
    assert report["clipped_weights"] == 0


def test_fixed_network_agrees_with_float_model(converted, checkpoint):
    network_path, report = converted
    network = load_network(network_path)
    float_model = FloatModel.from_checkpoint(checkpoint)
    test = load_dataset("basicmotions").test

    activity = simulate(network, test.X, progress=False)
    float_predictions = np.argmax(float_forward.predict(float_model, test.X), axis=1)

    assert report["prediction_agreement"] >= 0.9
    assert np.mean(activity.predictions == float_predictions) >= 0.9


def test_network_file_round_trips(converted, checkpoint):
    network_path, _ = converted
    network = load_network(network_path)

    assert network.metadata["dataset"] == "basicmotions"
    assert len(network.metadata["source_sha256"]) == 64
    assert network.metadata["model_config"]["hidden_size"] == 8
    assert network.metadata["profile"] == "loihi2"
    for synapses in network.synapses:
        assert synapses.weight.dtype == np.int16
        assert np.all(synapses.weight % 2 == 0)
        assert synapses.weight_float is not None
    assert network.node("encoder").threshold_float is not None
    assert network.node("block0.hrf").coefficients_float is not None

    # Converting again gives the same file content: the calibration sample is seeded.
    again = network_path.with_name("again.h5")
    assert invoke("convert", checkpoint, "-o", again, "--no-progress").exit_code == 0
    second = load_network(again)
    for first_group, second_group in zip(network.synapses, second.synapses):
        assert first_group.name == second_group.name
        assert np.array_equal(first_group.weight, second_group.weight)
        assert first_group.weight_exp == second_group.weight_exp


def test_fewer_weight_bits_give_coarser_weights(checkpoint, tmp_path):
    out = tmp_path / "net4.h5"

    result = invoke("convert", checkpoint, "-o", out, "--weight-bits", 4, "--no-progress")

    assert result.exit_code == 0, result.output
    for synapses in load_network(out).synapses:
        assert np.all(synapses.weight % 32 == 0)


def small_profile(tmp_path: Path) -> Path:
    """A copy of the Loihi 2 profile with 4 neurons per core and 3 cores per chip."""
    text = (bundled_profile_dir() / "loihi2.toml").read_text()
    text = re.sub(r"(\[limits\.neurons_per_core\]\nvalue = )\d+", r"\g<1>4", text)
    text = re.sub(r"(\[limits\.cores_per_chip\]\nvalue = )\d+", r"\g<1>3", text)
    text = re.sub(r'(name = )"loihi2"', r'\1"tiny-chip"', text, count=1)
    path = tmp_path / "tiny-chip.toml"
    path.write_text(text)
    return path


def test_model_too_large_for_profile(checkpoint, tmp_path):
    out = tmp_path / "net.h5"

    result = CliRunner().invoke(main, ["convert", str(checkpoint), "-o", str(out), "--profile",
                                       str(small_profile(tmp_path)), "--no-progress"])

    assert result.exit_code == 2
    assert "does not fit hardware profile 'tiny-chip'" in result.output
    assert "cores_per_chip" in result.output
    assert result.output.count("Error:") == 1
    assert not out.exists()
    assert list(tmp_path.glob("*.h5*")) == []


def test_foreign_checkpoint_rejected(tmp_path):
    path = tmp_path / "other.pt"
    torch.save({"weights": torch.zeros(3)}, path)
    out = tmp_path / "net.h5"

    result = CliRunner().invoke(main, ["convert", str(path), "-o", str(out), "--no-progress"])

    assert result.exit_code == 2
    assert "is not a share-neuro checkpoint" in result.output
    assert not out.exists()


def test_truncated_checkpoint_rejected(checkpoint, tmp_path):
    path = tmp_path / "truncated.pt"
    data = checkpoint.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    out = tmp_path / "net.h5"

    result = CliRunner().invoke(main, ["convert", str(path), "-o", str(out), "--no-progress"])

    assert result.exit_code == 2
    assert "truncated" in result.output
    assert not out.exists()


class _RunsCode:
    """An object whose unpickling would create a marker file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def test_code_running_pickle_rejected(tmp_path):
    marker = tmp_path / "code-ran"
    path = tmp_path / "evil.pt"
    torch.save({"format": "share-neuro-checkpoint", "version": 1, "payload": _RunsCode(marker)}, path)
    out = tmp_path / "net.h5"

    result = CliRunner().invoke(main, ["convert", str(path), "-o", str(out), "--no-progress"])

    assert result.exit_code == 2
    assert "unsafe checkpoint rejected" in result.output
    assert not marker.exists()
    assert not out.exists()


def test_missing_checkpoint_rejected(tmp_path):
    result = CliRunner().invoke(main, ["convert", str(tmp_path / "absent.pt"), "--no-progress"])

    assert result.exit_code == 2
    assert "checkpoint not found" in result.output


def test_time_channel_config_mismatch_rejected(checkpoint, tmp_path):
    saved = torch.load(checkpoint, weights_only=True)
    saved["config"]["time_channel"] = True
    path = tmp_path / "time.pt"
    torch.save(saved, path)
    out = tmp_path / "net.h5"

    result = CliRunner().invoke(main, ["convert", str(path), "-o", str(out), "--no-progress"])

    assert result.exit_code == 2
    assert "time_channel True" in result.output
    assert not out.exists()


def test_calibration_dataset_with_wrong_channels(checkpoint, tmp_path):
    out = tmp_path / "net.h5"

    result = CliRunner().invoke(main, ["convert", str(checkpoint), "-o", str(out), "--calibrate", "forda", "--no-progress"])

    assert result.exit_code == 2
    assert "has 1 channel but the model takes 6" in result.output
    assert not out.exists()
