"""What a simulation run records: outputs, optional spike trains and operation counts.

The reference simulator fills an `Activity`; the energy model prices it; the Lava
backend fills the same structure so that runs can be compared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np


@dataclass
class Activity:
    """Recorded activity of `samples` input sequences over `steps` steps each.

    Counts are totals over all samples and steps (divide by `samples` for per-sample
    figures). Synapse names and population names are those of the `Network`.
    """

    samples: int
    steps: int  # simulated steps per sample, warm-up included
    length: int  # input steps per sample (L)
    outputs: np.ndarray  # classification: float64 (samples, classes) scores; regression: float64 (samples, T_out)
    predictions: Optional[np.ndarray] = None  # int64 (samples,), classification only
    # Population name -> bool (samples, steps, size); only when recording was requested.
    spikes: dict = field(default_factory=dict)
    # Population name -> int64 (size,): spikes per neuron, summed over samples and steps.
    spike_counts: dict = field(default_factory=dict)
    # Population or readout name -> int: neuron updates (neurons x steps from start_step
    # on, x samples); a readout updates during the `length` steps it accumulates.
    neuron_updates: dict = field(default_factory=dict)
    # Synapse group name -> int: binary events delivered, sum over steps and active
    # sources of that source's non-zero outgoing weights. Every step 0..steps-1 counts,
    # because the synapse group processes a spike in the step it is sent. Every group
    # has an entry here and in `graded_events`, 0 for the other kind.
    synaptic_events: dict = field(default_factory=dict)
    # Synapse group name -> int: graded events (non-zero payloads) delivered, counted as above.
    graded_events: dict = field(default_factory=dict)
    # Population name -> int: HRF state values clipped to state_bits (u and v counted
    # separately, per neuron, step and sample); 0 for threshold populations.
    saturations: dict = field(default_factory=dict)
    # Population or readout name -> int: neuron-steps whose summed input current did not
    # fit int32 and wrapped around (two's complement), as an int32 store does.
    current_overflows: dict = field(default_factory=dict)

    def firing_rates(self) -> dict:
        """Mean spikes per neuron per active step, per population."""
        rates = {}
        for name, counts in self.spike_counts.items():
            updates = self.neuron_updates.get(name, 0)
            rates[name] = float(counts.sum()) / updates if updates else 0.0
        return rates
