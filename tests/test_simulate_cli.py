"""`share-neuro simulate` on a real network file and a .npz dataset."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from share_neuro.cli import main
from share_neuro.network import load_network, save_network
from share_neuro.network.synthetic import random_share_network
from share_neuro.simulation.reference import simulate as simulate_reference


@pytest.fixture
def files(tmp_path):
    network = random_share_network(4, inputs=3, hidden=8, state=4, blocks=2, classes=3)
    network_path = save_network(network, tmp_path / "net.h5")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 20, 3)).astype(np.float32)
    y = rng.integers(0, 3, size=40).astype(np.int64)
    data_path = tmp_path / "toy.npz"
    np.savez(data_path, X=X[:20], y=y[:20], X_val=X[20:30], y_val=y[20:30], X_test=X[30:], y_test=y[30:])
    return network_path, data_path, X[30:], y[30:]


def test_simulate_writes_json(files, tmp_path):
    network_path, data_path, X_test, y_test = files
    json_path = tmp_path / "out" / "result.json"
    result = CliRunner().invoke(main, ["simulate", str(network_path), "--dataset", str(data_path),
                                       "--limit", "6", "--json", str(json_path), "--batch-size", "4"])
    assert result.exit_code == 0, result.output
    assert "accuracy" in result.output
    assert "b0_hrf" in result.output

    results = json.loads(json_path.read_text())
    expected = simulate_reference(load_network(network_path), X_test[:6], progress=False)
    assert results["samples"] == 6
    assert results["backend"] == "reference"
    assert results["steps"] == expected.steps
    assert results["accuracy"] == pytest.approx(float(np.mean(expected.predictions == y_test[:6])))
    assert results["firing_rates"] == pytest.approx(expected.firing_rates())


def test_simulate_missing_network_exits_2(files, tmp_path):
    _, data_path, _, _ = files
    result = CliRunner().invoke(main, ["simulate", str(tmp_path / "absent.h5"), "--dataset", str(data_path)])
    assert result.exit_code == 2
    assert "not found" in result.output


def test_simulate_channel_mismatch_exits_2(files, tmp_path):
    network_path, _, _, _ = files
    data_path = tmp_path / "wide.npz"
    np.savez(data_path, X=np.zeros((20, 5, 4), np.float32), y=np.arange(20) % 3)
    json_path = tmp_path / "result.json"
    result = CliRunner().invoke(main, ["simulate", str(network_path), "--dataset", str(data_path), "--json", str(json_path)])
    assert result.exit_code == 2
    assert "4 channels" in result.output
    assert not json_path.exists()


def test_simulate_one_channel_message(files, tmp_path):
    network_path, _, _, _ = files
    data_path = tmp_path / "narrow.npz"
    np.savez(data_path, X=np.zeros((20, 5, 1), np.float32), y=np.arange(20) % 3)
    result = CliRunner().invoke(main, ["simulate", str(network_path), "--dataset", str(data_path)])
    assert result.exit_code == 2
    assert "has 1 channel but the network's input node reads" in result.output
