"""Conversion of every HRF scheme and of a regression head, checked against the float model.

The models are freshly initialised ShareSSM networks (the converter reads their state
dicts as it reads a checkpoint's), run on real BasicMotions and Tecator sequences.
"""

import numpy as np
import pytest
import torch

from share_neuro.conversion import convert, float_forward
from share_neuro.conversion.source import from_state_dict
from share_neuro.data import load_dataset
from share_neuro.energy.profiles import load_profile
from share_neuro.model.build import build_model
from share_neuro.model.config import ModelConfig
from share_neuro.network.nodes import HRFPopulation
from share_neuro.simulation.reference import simulate
from share_neuro.training.normalization import fit_normalization


def float_model_for(config: ModelConfig, X_train: np.ndarray, seed: int = 0):
    torch.manual_seed(seed)
    model = build_model(config)
    state = {name: tensor.detach().double().numpy() for name, tensor in model.state_dict().items()}
    float_model = from_state_dict(config.to_dict(), state)
    normalization = fit_normalization(X_train)
    float_model.normalization = {key: np.asarray(value) for key, value in normalization.items()}
    float_model.dataset = "test"
    return float_model


@pytest.mark.parametrize("scheme", ["im", "imex", "imex-damped"])
def test_scheme_converts_with_agreeing_predictions(scheme):
    data = load_dataset("basicmotions")
    config = ModelConfig(input_size=6, output_size=4, hidden_size=16, state_size=16, num_blocks=2, scheme=scheme)
    float_model = float_model_for(config, data.train.X)

    network, report = convert(float_model, data.train.X, data.train.y, profile=load_profile("loihi2"), progress=False)

    hrf = [node for node in network.nodes if isinstance(node, HRFPopulation)]
    assert len(hrf) == 2
    assert all(node.scheme == scheme for node in hrf)
    assert all(radius < 1.0 or scheme == "imex" for radius in report["quantization"]["spectral_radius"].values())
    assert report["prediction_agreement"] >= 0.9
    assert report["saturations"]["current_overflows"] == 0


def test_im_offsets_reach_constant_coefficients():
    data = load_dataset("basicmotions")
    config = ModelConfig(input_size=6, output_size=4, hidden_size=8, state_size=8, num_blocks=1, scheme="im")
    float_model = float_model_for(config, data.train.X)
    float_model.blocks[0].a1 = np.full(8, 0.05)

    network, _ = convert(float_model, data.train.X, data.train.y, profile=load_profile("loihi2"), progress=False)

    hrf = network.node("block0.hrf")
    expected = 0.05 * np.asarray(float_model.blocks[0].coefficients("im").m11) * 2.0 ** (hrf.state_frac_bits + hrf.coef_frac_bits)
    assert np.allclose(hrf.coefficients["c1"], expected, atol=1.0)


def test_regression_fir_taps_follow_float_outputs():
    data = load_dataset("tecator")
    config = ModelConfig(input_size=1, output_size=1, task="regression", hidden_size=16, state_size=16,
                         num_blocks=1, fir_taps=4, output_step=10)
    float_model = float_model_for(config, data.train.X)

    network, report = convert(float_model, data.train.X, data.train.y, profile=load_profile("loihi2"), progress=False)

    taps = [group for group in network.synapses if group.target == "readout"]
    assert len(taps) == 2 * 4
    delays = {group.name: int(group.delay.max()) if group.delay is not None else 0 for group in taps}
    assert [delays[f"block0.linear.to.readout.tap{j}"] for j in range(4)] == [0, 1, 2, 3]
    assert np.allclose(network.readout.bias_taps, float_model.fir * float_model.readout_bias[0])
    assert "float_mse" in report
    assert "fixed_mse" in report
    # A flipped spike moves an output by up to a readout weight; on average they stay close.
    assert report["output_mse_between"] < 1e-3


def test_regression_readout_matches_float_fir_of_network_spikes():
    data = load_dataset("tecator")
    config = ModelConfig(input_size=1, output_size=1, task="regression", hidden_size=16, state_size=16,
                         num_blocks=1, fir_taps=4, output_step=10)
    float_model = float_model_for(config, data.train.X)
    network, _ = convert(float_model, data.train.X, data.train.y, profile=load_profile("loihi2"), progress=False)
    X = data.test.X
    length = X.shape[1]

    activity = simulate(network, X, record_spikes=True, progress=False)

    # The float head applied to the network's own stream spikes, aligned by start step.
    stream = sum(
        activity.spikes[name][:, network.node(name).start_step:network.node(name).start_step + length].astype(np.float64)
        for name in ("encoder", "block0.linear")
    )
    head = stream @ float_model.readout_weight.T + float_model.readout_bias
    expected = np.tanh(float_forward.causal_fir(head, float_model.fir)[:, 9::10, 0])
    assert activity.outputs.shape == expected.shape
    # Only the 8-bit readout weights differ: a few thousandths at most.
    assert np.max(np.abs(activity.outputs - expected)) < 0.01
