"""Checks that a `Network` obeys the format's rules before anyone simulates or writes it.

`validate_network` raises one `InputFileError` that names the first offending field
and the fix. The bounds below keep every integer operation of the simulators
exact: float64 matrix products of integers stay below 2**53, HRF sums stay inside
int64, and a graded group's sum before its weight_exp shift stays inside int32, where
Lava's graded Dense computes it.
"""

from __future__ import annotations

import math
import re

import numpy as np

from share_neuro.errors import InputFileError
from share_neuro.fixedpoint.rounding import WEIGHT_MAX, WEIGHT_MIN, signed_range
from share_neuro.network.nodes import (
    GENERAL_COEFFICIENTS,
    IMEX_COEFFICIENTS,
    SCHEMES,
    SPIKE_SIGNALS,
    DenseSynapses,
    HRFPopulation,
    InputNode,
    Network,
    Readout,
    ThresholdPopulation,
)

MAX_DELAY = 62  # Loihi 2's 6-bit synaptic delay, as Lava's DelayDense accepts
MAX_STATE_BITS = 32
MIN_COEF_FRAC_BITS = 12
MAX_COEF_FRAC_BITS = 30
MAX_INPUT_BITS = 24  # Lava emulates 24-bit graded spike payloads
MAX_NODE_SIZE = 1 << 20  # with 24-bit payloads and 9-bit weights, keeps sums below 2**53
# NOTE: Lava 0.10.0 accepts any weight_exp. These bounds keep shifted currents inside
# int64 for every allowed size; a hardware profile may restrict them further.
WEIGHT_EXP_RANGE = (-24, 8)
MAX_START_STEP = 1 << 20
# Lava 0.10.0's graded Dense multiplies and sums in int32 before it applies weight_exp,
# so every graded row sum must stay below this in magnitude (see graded_sum_bound).
GRADED_SUM_LIMIT = 1 << 31
TASKS = ("classification", "regression")
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.\-]+$")

EXPECTED_DTYPES = {
    "mean": np.float64,
    "std": np.float64,
    "threshold": np.int32,
    "threshold_float": np.float32,
    "coefficients": np.int32,
    "coefficients_float": np.float64,
    "bias": np.float64,
    "bias_taps": np.float64,
    "weight": np.int16,
    "delay": np.uint8,
    "weight_float": np.float32,
}


class _Checker:
    def __init__(self, where: str, strict_dtypes: bool):
        self.where = where
        self.strict_dtypes = strict_dtypes

    def fail(self, field: str, problem: str, action: str):
        raise InputFileError(f"{self.where}: {field} {problem}; {action}")

    def integer(self, field, value, low, high, action):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            self.fail(field, f"must be an integer, got {value!r}", action)
        if not low <= int(value) <= high:
            self.fail(field, f"is {int(value)}, outside [{low}, {high}]", action)

    def array(self, field, value, kind, shape, action):
        """Check an array's shape and dtype; `kind` is a key of EXPECTED_DTYPES."""
        if not isinstance(value, np.ndarray):
            self.fail(field, f"must be a numpy array, got {type(value).__name__}", action)
        expected = np.dtype(EXPECTED_DTYPES[kind])
        if self.strict_dtypes and value.dtype != expected:
            self.fail(field, f"has dtype {value.dtype}, expected {expected}", "rewrite the file with `share-neuro convert`")
        if expected.kind == "f" and value.dtype.kind not in "fiu":
            self.fail(field, f"has dtype {value.dtype}, expected {expected}", action)
        if expected.kind in "iu" and value.dtype.kind not in "iu":
            self.fail(field, f"has dtype {value.dtype}, expected {expected}", action)
        if value.shape != shape:
            self.fail(field, f"has shape {value.shape}, expected {shape}", action)
        if value.dtype.kind == "f" and not np.all(np.isfinite(value)):
            self.fail(field, "contains NaN or infinite values", action)

    def within(self, field, value, low, high, action):
        if value.size and (int(value.min()) < low or int(value.max()) > high):
            self.fail(field, f"has values in [{int(value.min())}, {int(value.max())}], outside [{low}, {high}]", action)


