"""A plain per-step, per-neuron, per-synapse simulator: the test oracle of `reference.py`.

Written from the arithmetic definition in docs/network-format.md with Python integers
(unbounded, so overflow is explicit) and no numpy vectorisation or shared helpers. It
is very slow and meant for small networks only.
"""

from __future__ import annotations

import math

import numpy as np

from share_neuro.network.nodes import HRFPopulation, InputNode, Network, Readout, ThresholdPopulation
from share_neuro.simulation.activity import Activity


def _floor_shift(value: int, weight_exp: int) -> int:
    # Python's >> on negative integers floors, like an arithmetic shift.
    return value << weight_exp if weight_exp > 0 else value >> -weight_exp


def _round_shift(value: int, bits: int) -> int:
    return (value + (1 << (bits - 1))) >> bits


def _clip(value: int, bits: int) -> tuple[int, int]:
    low, high = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    clipped = min(max(value, low), high)
    return clipped, int(clipped != value)


def _to_int32(value: int) -> int:
    return (value + (1 << 31)) % (1 << 32) - (1 << 31)


def simulate_loop(network: Network, X, *, record_spikes: bool = True) -> Activity:
    """Simulate `network` on X (samples, length, channels) one sample, step, neuron and synapse at a time."""
    X = np.asarray(X)
    samples, length, channels = X.shape
    steps = network.readout.start_step + length
    readout = network.readout
    populations = [node for node in network.nodes if isinstance(node, (ThresholdPopulation, HRFPopulation))]

    if readout.task == "classification":
        outputs = np.zeros((samples, readout.size), dtype=np.float64)
        output_count = 0
    else:
        output_count = length // readout.output_step
        outputs = np.zeros((samples, output_count), dtype=np.float64)
    activity = Activity(samples=samples, steps=steps, length=length, outputs=outputs,
                        predictions=np.zeros(samples, dtype=np.int64) if readout.task == "classification" else None)
    for population in populations:
        activity.spike_counts[population.name] = np.zeros(population.size, dtype=np.int64)
        activity.saturations[population.name] = 0
        activity.current_overflows[population.name] = 0
        activity.neuron_updates[population.name] = 0
        if record_spikes:
            activity.spikes[population.name] = np.zeros((samples, steps, population.size), dtype=bool)
    activity.current_overflows[readout.name] = 0
    activity.neuron_updates[readout.name] = 0
    for synapses in network.synapses:
        activity.synaptic_events[synapses.name] = 0
        activity.graded_events[synapses.name] = 0

    for sample in range(samples):
        _run_sample(network, populations, X[sample], sample, steps, activity)
    return activity


def _run_sample(network, populations, x, sample, steps, activity):
    length = x.shape[0]
    readout = network.readout
    # history[name][t] is the list of integer outputs of node `name` at step t.
    history = {node.name: [] for node in network.nodes}
    state = {node.name: ([0] * node.size, [0] * node.size) for node in populations if isinstance(node, HRFPopulation)}
    accumulator = [0] * readout.size

    for t in range(steps):
        currents = {}
        for node in network.nodes:
            if isinstance(node, InputNode) or t < node.start_step:
                continue
            currents[node.name] = _input_current(network, node, history, t, activity)

        for node in network.nodes:
            if isinstance(node, InputNode):
                history[node.name].append(_input_payload(node, x, t))
            elif isinstance(node, Readout):
                if node.name in currents:
                    _readout_step(node, currents[node.name], t, length, accumulator, activity, sample)
            elif t < node.start_step:
                history[node.name].append([0] * node.size)
            else:
                activity.neuron_updates[node.name] += node.size
                if isinstance(node, ThresholdPopulation):
                    spikes = [int(currents[node.name][k] > int(node.threshold[k])) for k in range(node.size)]
                else:
                    spikes = _hrf_step(node, state[node.name], currents[node.name], activity)
                history[node.name].append(spikes)

            if not isinstance(node, Readout):
                _count_events(network, node, history[node.name][t], activity)
            if node.name in activity.spikes:
                activity.spikes[node.name][sample, t] = history[node.name][t]
                activity.spike_counts[node.name] += np.asarray(history[node.name][t], dtype=np.int64)
            elif not isinstance(node, (InputNode, Readout)):
                activity.spike_counts[node.name] += np.asarray(history[node.name][t], dtype=np.int64)

    if readout.task == "classification":
        scores = [float(accumulator[k]) * float(readout.scale) + float(length) * float(readout.bias[k]) for k in range(readout.size)]
        activity.outputs[sample] = scores
        activity.predictions[sample] = int(np.argmax(scores))


