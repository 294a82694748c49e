"""Build Lava Processes from a deployable network: one Process per node, one Dense per synapse group.

Each population, the input and the readout become one Process covering every lane;
each synapse group becomes one Lava `Dense` (or `DelayDense` when it has non-zero
delays) whose weight matrix is block-diagonal over the lanes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from lava.proc.dense.process import DelayDense, Dense
from lava.utils.weightutils import SignMode
from share_neuro.network.nodes import InputNode, Network, ThresholdPopulation

from share_neuro_lava.hrf.process import HRF
from share_neuro_lava.readout.process import ReadoutAccumulator
from share_neuro_lava.schedule import Schedule
from share_neuro_lava.source.process import GradedInput
from share_neuro_lava.threshold.process import ThresholdNeurons

TAGS = ("fixed_pt", "floating_pt")
# Lava 0.10.0 emulates 24-bit graded payloads; Dense only checks num_message_bits > 0.
GRADED_MESSAGE_BITS = 24


@dataclass
class LavaNetwork:
    """The Processes of one built network, by node and synapse-group name."""

    schedule: Schedule
    tag: str
    source: GradedInput
    populations: dict = field(default_factory=dict)  # name -> ThresholdNeurons or HRF
    readout: ReadoutAccumulator = None
    synapses: dict = field(default_factory=dict)  # name -> Dense or DelayDense

    def processes(self) -> list:
        return [self.source, *self.populations.values(), self.readout, *self.synapses.values()]


def max_delay(network: Network) -> int:
    """Return the largest synaptic delay in steps (0 without delays)."""
    delays = [int(group.delay.max()) for group in network.synapses
              if group.delay is not None and group.delay.size]
    return max(delays, default=0)


def make_schedule(network: Network, samples: int, length: int, *, lanes: int,
                  rounds_per_chunk: int) -> Schedule:
    """Schedule for `samples` inputs of `length` steps; the gap drains the longest delay."""
    return Schedule(steps=network.total_steps(length), gap=max_delay(network) + 1,
                    lanes=lanes, rounds_per_chunk=rounds_per_chunk, samples=samples)


def _tile(values, lanes: int) -> np.ndarray:
    return np.tile(np.asarray(values), lanes)


def _float_field(node, name: str):
    value = getattr(node, name)
    if value is None:
        raise ValueError(f"{type(node).__name__} {node.name!r} has no {name}; the floating_pt "
                         "tag needs the float model's values in the network file (convert again)")
    return value


def build_population(node, schedule: Schedule, tag: str, record_spikes: bool):
    """Return the Process of one ThresholdPopulation or HRFPopulation."""
    lanes = schedule.lanes
    if isinstance(node, ThresholdPopulation):
        if tag == "fixed_pt":
            threshold = _tile(node.threshold.astype(np.int32), lanes)
        else:
            threshold = _tile(np.asarray(_float_field(node, "threshold_float"), dtype=np.float64), lanes)
        return ThresholdNeurons(threshold=threshold, start_step=node.start_step, schedule=schedule,
                                record_spikes=record_spikes, name=node.name)

    if tag == "fixed_pt":
        threshold = _tile(node.threshold.astype(np.int32), lanes)
        coefficients = {key: _tile(np.asarray(value).astype(np.int32), lanes)
                        for key, value in node.coefficients.items()}
    else:
        threshold = _tile(np.asarray(_float_field(node, "threshold_float"), dtype=np.float64), lanes)
        coefficients = {key: _tile(np.asarray(value, dtype=np.float64), lanes)
                        for key, value in _float_field(node, "coefficients_float").items()}
    return HRF(scheme=node.scheme, spike_on=node.spike_on, threshold=threshold,
               coefficients=coefficients, start_step=node.start_step, schedule=schedule,
               state_bits=node.state_bits, coef_frac_bits=node.coef_frac_bits,
               record_spikes=record_spikes, name=node.name)


def build_synapses(group, schedule: Schedule, tag: str):
    """Return the Lava Dense or DelayDense of one synapse group, block-diagonal over the lanes."""
    lanes_eye = np.eye(schedule.lanes, dtype=np.int64)
    if tag == "fixed_pt":
        weights = np.kron(lanes_eye, group.weight.astype(np.int64)).astype(np.int32)
    else:
        weights = np.kron(lanes_eye.astype(np.float64), np.asarray(_float_field(group, "weight_float"), dtype=np.float64))

    # Lava picks the sign mode from the weights when none is given; an all-negative
    # matrix then counts as inhibitory and -256 becomes -255. The mixed mode keeps
    # every even weight in [-256, 254] unchanged.
    options = dict(weights=weights, weight_exp=int(group.weight_exp), num_weight_bits=8,
                   sign_mode=SignMode.MIXED,
                   num_message_bits=GRADED_MESSAGE_BITS if group.graded else 0, name=group.name)

    if group.delay is None or not np.any(group.delay):
        return Dense(**options)
    delays = np.kron(lanes_eye, group.delay.astype(np.int64)).astype(int)
    return DelayDense(delays=delays, **options)


def build_network(network: Network, inputs: np.ndarray, schedule: Schedule, *, tag: str = "fixed_pt",
                  record_spikes: bool = False) -> LavaNetwork:
    """Build and connect every Process of `network`.

    `inputs` contains the payloads that the input node sends, shape (rounds * L,
    lanes * channels) (see `arrange_inputs`): int32 under fixed_pt, float64 under
    floating_pt.
    """
    if tag not in TAGS:
        raise ValueError(f"unknown Lava tag {tag!r}; expected one of {TAGS}")

    input_node = network.input
    readout_node = network.readout
    length = schedule.steps - readout_node.start_step
    built = LavaNetwork(schedule=schedule, tag=tag, source=GradedInput(
        data=inputs, length=length, start_step=input_node.start_step, schedule=schedule,
        name=input_node.name))

    for node in network.populations:
        built.populations[node.name] = build_population(node, schedule, tag, record_spikes)
    built.readout = ReadoutAccumulator(size=readout_node.size, task=readout_node.task,
                                       start_step=readout_node.start_step, length=length,
                                       schedule=schedule, name=readout_node.name)

    for group in network.synapses:
        dense = build_synapses(group, schedule, tag)
        built.synapses[group.name] = dense
        _output_port(built, group.source).connect(dense.s_in)
        dense.a_out.connect(_input_port(built, group.target))
    return built


def _output_port(built: LavaNetwork, name: str):
    if name == built.source.name:
        return built.source.s_out
    if name in built.populations:
        return built.populations[name].s_out
    raise ValueError(f"synapse source {name!r} is neither the input nor a population")


def _input_port(built: LavaNetwork, name: str):
    if name in built.populations:
        return built.populations[name].a_in
    if name == built.readout.name:
        return built.readout.a_in
    raise ValueError(f"synapse target {name!r} is neither a population nor the readout")


def encode_inputs(network: Network, X: np.ndarray, tag: str) -> np.ndarray:
    """Turn raw float inputs (N, L, C) into the payloads of the input node.

    Both tags call the reference simulator's input functions, which append the time
    channel when the node has one. fixed_pt: the int32 payloads of `quantize_input`;
    floating_pt: `(x - mean) / std` as float64.
    """
    from share_neuro.simulation.inputs import normalize_input, quantize_input

    node: InputNode = network.input
    if tag == "floating_pt":
        return normalize_input(node, X)
    return quantize_input(node, X).astype(np.int32)


def arrange_inputs(payloads: np.ndarray, lanes: int) -> np.ndarray:
    """Lay out (N, L, C) payloads as (rounds * L, lanes * C): sample r * lanes + b goes to lane b of round r.

    Missing samples of the last round are zeros.
    """
    samples, length, channels = payloads.shape
    rounds = -(-samples // lanes)
    padded = np.zeros((rounds * lanes, length, channels), dtype=payloads.dtype)
    padded[:samples] = payloads
    by_round = padded.reshape(rounds, lanes, length, channels).transpose(0, 2, 1, 3)
    return np.ascontiguousarray(by_round.reshape(rounds * length, lanes * channels))
