"""The deployable network: one dataclass per node kind.

A `Network` is what `share-neuro convert` writes and what the reference simulator, the
Lava backend and the energy model read. Every integer array has a fixed dtype so that
results do not depend on the numpy version. `docs/network-format.md` documents the
file layout, units and value ranges; `docs/architecture.md` the timing and arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Union

import numpy as np

FORMAT_NAME = "share-neuro-network"
FORMAT_VERSION = "1.1"
# Fields added in 1.1, with the value that a 1.0 file implies: (node kind, field) -> default.
FIELDS_SINCE_1_1 = {
    ("input", "time_channel"): False,
    ("readout", "target_center"): 0.0,
    ("readout", "target_half_range"): 1.0,
}

# Coefficient names of an HRF population, per update form.
IMEX_COEFFICIENTS = ("k_a", "k_i", "k_dt")
GENERAL_COEFFICIENTS = ("m11", "m12", "m21", "m22", "g1", "g2", "c1", "c2")
SCHEMES = ("im", "imex", "imex-damped")
SPIKE_SIGNALS = ("position", "velocity")


@dataclass
class InputNode:
    """Real-valued input channels sent as signed graded spikes.

    `x_int = saturate(round_half_up((x - mean) / std * 2**frac_bits), bits)`. With
    `time_channel`, the last of the `size` channels is not read from the data: the host
    appends `t / L` (t = 0 .. L-1) to the raw input, and `mean` 0 and `std` 1 leave it
    unnormalised, as the model appends it after normalisation.
    """

    name: str
    size: int
    mean: np.ndarray  # float64 (size,), in the dataset's units
    std: np.ndarray  # float64 (size,), in the dataset's units, > 0
    frac_bits: int
    bits: int  # signed payload width, at most 24
    start_step: int = 0
    time_channel: bool = False  # the last channel is t / L, appended by the host

    @property
    def data_channels(self) -> int:
        """Number of channels read from the dataset (`size` without the time channel)."""
        return int(self.size) - int(bool(self.time_channel))


@dataclass
class ThresholdPopulation:
    """Stateless binary neurons: spike when the summed input current > threshold."""

    name: str
    size: int
    threshold: np.ndarray  # int32 (size,), in current units of this population
    start_step: int
    role: str  # "encoder", "c_stage" or "block_linear"
    current_frac_bits: int = 0  # one current unit is 2**-current_frac_bits in float units
    threshold_float: Optional[np.ndarray] = None  # float32 (size,), the float model's value


@dataclass
class HRFPopulation:
    """Harmonic resonate-and-fire neurons with a fixed-point update.

    `coefficients` contains int32 arrays of shape (size,): the keys in
    IMEX_COEFFICIENTS for scheme "imex", the keys in GENERAL_COEFFICIENTS otherwise.
    """

    name: str
    size: int
    scheme: str
    spike_on: str
    threshold: np.ndarray  # int32 (size,), in state units
    coefficients: Mapping[str, np.ndarray]
    start_step: int
    state_bits: int = 24
    coef_frac_bits: int = 14
    state_frac_bits: int = 0  # one state unit is 2**-state_frac_bits in float units
    threshold_float: Optional[np.ndarray] = None  # float32 (size,)
    coefficients_float: Optional[Mapping[str, np.ndarray]] = None  # float64, same keys


@dataclass
class Readout:
    """Output accumulator, read by the host.

    Classification: `acc = sum of the input current over L steps from start_step`;
    prediction `argmax(acc * scale + L * bias)`. Regression: the input current at each
    step already contains the FIR sum; the host computes
    `target_center + target_half_range * tanh(current * scale + sum(bias_taps[:r + 1]))`
    at readout-relative steps `r = k * output_step - 1`, `k = 1 .. L // output_step`,
    which maps the model's tanh range back to the dataset's units.
    """

    name: str
    size: int
    task: str  # "classification" or "regression"
    start_step: int
    scale: float  # float value of one current unit
    bias: np.ndarray  # float64 (size,)
    output_step: int = 1
    bias_taps: Optional[np.ndarray] = None  # float64 (K,), regression only: FIR taps times 1
    target_center: float = 0.0  # regression only, in the dataset's units
    target_half_range: float = 1.0  # regression only, dataset units per model output unit, > 0


@dataclass
class DenseSynapses:
    """A group of synapses from one node to one population, as one Lava Dense.

    `weight` has shape (target size, source size) and contains even int16 values in
    [-256, 254]; `delay` (uint8, same shape, 0..62) or None for no delay.
    """

    name: str
    source: str
    target: str
    weight: np.ndarray
    weight_exp: int
    delay: Optional[np.ndarray] = None
    graded: bool = False  # the source sends integer payloads rather than binary spikes
    role: str = ""  # "encoder", "B", "C", "D", "linear", "readout"
    weight_float: Optional[np.ndarray] = None  # float32, same shape: the float model's weights


Population = Union[ThresholdPopulation, HRFPopulation]
Node = Union[InputNode, ThresholdPopulation, HRFPopulation, Readout]


@dataclass
class Network:
    """A whole deployable network: nodes in topological order and synapse groups."""

    nodes: list
    synapses: list
    metadata: dict[str, Any] = field(default_factory=dict)
    version: str = FORMAT_VERSION

    def node(self, name: str) -> Node:
        for candidate in self.nodes:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    @property
    def input(self) -> InputNode:
        return next(node for node in self.nodes if isinstance(node, InputNode))

    @property
    def readout(self) -> Readout:
        return next(node for node in self.nodes if isinstance(node, Readout))

    @property
    def populations(self) -> list:
        return [node for node in self.nodes if isinstance(node, (ThresholdPopulation, HRFPopulation))]

    def incoming(self, target: str) -> list:
        return [synapses for synapses in self.synapses if synapses.target == target]

    def total_steps(self, length: int) -> int:
        """Steps to simulate for an input of `length` steps: until the readout has seen all of it."""
        return self.readout.start_step + length
