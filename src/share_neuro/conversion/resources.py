"""Core placement estimate and resource check of a network against a hardware profile.

The model of the chip is deliberately simple, and every rule here is an estimate:

- Each population (threshold, HRF and readout neurons) gets cores of its own, split
  into equal contiguous slices. An HRF neuron uses `hrf_compartments` compartments (the
  profile's `neuron_model.hrf_compartments`, else 2: velocity and position). The input
  node is fed by the host and uses no core.
- A core stores the non-zero synapses that end on its neurons, each taking
  `weight_bits` bits, plus 6 delay bits in a group with delays.
- Input axons of a core (fan-in): the source neurons of every group that ends on it.
  Output axons of a core (fan-out): one per (neuron, destination core) pair.
- Splitting a population over more cores lowers its synaptic memory and fan-out per
  core, so the check adds cores until both fit. Fan-in does not shrink that way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from share_neuro.errors import ResourceError
from share_neuro.network.nodes import HRFPopulation, InputNode, Network

DELAY_BITS = 6
DEFAULT_HRF_COMPARTMENTS = 2

# Limit names of a profile's [limits] table used here, with their units.
LIMIT_UNITS = {
    "neurons_per_core": "compartments",
    "input_axons_per_core": "input axons",
    "fan_out_per_core": "output axons",
    "synaptic_memory_per_core": "bytes",
    "cores_per_chip": "cores",
    "weight_bits": "bits",
    "state_bits": "bits",
    "max_delay": "steps",
}


@dataclass
class PopulationPlacement:
    """Core count and per-core load (of the largest slice) of one population."""

    name: str
    neurons: int
    compartments: int
    cores: int
    synapses: int  # non-zero incoming synapses, all cores together
    memory_bytes_per_core: int
    input_axons_per_core: int
    output_axons_per_core: int


@dataclass
class ResourceReport:
    """Placement of every population, the totals and the limits that were exceeded."""

    populations: list = field(default_factory=list)
    cores: int = 0
    neurons: int = 0
    synapses: int = 0
    max_delay: int = 0
    limits: dict = field(default_factory=dict)
    violations: list = field(default_factory=list)  # one sentence per exceeded limit

    def to_dict(self) -> dict:
        return {
            "cores": self.cores,
            "neurons": self.neurons,
            "synapses": self.synapses,
            "max_delay": self.max_delay,
            "limits": dict(self.limits),
            "violations": list(self.violations),
            "populations": [vars(placement).copy() for placement in self.populations],
        }


def node_sizes(network: Network) -> dict:
    return {node.name: node.size for node in network.nodes}


def nonzero_rows(weight: np.ndarray) -> np.ndarray:
    """Return the non-zero synapses per target neuron of one group."""
    return np.count_nonzero(np.asarray(weight), axis=1)


def slice_maximum(per_neuron: np.ndarray, cores: int) -> int:
    """Return the largest sum of `per_neuron` over `cores` equal contiguous slices."""
    size = per_neuron.shape[0]
    width = math.ceil(size / cores)
    return max(int(per_neuron[start:start + width].sum()) for start in range(0, size, width))


def place(network: Network, limits: dict, *, weight_bits: int, hrf_compartments: int = DEFAULT_HRF_COMPARTMENTS) -> ResourceReport:
    """Estimate cores, synapses and per-core loads of `network` and list the limits it exceeds.

    `limits` maps names of LIMIT_UNITS to numbers in those units (`Profile.limit`
    values); a missing name is not checked.
    """
    sizes = node_sizes(network)
    neurons_per_core = int(limits.get("neurons_per_core", 0)) or None
    memory_limit = limits.get("synaptic_memory_per_core")
    fan_out_limit = limits.get("fan_out_per_core")

    cores = {}
    for node in network.nodes:
        if isinstance(node, InputNode):
            continue
        compartments = node.size * (hrf_compartments if isinstance(node, HRFPopulation) else 1)
        cores[node.name] = math.ceil(compartments / neurons_per_core) if neurons_per_core else 1

    memory_per_neuron = {name: np.zeros(sizes[name], dtype=np.int64) for name in cores}
    synapse_count = {name: 0 for name in cores}
    for group in network.synapses:
        per_neuron = nonzero_rows(group.weight)
        bits = weight_bits + (DELAY_BITS if group.delay is not None and np.any(group.delay) else 0)
        memory_per_neuron[group.target] += per_neuron * bits
        synapse_count[group.target] += int(per_neuron.sum())

    def memory_bytes(name):
        return math.ceil(slice_maximum(memory_per_neuron[name], cores[name]) / 8)

    def output_axons(name):
        width = math.ceil(sizes[name] / cores[name]) if name in cores else sizes[name]
        destinations = sum(cores[group.target] for group in network.synapses if group.source == name)
        return width * destinations

    # Memory and fan-out shrink as a population spreads over more cores; the loop
    # stops when a population is down to one neuron per core.
    changed = True
    while changed:
        changed = False
        for name in cores:
            too_much_memory = memory_limit is not None and memory_bytes(name) > memory_limit
            too_much_fan_out = fan_out_limit is not None and output_axons(name) > fan_out_limit
            if (too_much_memory or too_much_fan_out) and cores[name] < sizes[name]:
                cores[name] += 1
                changed = True

    report = ResourceReport(limits=dict(limits))
    for name in cores:
        fan_in = sum(sizes[group.source] for group in network.synapses if group.target == name)
        node = network.node(name)
        placement = PopulationPlacement(
            name=name,
            neurons=sizes[name],
            compartments=sizes[name] * (hrf_compartments if isinstance(node, HRFPopulation) else 1),
            cores=cores[name],
            synapses=synapse_count[name],
            memory_bytes_per_core=memory_bytes(name),
            input_axons_per_core=fan_in,
            output_axons_per_core=output_axons(name),
        )
        report.populations.append(placement)

    report.cores = sum(cores.values())
    report.neurons = sum(sizes[name] for name in cores)
    report.synapses = sum(synapse_count.values())
    report.max_delay = max((int(group.delay.max()) for group in network.synapses if group.delay is not None), default=0)
    report.violations = find_violations(network, report, limits, weight_bits)
    return report


def find_violations(network: Network, report: ResourceReport, limits: dict, weight_bits: int) -> list:
    """Return one sentence per limit of `limits` that the placement exceeds."""
    violations = []

    def check(limit_name, used, what):
        limit = limits.get(limit_name)
        if limit is not None and used > limit:
            violations.append(f"{what} needs {used} {LIMIT_UNITS[limit_name]} but the profile allows {limit:g} ({limit_name})")

    for placement in report.populations:
        check("input_axons_per_core", placement.input_axons_per_core, f"population {placement.name!r}")
        check("fan_out_per_core", placement.output_axons_per_core, f"population {placement.name!r}")
        check("synaptic_memory_per_core", placement.memory_bytes_per_core, f"population {placement.name!r}")

    check("cores_per_chip", report.cores, "the network")
    check("weight_bits", weight_bits, "the weights")
    check("max_delay", report.max_delay, "the longest synaptic delay")

    state_bits = max((node.state_bits for node in network.nodes if isinstance(node, HRFPopulation)), default=0)
    check("state_bits", state_bits, "the HRF state")
    check("state_bits", network.input.bits, "the graded input")
    return violations


def check_resources(report: ResourceReport, profile_name: str) -> None:
    """Raise ResourceError naming every exceeded limit of `profile_name`."""
    if not report.violations:
        return
    listed = "; ".join(report.violations)
    raise ResourceError(
        f"the network does not fit hardware profile {profile_name!r}: {listed}. Use a smaller model "
        f"(hidden size, state size or blocks), fewer weight bits, or a larger profile"
    )
