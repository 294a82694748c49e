"""Conversion of models with the time channel (BasicMotions) and with regression target scaling (Tecator)."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from share_neuro.cli import main
from share_neuro.conversion import float_forward
from share_neuro.conversion.report import score
from share_neuro.conversion.source import FloatModel
from share_neuro.data import load_dataset
from share_neuro.model.checkpoint import load_model
from share_neuro.network.hdf5 import load_network
from share_neuro.simulation.inputs import normalize_input
from share_neuro.simulation.loop import simulate_loop
from share_neuro.simulation.reference import simulate
from share_neuro.training.normalization import apply_normalization


def invoke(*args):
    return CliRunner().invoke(main, [str(arg) for arg in args], catch_exceptions=False)


def train_and_convert(folder: Path, dataset: str, preset: str, steps: int) -> dict:
    checkpoint = folder / f"{dataset}.pt"
    metrics = folder / "metrics.json"
    result = invoke("train", dataset, "--preset", preset, "--max-steps", steps, "--out", checkpoint,
                    "--metrics-json", metrics, "--threads", 1, "--no-progress")
    assert result.exit_code == 0, result.output

    network = folder / "net.h5"
    report = folder / "report.json"
    result = invoke("convert", checkpoint, "-o", network, "--report-json", report, "--calibration-samples", 64,
                    "--no-progress")
    assert result.exit_code == 0, result.output
    return {"checkpoint": checkpoint, "metrics": json.loads(metrics.read_text()), "network": network,
            "report": json.loads(report.read_text())}


@pytest.fixture(scope="module")
def basicmotions(tmp_path_factory):
    """basicmotions-small (time_channel = true) trained for a few steps, and its network."""
    return train_and_convert(tmp_path_factory.mktemp("time"), "basicmotions", "basicmotions-small", 12)


@pytest.fixture(scope="module")
def tecator(tmp_path_factory):
    """tecator-small (time channel, output_step 1, targets scaled from 0.9..48.5) trained briefly, and its network."""
    return train_and_convert(tmp_path_factory.mktemp("tecator"), "tecator", "tecator-small", 12)


def test_time_channel_input_node(basicmotions):
    network = load_network(basicmotions["network"])
    node = network.input

    assert node.time_channel
    assert node.size == 7
    assert node.data_channels == 6
    assert node.mean[-1] == 0.0
    assert node.std[-1] == 1.0


def test_time_channel_matches_torch_encoder_input(basicmotions):
    network = load_network(basicmotions["network"])
    model, saved = load_model(basicmotions["checkpoint"])
    X = load_dataset("basicmotions").test.X[:3]

    with torch.no_grad():
        expected = model.encoder_input(torch.from_numpy(apply_normalization(X, saved["normalization"]))).numpy()

    np.testing.assert_allclose(normalize_input(network.input, X), expected, rtol=1e-6, atol=1e-6)


def test_time_channel_float_forward_matches_torch(basicmotions):
    float_model = FloatModel.from_checkpoint(basicmotions["checkpoint"])
    model, saved = load_model(basicmotions["checkpoint"])
    X = load_dataset("basicmotions").test.X

    with torch.no_grad():
        torch_output = model(torch.from_numpy(apply_normalization(X, saved["normalization"]))).numpy()

    assert np.allclose(float_forward.predict(float_model, X), torch_output, atol=1e-4)


def test_time_channel_fixed_agrees_with_float(basicmotions):
    network = load_network(basicmotions["network"])
    float_model = FloatModel.from_checkpoint(basicmotions["checkpoint"])
    test = load_dataset("basicmotions").test

    activity = simulate(network, test.X, progress=False)
    float_predictions = np.argmax(float_forward.predict(float_model, test.X), axis=1)

    assert np.mean(activity.predictions == float_predictions) >= 0.8
    assert basicmotions["report"]["prediction_agreement"] >= 0.8


def test_time_channel_reference_equals_loop(basicmotions):
    network = load_network(basicmotions["network"])
    X = load_dataset("basicmotions").test.X[:2, :30]

    reference = simulate(network, X, record_spikes=True, progress=False)
    loop = simulate_loop(network, X)

    for name, spikes in reference.spikes.items():
        np.testing.assert_array_equal(loop.spikes[name], spikes, err_msg=name)
    np.testing.assert_array_equal(loop.outputs, reference.outputs)


def test_time_channel_runs_on_lava_bridge(basicmotions):
    from share_neuro.simulation.lava_bridge import run_lava

    network = load_network(basicmotions["network"])
    X = load_dataset("basicmotions").test.X[:4]

    lava = run_lava(basicmotions["network"], X, lanes=4, progress=False)
    reference = simulate(network, X, record_spikes=True, progress=False)

    assert any(spikes.any() for spikes in reference.spikes.values())
    for name, spikes in reference.spikes.items():
        np.testing.assert_array_equal(lava.spikes[name], spikes, err_msg=name)
    np.testing.assert_array_equal(lava.outputs, reference.outputs)
    np.testing.assert_array_equal(lava.predictions, reference.predictions)
    assert lava.graded_events == reference.graded_events


def test_simulate_wrong_channels_counts_data_channels(basicmotions):
    network = load_network(basicmotions["network"])
    X = load_dataset("basicmotions").test.X[:1]
    with_time = np.concatenate([X, np.zeros(X.shape[:2] + (1,), np.float32)], axis=-1)

    from share_neuro.errors import DataError

    with pytest.raises(DataError, match=r"expected \(samples, length, 6\)"):
        simulate(network, with_time, progress=False)


def test_tecator_readout_carries_target_scaling(tecator):
    network = load_network(tecator["network"])
    saved = torch.load(tecator["checkpoint"], weights_only=True)
    readout = network.readout

    assert readout.task == "regression"
    assert readout.output_step == 1
    assert readout.target_center == pytest.approx(saved["target_scaling"]["center"])
    assert readout.target_half_range == pytest.approx(saved["target_scaling"]["half_range"])
    assert readout.target_half_range > 1.0


def test_tecator_float_mse_matches_training(tecator):
    float_model = FloatModel.from_checkpoint(tecator["checkpoint"])
    test = load_dataset("tecator").test

    outputs = float_model.to_dataset_units(float_forward.predict(float_model, test.X))
    mse = score("regression", outputs, None, test.y)

    assert mse == pytest.approx(tecator["metrics"]["test"]["mse"], rel=1e-3)


def test_tecator_simulate_reports_dataset_units(tecator, tmp_path):
    results_path = tmp_path / "simulate.json"
    result = invoke("simulate", tecator["network"], "--dataset", "tecator", "--json", results_path)
    assert result.exit_code == 0, result.output
    results = json.loads(results_path.read_text())

    float_mse = tecator["metrics"]["test"]["mse"]
    # The scaled targets span 0.8 model units for 23.8 % fat, so an unscaled MSE would be far below 1.
    assert float_mse > 1.0
    assert results["mse"] == pytest.approx(float_mse, rel=0.25)


def test_tecator_convert_report_in_dataset_units(tecator):
    report = tecator["report"]
    float_model = FloatModel.from_checkpoint(tecator["checkpoint"])
    train = load_dataset("tecator", seed=float_model.metrics.get("seed", 2345)).train

    assert report["float_mse"] > 1.0
    assert report["fixed_mse"] == pytest.approx(report["float_mse"], rel=0.25)
    assert report["output_max_difference"] < 0.25 * (float(train.y.max()) - float(train.y.min()))
