"""Hand-checked timing of Dense and DelayDense on Lava, and Lava facts the backend relies on."""

import numpy as np
from share_neuro.network.nodes import DenseSynapses, InputNode, Network, Readout, ThresholdPopulation
from share_neuro.simulation.reference import simulate

from share_neuro_lava.runner import run_network


def chain_network(delay: int) -> Network:
    """input -(Dense)-> first -(DelayDense, delay)-> second -(Dense)-> readout, one neuron each."""
    def population(name):
        return ThresholdPopulation(name=name, size=1, threshold=np.array([0], np.int32), start_step=0, role="encoder")

    def synapses(name, source, target, weight, delay=None, graded=False):
        return DenseSynapses(name=name, source=source, target=target, weight=np.array([[weight]], np.int16),
                             weight_exp=0, delay=None if delay is None else np.array([[delay]], np.uint8),
                             graded=graded)

    nodes = [InputNode(name="input", size=1, mean=np.zeros(1), std=np.ones(1), frac_bits=0, bits=12),
             population("first"), population("second"),
             Readout(name="readout", size=1, task="classification", start_step=6, scale=1.0, bias=np.zeros(1))]
    groups = [synapses("in", "input", "first", 2, graded=True), synapses("mid", "first", "second", 2, delay),
              synapses("out", "second", "readout", 4)]
    return Network(nodes=nodes, synapses=groups)


def test_dense_and_delay_dense_timing():
    # x[0] = 5 is sent at step 0 and reaches `first` at step 1 (Dense: one step);
    # first's spike at step 1 reaches `second` at 1 + 1 + 3 = 5 (DelayDense, delay 3);
    # second's spike at step 5 reaches the readout at step 6.
    network = chain_network(delay=3)
    X = np.zeros((1, 4, 1), np.float32)
    X[0, 0, 0] = 5.0
    lava = run_network(network, X, tag="fixed_pt")

    steps = network.total_steps(4)
    expected_first = np.zeros(steps, bool)
    expected_first[1] = True
    expected_second = np.zeros(steps, bool)
    expected_second[5] = True
    np.testing.assert_array_equal(lava.spikes["first"][0, :, 0], expected_first)
    np.testing.assert_array_equal(lava.spikes["second"][0, :, 0], expected_second)
    np.testing.assert_array_equal(lava.outputs, [[4.0]])


def test_zero_delay_delay_dense_equals_dense():
    network = chain_network(delay=0)
    X = np.zeros((1, 4, 1), np.float32)
    X[0, 0, 0] = 5.0
    lava = run_network(network, X, tag="fixed_pt")
    assert np.flatnonzero(lava.spikes["second"][0, :, 0]).tolist() == [2]


def test_samples_do_not_leak_into_each_other():
    # The spike of sample 0 is still in the DelayDense buffer when the sample ends;
    # the gap steps must drain it before sample 1 starts.
    network = chain_network(delay=6)
    X = np.zeros((2, 4, 1), np.float32)
    X[0, 3, 0] = 5.0
    lava = run_network(network, X, tag="fixed_pt", lanes=1, rounds_per_chunk=2)
    reference = simulate(network, X, record_spikes=True, progress=False)
    assert not lava.spikes["second"][1].any()
    for name in ("first", "second"):
        np.testing.assert_array_equal(lava.spikes[name], reference.spikes[name])


def test_negative_only_weights_keep_minus_256():
    # Lava treats an all-non-positive matrix as inhibitory and clips -256 to -255
    # unless the mixed sign mode is passed (the builder passes it). With weight -256
    # the current -1280 is not above the threshold -1280; with -255 it would be.
    network = chain_network(delay=0)
    network.synapses[0].weight = np.array([[-256]], np.int16)
    network.node("first").threshold = np.array([-1280], np.int32)
    X = np.zeros((1, 4, 1), np.float32)
    X[0, 0, 0] = 5.0
    lava = run_network(network, X, tag="fixed_pt")
    assert not lava.spikes["first"][0, 1, 0]
    network.node("first").threshold = np.array([-1281], np.int32)
    lava = run_network(network, X, tag="fixed_pt")
    assert lava.spikes["first"][0, 1, 0]
