"""Turn the Lava recording Vars into an `Activity`, with the reference simulator's definitions.

Outputs, predictions, event counts and neuron updates follow
`share_neuro.simulation.reference`: classification scores are
`acc * scale + L * bias`, regression outputs `regression_values(current * scale +
cumulative bias)` (tanh, then the target scaling) at readout-relative steps `output_step - 1, 2 output_step - 1, ...`. Under
`floating_pt` the currents are already in float units, so the scale is 1.
"""

from __future__ import annotations

import numpy as np
from share_neuro.network.nodes import Network
from share_neuro.simulation.activity import Activity
from share_neuro.simulation.reference import regression_output_steps, regression_values

from share_neuro_lava.schedule import Schedule


def _by_sample(chunks: list, samples: int, lanes: int) -> np.ndarray:
    """Concatenate (rounds, rows, lanes * size) chunks and return (samples, rows, size)."""
    rounds = np.concatenate(chunks, axis=0)
    count, rows, width = rounds.shape
    per_lane = rounds.reshape(count, rows, lanes, width // lanes).transpose(0, 2, 1, 3)
    return per_lane.reshape(count * lanes, rows, width // lanes)[:samples]


def _scores(network: Network, readout_rows: np.ndarray, length: int, tag: str):
    readout = network.readout
    scale = np.float64(1.0 if tag == "floating_pt" else readout.scale)
    currents = readout_rows.astype(np.float64)
    if readout.task == "classification":
        scores = currents[:, 0, :] * scale + np.float64(length) * readout.bias.astype(np.float64)
        return scores, np.argmax(scores, axis=1).astype(np.int64)

    output_steps = regression_output_steps(readout, length)
    cumulative_bias = np.cumsum(np.asarray(readout.bias_taps, dtype=np.float64))
    bias = cumulative_bias[np.minimum(output_steps, len(cumulative_bias) - 1)]
    return regression_values(readout, currents[:, output_steps, 0] * scale + bias), None


def activity_from_records(network: Network, schedule: Schedule, samples: int, length: int, tag: str,
                          records: dict, counts: dict, saturations: dict,
                          input_nonzero: np.ndarray) -> Activity:
    """Assemble the Activity of a Lava run.

    `counts` maps population names to the `spike_count` Var (lanes * size) and
    `input_nonzero` contains the number of non-zero payloads per input channel.
    Lava wraps currents inside its ports, so `current_overflows` stays empty.
    """
    lanes = schedule.lanes
    steps = schedule.steps
    readout = network.readout
    outputs, predictions = _scores(network, _by_sample(records["readout"], samples, lanes), length, tag)
    activity = Activity(samples=samples, steps=steps, length=length, outputs=outputs, predictions=predictions)

    for population in network.populations:
        per_lane = np.asarray(counts[population.name]).astype(np.int64).reshape(lanes, population.size)
        activity.spike_counts[population.name] = per_lane.sum(axis=0)
        activity.neuron_updates[population.name] = population.size * max(0, steps - population.start_step) * samples
        activity.saturations[population.name] = int(saturations.get(population.name, 0))
        if records["spikes"].get(population.name):
            activity.spikes[population.name] = _by_sample(records["spikes"][population.name], samples, lanes)
    activity.neuron_updates[readout.name] = readout.size * length * samples

    nonzero = dict(activity.spike_counts)
    nonzero[network.input.name] = np.asarray(input_nonzero, dtype=np.int64)
    for group in network.synapses:
        events = int(nonzero[group.source] @ np.count_nonzero(group.weight, axis=0).astype(np.int64))
        activity.graded_events[group.name] = events if group.graded else 0
        activity.synaptic_events[group.name] = 0 if group.graded else events
    return activity