def _input_payload(node, x, t):
    relative = t - node.start_step
    if not 0 <= relative < x.shape[0]:
        return [0] * node.size
    payload = []
    for channel in range(node.size):
        if node.time_channel and channel == node.size - 1:
            raw = relative / x.shape[0]  # t / L, appended after the data channels
        else:
            raw = float(x[relative, channel])
        scaled = (raw - float(node.mean[channel])) / float(node.std[channel])
        value = math.floor(scaled * 2.0**node.frac_bits + 0.5)
        payload.append(_clip(value, node.bits)[0])
    return payload


def _input_current(network, node, history, t, activity):
    total = [0] * node.size
    for synapses in network.synapses:
        if synapses.target != node.name:
            continue
        source_size = synapses.weight.shape[1]
        for target_index in range(node.size):
            # One accumulator per delay, each shifted on its own, as Lava's DelayDense does.
            per_delay = {}
            for source_index in range(source_size):
                delay = 0 if synapses.delay is None else int(synapses.delay[target_index, source_index])
                sent = t - 1 - delay
                payload = history[synapses.source][sent][source_index] if sent >= 0 else 0
                per_delay[delay] = per_delay.get(delay, 0) + int(synapses.weight[target_index, source_index]) * payload
            total[target_index] += sum(_floor_shift(value, int(synapses.weight_exp)) for value in per_delay.values())

    wrapped = [_to_int32(value) for value in total]
    activity.current_overflows[node.name] += sum(int(a != b) for a, b in zip(wrapped, total))
    return wrapped


def _hrf_step(node, state, current, activity):
    u, v = state
    bits = int(node.state_bits)
    frac = int(node.coef_frac_bits)
    spikes = []
    for k in range(node.size):
        c = {key: int(values[k]) for key, values in node.coefficients.items()}
        if node.scheme == "imex":
            new_u, clipped_u = _clip(u[k] + _round_shift(c["k_a"] * v[k] + c["k_i"] * current[k], frac), bits)
            new_v, clipped_v = _clip(v[k] + _round_shift(c["k_dt"] * new_u, frac), bits)
        else:
            new_u, clipped_u = _clip(_round_shift(c["m11"] * u[k] + c["m12"] * v[k] + c["g1"] * current[k] + c["c1"], frac), bits)
            new_v, clipped_v = _clip(_round_shift(c["m21"] * u[k] + c["m22"] * v[k] + c["g2"] * current[k] + c["c2"], frac), bits)
        u[k], v[k] = new_u, new_v
        activity.saturations[node.name] += clipped_u + clipped_v
        signal = new_v if node.spike_on == "position" else new_u
        spikes.append(int(signal > int(node.threshold[k])))
    return spikes


def _count_events(network, node, output, activity):
    for synapses in network.synapses:
        if synapses.source != node.name:
            continue
        for source_index, payload in enumerate(output):
            if payload == 0:
                continue
            fan_out = sum(1 for row in range(synapses.weight.shape[0]) if synapses.weight[row, source_index] != 0)
            if synapses.graded:
                activity.graded_events[synapses.name] += fan_out
            else:
                activity.synaptic_events[synapses.name] += fan_out


def _readout_step(node, current, t, length, accumulator, activity, sample):
    relative = t - node.start_step
    if not 0 <= relative < length:
        return
    activity.neuron_updates[node.name] += node.size
    if node.task == "classification":
        for k in range(node.size):
            accumulator[k] += current[k]
        return
    if (relative + 1) % node.output_step == 0:
        taps = [float(value) for value in node.bias_taps[: relative + 1]]
        bias = 0.0
        for tap in taps:
            bias += tap
        value = float(current[0]) * float(node.scale) + bias
        squashed = float(np.tanh(np.float64(value)))
        output = float(node.target_center) + float(node.target_half_range) * squashed
        activity.outputs[sample, (relative + 1) // node.output_step - 1] = output
