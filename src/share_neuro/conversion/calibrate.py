"""Calibration: the ranges of every signal of the float model on a sample of real data.

The builder picks the input's and each HRF population's fixed-point scale from these
ranges. Threshold populations need none: their currents are bounded by the weights,
because every source sends binary spikes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from tqdm import tqdm

from share_neuro.conversion import float_forward
from share_neuro.conversion.source import FloatModel

# Percentile recorded beside each maximum, to show how far the largest value is an outlier.
PERCENTILE = 99.9


@dataclass
class Calibration:
    """Signal ranges and float results of the model on the calibration data."""

    samples: int
    length: int
    max_abs: dict = field(default_factory=dict)  # signal name -> largest |value|
    percentile_abs: dict = field(default_factory=dict)  # signal name -> PERCENTILE-th percentile of |value|
    spike_rates: dict = field(default_factory=dict)  # population name -> spikes per neuron per step
    outputs: np.ndarray = None  # the float model's outputs on the calibration data

    def to_dict(self) -> dict:
        return {
            "samples": self.samples,
            "length": self.length,
            "max_abs": dict(self.max_abs),
            f"p{PERCENTILE:g}_abs": dict(self.percentile_abs),
            "spike_rates": dict(self.spike_rates),
        }


def signals(model: FloatModel, traced: dict) -> dict:
    """Map calibration signal names to arrays of one batch's trace."""
    named = {"input": traced["input"], "encoder_current": traced["encoder_current"]}
    for index, block in enumerate(traced["blocks"]):
        for key in ("hrf_current", "hrf_velocity", "hrf_position", "c_current", "linear_current"):
            named[f"block{index}.{key}"] = block[key]
    named["readout_current"] = traced["readout_current"]
    return named


def spike_trains(traced: dict) -> dict:
    """Map population names (as the builder names them) to one batch's spikes."""
    named = {"encoder": traced["encoder_spikes"]}
    for index, block in enumerate(traced["blocks"]):
        named[f"block{index}.hrf"] = block["hrf_spikes"]
        named[f"block{index}.c"] = block["c_spikes"]
        named[f"block{index}.linear"] = block["linear_spikes"]
    return named


def calibrate(model: FloatModel, X: np.ndarray, *, batch_size: int = 32, progress: bool = True) -> Calibration:
    """Run the float model on X (N, L, C) in batches and record every signal's range."""
    if X.ndim != 3 or X.shape[-1] != len(model.normalization["mean"]):
        raise ValueError(f"calibration data must have shape (N, L, {len(model.normalization['mean'])}), got {X.shape}")

    calibration = Calibration(samples=int(X.shape[0]), length=int(X.shape[1]))
    maxima, percentiles, spike_sums, outputs = {}, {}, {}, []

    for start in tqdm(range(0, len(X), batch_size), desc="calibrating", unit="batch", disable=not progress):
        traced = float_forward.trace(model, X[start:start + batch_size])
        outputs.append(traced["output"])

        for name, values in signals(model, traced).items():
            magnitude = np.abs(values)
            maxima[name] = max(maxima.get(name, 0.0), float(magnitude.max()))
            percentiles.setdefault(name, []).append(float(np.percentile(magnitude, PERCENTILE)))

        for name, spikes in spike_trains(traced).items():
            spike_sums[name] = spike_sums.get(name, 0.0) + float(spikes.sum())

    calibration.max_abs = maxima
    # The batch percentiles are averaged (weighted equally): close enough for a report.
    calibration.percentile_abs = {name: float(np.mean(values)) for name, values in percentiles.items()}
    neurons = population_sizes(model)
    calibration.spike_rates = {
        name: total / (neurons[name] * X.shape[0] * X.shape[1]) for name, total in spike_sums.items()
    }
    calibration.outputs = np.concatenate(outputs, axis=0)
    return calibration


def population_sizes(model: FloatModel) -> dict:
    sizes = {"encoder": model.hidden_size}
    for index, block in enumerate(model.blocks):
        sizes[f"block{index}.hrf"] = block.B.shape[0]
        sizes[f"block{index}.c"] = model.hidden_size
        sizes[f"block{index}.linear"] = model.hidden_size
    return sizes