def max_payload(bits: int) -> int:
    """Return the largest magnitude of a signed `bits`-bit payload, 2**(bits - 1)."""
    return 1 << (int(bits) - 1)


def graded_sum_bound(weight, bits: int) -> int:
    """Return the worst-case |sum_j w_ij * s_j| of a graded group over rows i: max_i sum_j |w_ij| * 2**(bits - 1).

    A group is safe on Lava when this is below GRADED_SUM_LIMIT.
    """
    weight = np.asarray(weight, dtype=np.int64)
    row_sum = int(np.abs(weight).sum(axis=1).max()) if weight.size else 0
    return row_sum * max_payload(bits)


def validate_network(network: Network, *, where: str = "network", strict_dtypes: bool = False) -> None:
    """Raise `InputFileError` on the first rule that `network` breaks.

    `where` prefixes the message (the file name when loading). With `strict_dtypes`,
    arrays must have exactly the documented dtypes; otherwise any integer (or float)
    dtype whose values fit is accepted, as the writer casts them.
    """
    check = _Checker(where, strict_dtypes)
    redo = "convert the model again with `share-neuro convert`"

    if not isinstance(network.nodes, list) or not isinstance(network.synapses, list):
        check.fail("nodes/synapses", "must be lists", redo)

    names = set()
    for node in network.nodes:
        if not isinstance(node, (InputNode, ThresholdPopulation, HRFPopulation, Readout)):
            check.fail("nodes", f"contains a {type(node).__name__}, which is not a node kind", redo)
        _check_name(check, "node name", node.name, names, redo)
        _check_node(check, node, redo)

    inputs = [node for node in network.nodes if isinstance(node, InputNode)]
    readouts = [node for node in network.nodes if isinstance(node, Readout)]
    if len(inputs) != 1:
        check.fail("nodes", f"contain {len(inputs)} input nodes, expected exactly 1", redo)
    if len(readouts) != 1:
        check.fail("nodes", f"contain {len(readouts)} readout nodes, expected exactly 1", redo)

    synapse_names = set()
    nodes = {node.name: node for node in network.nodes}
    for synapses in network.synapses:
        if not isinstance(synapses, DenseSynapses):
            check.fail("synapses", f"contains a {type(synapses).__name__}, expected DenseSynapses", redo)
        _check_name(check, "synapse group name", synapses.name, synapse_names, redo)
        _check_synapses(check, synapses, nodes, redo)

    if not any(synapses.target == readouts[0].name for synapses in network.synapses):
        check.fail(f"readout {readouts[0].name!r}", "has no incoming synapses", redo)


def _check_name(check, field, name, seen, action):
    if not isinstance(name, str) or not NAME_PATTERN.match(name) or name in (".", ".."):
        check.fail(field, f"{name!r} is invalid (use letters, digits, '_', '-', '.')", action)
    if name in seen:
        check.fail(field, f"{name!r} is used twice (names must be unique)", action)
    seen.add(name)


