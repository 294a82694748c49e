"""Latencies, start steps and aligning delays of the deployable network.

Timing rules (docs/architecture.md): input value `x[n]` is sent at step `n`. A spike
sent at step `t` over a synapse with delay `d` reaches its target at step `t + 1 + d`.
A population sends at the step in which it updates. A node's latency is the step at
which it handles sequence index 0, so at step `t` it handles index `t - latency`.

Every population waits for its slowest source: `latency = max over sources of
(source latency + 1)`. A faster source gets the delay that makes its index-`n` output
arrive together with the slowest one. An edge may also ask for `lag` extra steps, so
that it delivers index `n - lag` instead (an FIR tap `j` has lag `j`). The latency is
the population's `start_step`: before it, it neither updates nor spikes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from share_neuro.errors import ResourceError

# Largest per-synapse delay of Lava's DelayDense on Loihi 2 (6-bit delay field).
DEFAULT_MAX_DELAY = 62


@dataclass(frozen=True)
class Edge:
    """One synapse group from `source` to `target`, delivering index `n - lag` at index `n`."""

    name: str
    source: str
    target: str
    lag: int = 0


@dataclass
class TimingPlan:
    """Latency of every node and delay of every edge, in steps."""

    latency: dict = field(default_factory=dict)  # node name -> step at which it handles index 0
    delay: dict = field(default_factory=dict)  # edge name -> synaptic delay d >= 0

    @property
    def max_delay(self) -> int:
        return max(self.delay.values(), default=0)


def plan_timing(sources: list, edges: list, *, max_delay: int = DEFAULT_MAX_DELAY) -> TimingPlan:
    """Return the latencies and delays for `edges`, with every node in `sources` at latency 0.

    `edges` must form a directed acyclic graph. Raises ResourceError when an aligning
    delay exceeds `max_delay`, naming the edge and the delay it needs.
    """
    plan = TimingPlan(latency={name: 0 for name in sources})
    pending = list(edges)

    for edge in pending:
        if edge.lag < 0:
            raise ValueError(f"edge {edge.name!r} has a negative lag {edge.lag}")

    while pending:
        targets = {edge.target for edge in pending}
        ready = [
            target for target in sorted(targets)
            if all(edge.source in plan.latency for edge in pending if edge.target == target)
        ]
        if not ready:
            raise ValueError(f"the synapse graph has a cycle or an unknown source among {sorted(targets)}")

        for target in ready:
            incoming = [edge for edge in pending if edge.target == target]
            plan.latency[target] = max(plan.latency[edge.source] + 1 for edge in incoming)
            for edge in incoming:
                plan.delay[edge.name] = plan.latency[target] - 1 - plan.latency[edge.source] + edge.lag

        pending = [edge for edge in pending if edge.target not in ready]

    check_delays(plan, max_delay)
    return plan


def check_delays(plan: TimingPlan, max_delay: int) -> None:
    """Raise ResourceError when any delay of `plan` is above `max_delay`."""
    too_long = {name: delay for name, delay in plan.delay.items() if delay > max_delay}
    if not too_long:
        return

    name, delay = max(too_long.items(), key=lambda item: item[1])
    raise ResourceError(
        f"synapse group {name!r} needs a delay of {delay} steps but the hardware allows at "
        f"most {max_delay} ({len(too_long)} group(s) exceed it); use fewer blocks, fewer FIR "
        f"taps, or a hardware profile with a larger maximum delay"
    )
