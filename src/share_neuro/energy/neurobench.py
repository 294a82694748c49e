"""Metrics under the names NeuroBench uses, so that results compare across tools.

All operation metrics are per sample. `Effective_ACs` counts binary synaptic events
(accumulates), `Effective_MACs` graded synaptic events plus the host's real-valued
multiply-accumulates, `Dense` every synapse at every active step plus the host's MACs.
"""

from __future__ import annotations

from share_neuro.energy.counts import OperationCounts


def neurobench_metrics(counts: OperationCounts) -> dict:
    samples = counts.samples
    populations = [entry for entry in counts.populations if entry.kind != "readout"]

    updates = sum(entry.neuron_updates for entry in populations)
    spikes = sum(entry.spikes for entry in populations)
    synapses = counts.total("synapses")
    nonzero = counts.total("nonzero_synapses")

    return {
        "Effective_ACs": counts.total("binary_events") / samples,
        "Effective_MACs": (counts.total("graded_events") + counts.host.macs) / samples,
        "Dense": (counts.total("dense_ops") + counts.host.macs) / samples,
        "MembraneUpdates": updates / samples,
        "ActivationSparsity": 1.0 - spikes / updates if updates else 0.0,
        "ConnectionSparsity": (synapses - nonzero) / synapses if synapses else 0.0,
        "Footprint": counts.footprint.bytes,
    }