def _check_node(check, node, action):
    prefix = f"node {node.name!r}"
    check.integer(f"{prefix} size", node.size, 1, MAX_NODE_SIZE, action)
    check.integer(f"{prefix} start_step", node.start_step, 0, MAX_START_STEP, action)
    shape = (int(node.size),)

    if isinstance(node, InputNode):
        check.integer(f"{prefix} bits", node.bits, 2, MAX_INPUT_BITS, action)
        check.integer(f"{prefix} frac_bits", node.frac_bits, 0, MAX_INPUT_BITS, action)
        check.array(f"{prefix} mean", node.mean, "mean", shape, action)
        check.array(f"{prefix} std", node.std, "std", shape, action)
        if np.any(node.std <= 0):
            check.fail(f"{prefix} std", "contains values <= 0", action)
        if not isinstance(node.time_channel, (bool, np.bool_)):
            check.fail(f"{prefix} time_channel", f"must be a boolean, got {node.time_channel!r}", action)
        if node.time_channel:
            if node.size < 2:
                check.fail(f"{prefix} size", f"is {node.size}; with time_channel it needs a data channel and the time channel", action)
            # The model appends t / L after normalisation, so the time channel passes unchanged.
            if node.mean[-1] != 0.0 or node.std[-1] != 1.0:
                check.fail(f"{prefix} mean/std", f"of the time channel are {node.mean[-1]!r}/{node.std[-1]!r}, "
                           "expected 0 and 1 (t / L is not normalised)", action)
        return

    if isinstance(node, ThresholdPopulation):
        check.array(f"{prefix} threshold", node.threshold, "threshold", shape, action)
        check.within(f"{prefix} threshold", node.threshold, *signed_range(32), action)
        check.integer(f"{prefix} current_frac_bits", node.current_frac_bits, -64, 64, action)
        if not isinstance(node.role, str):
            check.fail(f"{prefix} role", f"must be a string, got {node.role!r}", action)
        if node.threshold_float is not None:
            check.array(f"{prefix} threshold_float", node.threshold_float, "threshold_float", shape, action)
        return

    if isinstance(node, HRFPopulation):
        _check_hrf(check, node, prefix, shape, action)
        return

    if node.task not in TASKS:
        check.fail(f"{prefix} task", f"is {node.task!r}, expected one of {TASKS}", action)
    if not isinstance(node.scale, (float, int, np.floating, np.integer)) or not math.isfinite(float(node.scale)):
        check.fail(f"{prefix} scale", f"must be a finite number, got {node.scale!r}", action)
    check.array(f"{prefix} bias", node.bias, "bias", shape, action)
    check.integer(f"{prefix} output_step", node.output_step, 1, MAX_START_STEP, action)
    for name in ("target_center", "target_half_range"):
        value = getattr(node, name)
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (float, int, np.floating, np.integer)) \
                or not math.isfinite(float(value)):
            check.fail(f"{prefix} {name}", f"must be a finite number, got {value!r}", action)
    if float(node.target_half_range) <= 0.0:
        check.fail(f"{prefix} target_half_range", f"is {node.target_half_range!r}, expected > 0", action)
    if node.task == "regression":
        if node.size != 1:
            check.fail(f"{prefix} size", f"is {node.size}; a regression readout has exactly 1 output", action)
        if node.bias_taps is None:
            check.fail(f"{prefix} bias_taps", "is missing; a regression readout needs its FIR bias taps", action)
        taps = np.asarray(node.bias_taps)
        if taps.ndim != 1 or taps.shape[0] < 1:
            check.fail(f"{prefix} bias_taps", f"has shape {taps.shape}, expected (K,) with K >= 1", action)
        check.array(f"{prefix} bias_taps", node.bias_taps, "bias_taps", taps.shape, action)


