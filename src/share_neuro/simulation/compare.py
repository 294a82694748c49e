"""Agreement between two runs of the same network on the same inputs (for example Lava and the reference)."""

from __future__ import annotations

import numpy as np

from share_neuro.simulation.activity import Activity


def compare_activity(reference: Activity, other: Activity) -> dict:
    """Return spike and prediction agreement of `other` with `reference`.

    Both runs must have recorded spikes. Returns a dict with "spike_match" (fraction of
    equal spike values over all populations, steps, samples and neurons),
    "population_match" (the same per population), "prediction_match" (fraction of equal
    predictions; for regression, fraction of equal outputs) and "max_output_difference".
    """
    if (reference.samples, reference.steps) != (other.samples, other.steps):
        raise ValueError(f"runs differ in size: {reference.samples} samples x {reference.steps} steps "
                         f"against {other.samples} x {other.steps}")
    missing = sorted(set(reference.spikes) ^ set(other.spikes))
    if not reference.spikes or missing:
        raise ValueError(f"both runs must record spikes of the same populations; unmatched: {missing or 'no spikes recorded'}")

    population_match = {}
    equal_total = 0
    count_total = 0
    for name, spikes in reference.spikes.items():
        equal = int(np.count_nonzero(spikes == other.spikes[name]))
        population_match[name] = equal / spikes.size if spikes.size else 1.0
        equal_total += equal
        count_total += spikes.size

    if reference.predictions is not None and other.predictions is not None:
        prediction_match = float(np.mean(reference.predictions == other.predictions))
    else:
        prediction_match = float(np.mean(reference.outputs == other.outputs))
    difference = np.abs(np.asarray(reference.outputs, np.float64) - np.asarray(other.outputs, np.float64))

    return {
        "spike_match": equal_total / count_total if count_total else 1.0,
        "population_match": population_match,
        "prediction_match": prediction_match,
        "max_output_difference": float(difference.max()) if difference.size else 0.0,
    }
