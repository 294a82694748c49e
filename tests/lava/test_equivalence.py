"""Lava fixed_pt equals the reference simulator spike for spike on random networks."""

import numpy as np
import pytest
from share_neuro.simulation.reference import simulate

from share_neuro_lava.runner import run_network
from share_neuro_lava.synthetic import random_inputs, random_network


def assert_same_activity(reference, lava):
    assert set(lava.spikes) == set(reference.spikes)
    for name, spikes in reference.spikes.items():
        mismatches = np.argwhere(lava.spikes[name] != spikes)
        assert mismatches.size == 0, f"population {name}: first (sample, step, neuron) mismatches {mismatches[:5].tolist()}"
    np.testing.assert_array_equal(lava.outputs, reference.outputs)
    if reference.predictions is not None:
        np.testing.assert_array_equal(lava.predictions, reference.predictions)
    for name, counts in reference.spike_counts.items():
        np.testing.assert_array_equal(lava.spike_counts[name], counts, err_msg=name)
    assert lava.synaptic_events == reference.synaptic_events
    assert lava.graded_events == reference.graded_events
    assert lava.neuron_updates == reference.neuron_updates
    assert lava.saturations == reference.saturations


CASES = [
    # seed, scheme, task, lanes, samples
    (0, "imex", "classification", 1, 2),
    (1, "im", "regression", 2, 3),
    (2, "imex-damped", "classification", 3, 4),
    (3, "imex", "regression", 1, 2),
    (4, "im", "classification", 2, 2),
]


@pytest.mark.parametrize("seed, scheme, task, lanes, samples", CASES)
def test_fixed_pt_equals_reference(seed, scheme, task, lanes, samples):
    network = random_network(seed, scheme=scheme, task=task)
    X = random_inputs(seed, network, samples, 10)
    reference = simulate(network, X, record_spikes=True, progress=False)
    lava = run_network(network, X, tag="fixed_pt", lanes=lanes, rounds_per_chunk=1)
    assert any(spikes.any() for spikes in reference.spikes.values())
    assert_same_activity(reference, lava)


def test_saturating_hrf_equals_reference():
    network = random_network(7, scheme="imex", input_bits=20)
    hrf = network.node("hrf")
    hrf.state_bits = 8
    hrf.threshold = np.clip(hrf.threshold, -100, 100).astype(np.int32)
    X = random_inputs(7, network, 2, 12) * 4
    reference = simulate(network, X, record_spikes=True, progress=False)
    lava = run_network(network, X, tag="fixed_pt", lanes=2)
    assert reference.saturations["hrf"] > 0
    assert_same_activity(reference, lava)


def test_no_spike_recording_keeps_counts():
    network = random_network(5)
    X = random_inputs(5, network, 3, 8)
    reference = simulate(network, X, record_spikes=False, progress=False)
    lava = run_network(network, X, tag="fixed_pt", record_spikes=False, lanes=2)
    assert lava.spikes == {}
    assert_same_activity(reference, lava)