def _check_hrf(check, node, prefix, shape, action):
    if node.scheme not in SCHEMES:
        check.fail(f"{prefix} scheme", f"is {node.scheme!r}, expected one of {SCHEMES}", action)
    if node.spike_on not in SPIKE_SIGNALS:
        check.fail(f"{prefix} spike_on", f"is {node.spike_on!r}, expected one of {SPIKE_SIGNALS}", action)
    check.integer(f"{prefix} state_bits", node.state_bits, 2, MAX_STATE_BITS, action)
    check.integer(f"{prefix} coef_frac_bits", node.coef_frac_bits, MIN_COEF_FRAC_BITS, MAX_COEF_FRAC_BITS, action)
    check.integer(f"{prefix} state_frac_bits", node.state_frac_bits, -64, 64, action)
    check.array(f"{prefix} threshold", node.threshold, "threshold", shape, action)
    check.within(f"{prefix} threshold", node.threshold, *signed_range(int(node.state_bits)), action)
    if node.threshold_float is not None:
        check.array(f"{prefix} threshold_float", node.threshold_float, "threshold_float", shape, action)

    expected = IMEX_COEFFICIENTS if node.scheme == "imex" else GENERAL_COEFFICIENTS
    if not hasattr(node.coefficients, "keys") or set(node.coefficients.keys()) != set(expected):
        found = sorted(node.coefficients.keys()) if hasattr(node.coefficients, "keys") else node.coefficients
        check.fail(f"{prefix} coefficients", f"are {found}, expected {list(expected)} for scheme {node.scheme!r}", action)
    for key in expected:
        check.array(f"{prefix} coefficients/{key}", node.coefficients[key], "coefficients", shape, action)
        check.within(f"{prefix} coefficients/{key}", node.coefficients[key], *signed_range(32), action)
    if node.coefficients_float is not None:
        for key in expected:
            if key not in node.coefficients_float:
                check.fail(f"{prefix} coefficients_float", f"lacks {key!r}", action)
            check.array(f"{prefix} coefficients_float/{key}", node.coefficients_float[key], "coefficients_float", shape, action)

    # Worst-case magnitude of each int64 sum in the update (state and current at
    # their extremes), computed in float64 with a margin so that it cannot overflow.
    state_max = float(2 ** (int(node.state_bits) - 1))
    current_max = float(2**31)
    coefficient = {key: np.abs(np.asarray(node.coefficients[key], dtype=np.float64)) for key in expected}
    if node.scheme == "imex":
        sums = [coefficient["k_a"] * state_max + coefficient["k_i"] * current_max, coefficient["k_dt"] * state_max]
    else:
        sums = [
            coefficient["m11"] * state_max + coefficient["m12"] * state_max + coefficient["g1"] * current_max + coefficient["c1"],
            coefficient["m21"] * state_max + coefficient["m22"] * state_max + coefficient["g2"] * current_max + coefficient["c2"],
        ]
    if max(float(np.max(total)) for total in sums) >= 2.0**62:
        check.fail(f"{prefix} coefficients", "are so large that the update could overflow int64", "lower state_bits or the coefficient magnitudes")


def _check_synapses(check, synapses, nodes, action):
    prefix = f"synapse group {synapses.name!r}"
    source = nodes.get(synapses.source)
    target = nodes.get(synapses.target)
    if source is None:
        check.fail(f"{prefix} source", f"{synapses.source!r} is not a node of the network", action)
    if target is None:
        check.fail(f"{prefix} target", f"{synapses.target!r} is not a node of the network", action)
    if isinstance(source, Readout):
        check.fail(f"{prefix} source", f"{source.name!r} is a readout, which sends nothing", action)
    if isinstance(target, InputNode):
        check.fail(f"{prefix} target", f"{target.name!r} is the input node, which receives nothing", action)

    graded = isinstance(source, InputNode)
    if bool(synapses.graded) != graded:
        check.fail(f"{prefix} graded", f"is {bool(synapses.graded)} but the source {source.name!r} sends "
                   + ("graded payloads" if graded else "binary spikes"), action)

    shape = (int(target.size), int(source.size))
    check.integer(f"{prefix} weight_exp", synapses.weight_exp, *WEIGHT_EXP_RANGE, action)
    check.array(f"{prefix} weight", synapses.weight, "weight", shape, action)
    check.within(f"{prefix} weight", synapses.weight, WEIGHT_MIN, WEIGHT_MAX, action)
    if np.any(np.asarray(synapses.weight, dtype=np.int64) % 2 != 0):
        check.fail(f"{prefix} weight", "contains odd values (Lava's mixed-sign Dense keeps only even weights)", action)
    if graded:
        bound = graded_sum_bound(synapses.weight, source.bits)
        if bound >= GRADED_SUM_LIMIT:
            check.fail(f"{prefix} weight", f"can sum to {bound} before the weight_exp shift ({source.bits}-bit payloads "
                       f"times a row sum of |weight| of {bound // max_payload(source.bits)}), reaching 2**31 where "
                       "Lava's graded Dense wraps in int32",
                       "lower the input node's bits or the weight magnitudes (convert again)")
    if synapses.delay is not None:
        check.array(f"{prefix} delay", synapses.delay, "delay", shape, action)
        check.within(f"{prefix} delay", synapses.delay, 0, MAX_DELAY, action)
    if synapses.weight_float is not None:
        check.array(f"{prefix} weight_float", synapses.weight_float, "weight_float", shape, action)
    if not isinstance(synapses.role, str):
        check.fail(f"{prefix} role", f"must be a string, got {synapses.role!r}", action)
