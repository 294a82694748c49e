"""Lava floating_pt runs the float model: compared with a plain float64 loop written here."""

import numpy as np
from share_neuro.network.nodes import HRFPopulation, InputNode, Readout, ThresholdPopulation

from share_neuro_lava.runner import run_network
from share_neuro_lava.synthetic import random_inputs, random_network


def float_loop(network, x):
    """One sample (L, C): spikes per population and readout currents, float64, step by step."""
    length = x.shape[0]
    steps = network.total_steps(length)
    outputs = {node.name: [np.zeros(node.size)] * steps for node in network.nodes if not isinstance(node, Readout)}
    spikes = {population.name: np.zeros((steps, population.size), bool) for population in network.populations}
    state = {population.name: (np.zeros(population.size), np.zeros(population.size))
             for population in network.populations if isinstance(population, HRFPopulation)}
    readout = network.readout
    currents = np.zeros((steps, readout.size))
    node_in = network.input

    for t in range(steps):
        current = {}
        for node in network.nodes:
            if isinstance(node, InputNode):
                continue
            total = np.zeros(node.size)
            for group in network.incoming(node.name):
                delay = np.zeros(group.weight.shape, int) if group.delay is None else group.delay.astype(int)
                for d in np.unique(delay):
                    if t - 1 - d >= 0:
                        weight = np.where(delay == d, group.weight_float.astype(np.float64), 0.0)
                        total += weight @ outputs[group.source][t - 1 - d]
            current[node.name] = total
        for node in network.nodes:
            if isinstance(node, InputNode):
                if t < length:
                    outputs[node.name][t] = (x[t].astype(np.float64) - node_in.mean) / node_in.std
                continue
            if isinstance(node, Readout):
                currents[t] = current[node.name]
                continue
            if t < node.start_step:
                continue
            if isinstance(node, ThresholdPopulation):
                fired = current[node.name] > node.threshold_float.astype(np.float64)
            else:
                c = node.coefficients_float
                u, v = state[node.name]
                if node.scheme == "imex":
                    u = u + c["k_a"] * v + c["k_i"] * current[node.name]
                    v = v + c["k_dt"] * u
                else:
                    u, v = (c["m11"] * u + c["m12"] * v + c["g1"] * current[node.name] + c["c1"],
                            c["m21"] * u + c["m22"] * v + c["g2"] * current[node.name] + c["c2"])
                state[node.name] = (u, v)
                fired = (v if node.spike_on == "position" else u) > node.threshold_float.astype(np.float64)
            spikes[node.name][t] = fired
            outputs[node.name][t] = fired.astype(np.float64)
    return spikes, currents[readout.start_step:readout.start_step + length].sum(axis=0)


def test_floating_pt_matches_float_loop():
    for seed, scheme in ((21, "imex"), (22, "im")):
        network = random_network(seed, scheme=scheme)
        X = random_inputs(seed, network, 2, 8)
        lava = run_network(network, X, tag="floating_pt", lanes=2)
        for sample in range(2):
            spikes, accumulated = float_loop(network, X[sample])
            for name, expected in spikes.items():
                np.testing.assert_array_equal(lava.spikes[name][sample], expected, err_msg=f"{name} sample {sample}")
            scores = accumulated + len(X[sample]) * network.readout.bias
            np.testing.assert_allclose(lava.outputs[sample], scores, rtol=1e-12, atol=1e-9)
