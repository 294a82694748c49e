"""Operation counts per synapse group and population, from recorded activity.

Counts are totals over every sample and step that the simulator recorded, warm-up and
the steps after the input ends included. Divide by `OperationCounts.samples` for
per-sample figures. `docs/energy.md` explains what each count means.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from share_neuro.errors import ShareNeuroError
from share_neuro.network.nodes import HRFPopulation, InputNode, Network, Readout, ThresholdPopulation
from share_neuro.simulation.activity import Activity

# Projections that the SHaRe-SSM paper (arXiv 2510.14386) counts: B, C, block linear, readout.
PAPER_ROLES = ("B", "C", "linear", "readout")

# Storage widths of the deployed network, in bits.
WEIGHT_BITS = 8  # even values in [-256, 254]: an 8-bit signed mantissa times 2
DELAY_BITS = 6  # delays 0..62
PARAMETER_BITS = 32  # thresholds and HRF coefficients are stored as int32
ACCUMULATOR_BITS = 32  # the readout accumulates int32 currents

# Integer operations of one neuron update, per update form (see docs/energy.md).
# imex:    u = sat(u + rs(k_a v + k_i i)); v = sat(v + rs(k_dt u)); spike test
# general: u' = sat(rs(m11 u + m12 v + g1 i + c1)); v' likewise; spike test
# rs() adds the rounding constant and shifts; sat() is two compares.
UPDATE_OPERATIONS = {
    "threshold": {"multiplies": 0, "adds": 0, "shifts": 0, "compares": 1},
    "imex": {"multiplies": 3, "adds": 5, "shifts": 2, "compares": 5},
    "general": {"multiplies": 6, "adds": 8, "shifts": 2, "compares": 5},
    "accumulate": {"multiplies": 0, "adds": 1, "shifts": 0, "compares": 0},
}


@dataclass
class SynapseGroupCounts:
    """Counts of one synapse group (one Lava Dense)."""

    name: str
    role: str
    source: str
    target: str
    graded: bool
    synapses: int  # stored weights, zeros included
    nonzero_synapses: int
    binary_events: int  # binary spikes delivered to non-zero synapses
    graded_events: int  # non-zero payloads delivered to non-zero synapses
    paper_events: int  # source spikes x fan-out in PAPER_ROLES groups, else 0
    dense_ops: int  # synapses x steps in which the target is active (NeuroBench "Dense")


@dataclass
class PopulationCounts:
    """Counts of one population (or of the readout accumulator)."""

    name: str
    kind: str  # "threshold", "hrf" or "readout"
    role: str
    update_form: str  # key of UPDATE_OPERATIONS
    size: int
    neuron_updates: int
    spikes: int
    axon_out: int  # spikes x outgoing synapse groups: one message per spike per target group
    incoming_events: int  # binary plus graded events delivered to this population
    multiplies: int
    adds: int  # update adds plus the adds that merge the currents of several synapse groups
    shifts: int  # update rounding shifts plus the weight_exp shift of each incoming group
    compares: int
    saturations: int  # HRF state values clipped to state_bits
    current_overflows: int  # summed input currents that wrapped around int32


@dataclass
class InputCounts:
    """Payload messages the host sends into the network."""

    name: str
    size: int
    steps: int  # input steps per sample
    messages: int  # channels x input steps x outgoing groups x samples


@dataclass
class HostCounts:
    """Real-valued arithmetic left on the host (readout scale, bias and tanh)."""

    macs: int
    nonlinearities: int  # tanh evaluations (regression only)


@dataclass
class Footprint:
    """Memory of the deployed network, in bits, and the total in bytes."""

    weight_bits: int
    delay_bits: int
    state_bits: int
    parameter_bits: int
    bytes: int


@dataclass
class OperationCounts:
    """Everything the energy model prices, as totals over `samples` samples."""

    samples: int
    steps: int
    length: int
    synapse_groups: list = field(default_factory=list)
    populations: list = field(default_factory=list)
    input: InputCounts = None
    host: HostCounts = None
    footprint: Footprint = None

    def total(self, attribute: str, collection: str = "synapse_groups") -> int:
        return sum(getattr(entry, attribute) for entry in getattr(self, collection))

    def to_dict(self) -> dict:
        return asdict(self)


def update_form(node) -> str:
    if isinstance(node, ThresholdPopulation):
        return "threshold"
    if isinstance(node, HRFPopulation):
        return "imex" if node.scheme == "imex" else "general"
    return "accumulate"


def count_operations(network: Network, activity: Activity) -> OperationCounts:
    """Count every operation of `network` in the recorded `activity`."""
    if activity.samples <= 0:
        raise ShareNeuroError("The recorded activity contains no samples; simulate at least one sample.")

    groups = [_count_group(network, activity, synapses) for synapses in network.synapses]
    _deduplicate_paper_events(groups)

    populations = [_count_population(network, activity, node, groups) for node in network.populations]
    populations.append(_count_population(network, activity, network.readout, groups))

    return OperationCounts(
        samples=activity.samples,
        steps=activity.steps,
        length=activity.length,
        synapse_groups=groups,
        populations=populations,
        input=_count_input(network, activity),
        host=_count_host(network, activity),
        footprint=_count_footprint(network),
    )


def _spikes(activity: Activity, name: str) -> int:
    if name not in activity.spike_counts:
        raise ShareNeuroError(
            f"The recorded activity has no spike counts for population {name!r}; "
            "simulate the network again with the current reference simulator."
        )
    return int(activity.spike_counts[name].sum())


def _active_steps(network: Network, activity: Activity, name: str) -> int:
    return max(activity.steps - network.node(name).start_step, 0)


def _count_group(network: Network, activity: Activity, synapses) -> SynapseGroupCounts:
    weight = synapses.weight
    fan_out = int(weight.shape[0])

    paper_events = 0
    if synapses.role in PAPER_ROLES and not synapses.graded:
        paper_events = _spikes(activity, synapses.source) * fan_out

    return SynapseGroupCounts(
        name=synapses.name,
        role=synapses.role,
        source=synapses.source,
        target=synapses.target,
        graded=bool(synapses.graded),
        synapses=int(weight.size),
        nonzero_synapses=int((weight != 0).sum()),
        binary_events=int(activity.synaptic_events.get(synapses.name, 0)),
        graded_events=int(activity.graded_events.get(synapses.name, 0)),
        paper_events=paper_events,
        dense_ops=int(weight.size) * _active_steps(network, activity, synapses.target) * activity.samples,
    )


def _deduplicate_paper_events(groups: list) -> None:
    # The FIR readout uses one delayed synapse group per tap from the same source; the
    # SHaRe-SSM paper counts the readout projection once, so only the first group of a
    # (source, target) pair keeps its paper events.
    seen = set()
    for group in groups:
        pair = (group.source, group.target)
        if group.paper_events and pair in seen:
            group.paper_events = 0
        seen.add(pair)


def _count_population(network: Network, activity: Activity, node, groups: list) -> PopulationCounts:
    form = update_form(node)
    incoming = [group for group in groups if group.target == node.name]
    outgoing = [group for group in groups if group.source == node.name]

    if isinstance(node, Readout):
        kind, role, spikes = "readout", "readout", 0
        default_updates = node.size * _active_steps(network, activity, node.name) * activity.samples
        updates = int(activity.neuron_updates.get(node.name, default_updates))
    else:
        kind = "hrf" if isinstance(node, HRFPopulation) else "threshold"
        role = "hrf" if kind == "hrf" else node.role
        spikes = _spikes(activity, node.name)
        updates = int(activity.neuron_updates.get(node.name, 0))

    operations = UPDATE_OPERATIONS[form]
    merge_adds = updates * max(len(incoming) - 1, 0)
    scale_shifts = updates * sum(1 for synapses in network.incoming(node.name) if synapses.weight_exp != 0)

    return PopulationCounts(
        name=node.name,
        kind=kind,
        role=role,
        update_form=form,
        size=int(node.size),
        neuron_updates=updates,
        spikes=spikes,
        axon_out=spikes * len(outgoing),
        incoming_events=sum(group.binary_events + group.graded_events for group in incoming),
        multiplies=updates * operations["multiplies"],
        adds=updates * operations["adds"] + merge_adds,
        shifts=updates * operations["shifts"] + scale_shifts,
        compares=updates * operations["compares"],
        saturations=int(activity.saturations.get(node.name, 0)),
        current_overflows=int(getattr(activity, "current_overflows", {}).get(node.name, 0)),
    )


def _count_input(network: Network, activity: Activity) -> InputCounts:
    node: InputNode = network.input
    outgoing = sum(1 for synapses in network.synapses if synapses.source == node.name)
    steps = min(activity.length, max(activity.steps - node.start_step, 0))
    return InputCounts(
        name=node.name,
        size=int(node.size),
        steps=steps,
        messages=int(node.size) * steps * outgoing * activity.samples,
    )


def _count_host(network: Network, activity: Activity) -> HostCounts:
    readout = network.readout
    if readout.task == "classification":
        # acc * scale + L * bias per class, once per sample.
        return HostCounts(macs=readout.size * activity.samples, nonlinearities=0)

    outputs = activity.outputs
    per_sample = outputs.shape[1] if outputs.ndim >= 2 else activity.length // max(readout.output_step, 1)
    evaluations = readout.size * per_sample * activity.samples
    return HostCounts(macs=evaluations, nonlinearities=evaluations)


def _count_footprint(network: Network) -> Footprint:
    weight_bits = sum(int(synapses.weight.size) * WEIGHT_BITS for synapses in network.synapses)
    delay_bits = sum(
        int(synapses.weight.size) * DELAY_BITS for synapses in network.synapses if synapses.delay is not None
    )

    state_bits = 0
    parameter_bits = 0
    for node in network.populations:
        parameter_bits += node.size * PARAMETER_BITS  # threshold
        if isinstance(node, HRFPopulation):
            state_bits += node.size * 2 * node.state_bits
            parameter_bits += node.size * PARAMETER_BITS * len(node.coefficients)
    state_bits += network.readout.size * ACCUMULATOR_BITS

    total = weight_bits + delay_bits + state_bits + parameter_bits
    return Footprint(
        weight_bits=weight_bits,
        delay_bits=delay_bits,
        state_bits=state_bits,
        parameter_bits=parameter_bits,
        bytes=math.ceil(total / 8),
    )
