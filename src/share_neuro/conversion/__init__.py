"""Conversion of a trained float SHaRe-SSM into the fixed-point deployable network.

`convert` calibrates the scales on real data, quantises, plans delays, checks the
result against a hardware profile and runs the reference simulator on the
calibration data to compare the network with the float model.
"""

from __future__ import annotations

import numpy as np

from share_neuro.conversion.build import BuildOptions, build_network
from share_neuro.conversion.calibrate import calibrate
from share_neuro.conversion.errors import ConversionError
from share_neuro.conversion.report import agreement, score
from share_neuro.conversion.resources import DEFAULT_HRF_COMPARTMENTS, check_resources, place
from share_neuro.conversion.source import FloatModel
from share_neuro.conversion.timing import DEFAULT_MAX_DELAY
from share_neuro.network.nodes import HRFPopulation, Network
from share_neuro.network.validate import validate_network
from share_neuro.simulation.inputs import quantize_input_counted

__all__ = ["BuildOptions", "ConversionError", "FloatModel", "convert", "profile_limits"]


def profile_limits(profile) -> tuple:
    """Return (limits dict, compartments per HRF neuron) of a loaded `Profile`."""
    from share_neuro.energy.profiles import LIMIT_QUANTITY

    limits = {name: profile.limit(name) for name in LIMIT_QUANTITY if profile.has(f"limits.{name}")}
    compartments = DEFAULT_HRF_COMPARTMENTS
    if profile.has("neuron_model.hrf_compartments"):
        compartments = int(profile.si("neuron_model.hrf_compartments"))
    return limits, compartments


def input_saturations(network: Network, X: np.ndarray) -> int:
    """Return how many input values of X (time channel included) the input node clips to its bit width."""
    return quantize_input_counted(network.input, X)[1]


def convert(
    float_model: FloatModel,
    calibration_X: np.ndarray,
    calibration_y: np.ndarray,
    *,
    profile,
    weight_bits: int = 8,
    input_bits: int = 16,
    coef_frac_bits: int = 16,
    progress: bool = True,
) -> tuple:
    """Convert `float_model` into a Network; return (network, report dict).

    `profile` is a loaded `share_neuro.energy.profiles.Profile`. Raises ResourceError
    when the network does not fit it and ConversionError when the model has no
    fixed-point form; both name the cause.
    """
    from share_neuro.simulation.reference import simulate

    limits, compartments = profile_limits(profile)
    options = BuildOptions(
        weight_bits=weight_bits,
        input_bits=input_bits,
        coef_frac_bits=coef_frac_bits,
        max_delay=int(limits.get("max_delay", DEFAULT_MAX_DELAY)),
    )
    if "state_bits" in limits:
        options.state_bits = min(options.state_bits, int(limits["state_bits"]))

    calibration = calibrate(float_model, calibration_X, progress=progress)
    network, stats = build_network(float_model, calibration, options)

    resources = place(network, limits, weight_bits=weight_bits, hrf_compartments=compartments)
    check_resources(resources, profile.name)

    network.metadata = {
        "model_config": dict(float_model.config),
        "dataset": float_model.dataset,
        "normalization": {key: np.asarray(value).tolist() for key, value in float_model.normalization.items()},
        "target_scaling": float_model.target_scaling,
        "source": dict(float_model.source),
        "source_sha256": float_model.source.get("sha256", ""),
        "profile": profile.name,
        "weight_bits": weight_bits,
        "input_bits_requested": input_bits,
        "calibration": calibration.to_dict(),
        "quantization": stats.to_dict(),
    }
    validate_network(network)

    activity = simulate(network, calibration_X, progress=progress)
    report = make_report(float_model, network, calibration, stats, resources, activity, calibration_X, calibration_y, profile.name)
    network.metadata["calibration_scores"] = {
        key: report[key] for key in report if key.startswith(("float_", "fixed_", "prediction_", "output_"))
    }
    return network, report


def make_report(float_model, network, calibration, stats, resources, activity, X, y, profile_name) -> dict:
    """Return the report dict (see docs/conversion.md for the keys).

    Regression scores and differences are in the dataset's units: the float outputs go
    through the model's target scaling, and the network's readout applies the same.
    """
    task = float_model.task
    float_outputs = float_model.to_dataset_units(calibration.outputs)
    float_predictions = np.argmax(float_outputs, axis=1) if task == "classification" else None
    metric = "accuracy" if task == "classification" else "mse"

    report = {
        "profile": profile_name,
        f"float_{metric}": score(task, float_outputs, float_predictions, y),
        f"fixed_{metric}": score(task, activity.outputs, activity.predictions, y),
        "cores": resources.cores,
        "neurons": resources.neurons,
        "synapses": resources.synapses,
        "max_delay": resources.max_delay,
        "clipped_weights": sum(stats.clipped_weights.values()),
        "zeroed_weights": sum(stats.zeroed_weights.values()),
        "saturations": {
            "total": int(sum(activity.saturations.values())),
            "hrf_state": {name: int(count) for name, count in activity.saturations.items()},
            "current_overflows": int(sum(activity.current_overflows.values())),
            "input": input_saturations(network, X),
        },
        "bits": {
            "weight": int(network.metadata["weight_bits"]),
            "input": int(network.input.bits),
            "input_requested": int(network.metadata.get("input_bits_requested", network.input.bits)),
            "input_frac": int(network.input.frac_bits),
            "state": max((node.state_bits for node in network.nodes if isinstance(node, HRFPopulation)), default=0),
            "coef_frac": max(stats.coef_frac_bits.values(), default=0),
        },
        "calibration": calibration.to_dict(),
        "quantization": stats.to_dict(),
        "resources": resources.to_dict(),
    }
    report.update(agreement(task, float_outputs, activity.outputs, activity.predictions))

    placements = {placement.name: placement for placement in resources.populations}
    report["layers"] = []
    for node in network.nodes:
        placement = placements.get(node.name)
        report["layers"].append({
            "name": node.name,
            "kind": type(node).__name__.replace("Population", "").lower(),
            "neurons": int(node.size),
            "cores": placement.cores if placement else 0,
            "synapses_in": placement.synapses if placement else 0,
            "start_step": int(node.start_step),
            "frac_bits": stats.frac_bits.get(node.name, 0),
            "calibration_spike_rate": calibration.spike_rates.get(node.name),
        })
    return report
