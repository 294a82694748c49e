"""run_lava from the main environment: runs the real Lava worker in .venv-lava."""

import numpy as np
import pytest
from share_neuro.errors import EnvironmentSetupError, ShareNeuroError
from share_neuro.network.hdf5 import save_network
from share_neuro.simulation import lava_bridge
from share_neuro.simulation.reference import simulate

from tests.lava_networks import small_network


def test_run_lava_equals_reference(tmp_path):
    network = small_network()
    path = save_network(network, tmp_path / "net.h5")
    X = np.random.default_rng(0).normal(0, 2, (3, 8, network.input.size)).astype(np.float32)

    activity = lava_bridge.run_lava(path, X, lanes=2, progress=False)
    reference = simulate(network, X, record_spikes=True, progress=False)

    for name, spikes in reference.spikes.items():
        np.testing.assert_array_equal(activity.spikes[name], spikes, err_msg=name)
    np.testing.assert_array_equal(activity.outputs, reference.outputs)
    np.testing.assert_array_equal(activity.predictions, reference.predictions)
    assert activity.synaptic_events == reference.synaptic_events
    assert list(tmp_path.iterdir()) == [tmp_path / "net.h5"]


def test_missing_lava_python_raises(tmp_path, monkeypatch):
    network = small_network()
    path = save_network(network, tmp_path / "net.h5")
    monkeypatch.setenv(lava_bridge.LAVA_PYTHON_VARIABLE, str(tmp_path / "missing" / "python"))
    with pytest.raises(EnvironmentSetupError, match="setup_envs.sh lava"):
        lava_bridge.run_lava(path, np.zeros((1, 4, network.input.size)), lava_python=None)


def test_worker_error_becomes_share_neuro_error(tmp_path):
    network = small_network()
    path = save_network(network, tmp_path / "net.h5")
    X = np.full((1, 4, network.input.size), np.nan)
    with pytest.raises(ShareNeuroError, match="NaN"):
        lava_bridge.run_lava(path, X, progress=False)
