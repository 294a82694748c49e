"""The conversion report: scores of the float model and the network, sizes and saturations."""

from __future__ import annotations

import numpy as np

from share_neuro.errors import DataError


def regression_outputs(outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Return the outputs to compare with `targets`: the last output when there is one target per sequence."""
    outputs = np.asarray(outputs, dtype=np.float64)
    if outputs.ndim == 3:
        outputs = outputs[..., 0]
    if targets.ndim == 1:
        outputs = outputs[:, -1]
    if outputs.shape != targets.shape:
        raise DataError(f"the model produces outputs of shape {outputs.shape} but the targets have shape "
                        f"{targets.shape}; check the model's output_step against the dataset")
    return outputs


def score(task: str, outputs: np.ndarray, predictions, y) -> float:
    """Return the accuracy (classification) or mean squared error (regression)."""
    if task == "classification":
        return float(np.mean(np.asarray(predictions) == np.asarray(y)))
    targets = np.asarray(y, dtype=np.float64)
    return float(np.mean((regression_outputs(outputs, targets) - targets) ** 2))


def agreement(task: str, float_outputs: np.ndarray, fixed_outputs: np.ndarray, fixed_predictions) -> dict:
    """Return how closely the network follows the float model on the same inputs."""
    if task == "classification":
        float_predictions = np.argmax(float_outputs, axis=1)
        return {"prediction_agreement": float(np.mean(float_predictions == np.asarray(fixed_predictions)))}

    float_values = np.asarray(float_outputs, dtype=np.float64)
    if float_values.ndim == 3:
        float_values = float_values[..., 0]
    difference = float_values - np.asarray(fixed_outputs, dtype=np.float64)
    return {
        "output_mse_between": float(np.mean(difference**2)),
        "output_max_difference": float(np.max(np.abs(difference))),
    }


def format_report(report: dict) -> str:
    """Return the report as the text `share-neuro convert` prints."""
    metric = "accuracy" if "float_accuracy" in report else "mse"
    lines = [
        f"profile {report['profile']}: {report['cores']} cores, {report['neurons']} neurons, "
        f"{report['synapses']} synapses, longest delay {report['max_delay']} steps",
        f"bits: weights {report['bits']['weight']}, input {report['bits']['input']} "
        f"({report['bits']['input_frac']} fraction), HRF state {report['bits']['state']}, "
        f"HRF coefficients {report['bits']['coef_frac']} fraction",
        f"calibration: {report['calibration']['samples']} samples x {report['calibration']['length']} steps",
    ]

    if metric == "accuracy":
        lines.append(
            f"accuracy on the calibration data: float {report['float_accuracy']:.4f}, fixed point "
            f"{report['fixed_accuracy']:.4f}, prediction agreement {report['prediction_agreement']:.4f}"
        )
    else:
        lines.append(
            f"MSE on the calibration data: float {report['float_mse']:.6g}, fixed point {report['fixed_mse']:.6g}, "
            f"MSE between them {report['output_mse_between']:.3g}"
        )

    lines.append(
        f"saturations: {report['saturations']['total']} HRF state values clipped, "
        f"{report['saturations']['current_overflows']} currents wrapped, "
        f"{report['saturations']['input']} input values clipped, {report['clipped_weights']} weights clipped"
    )

    lines.append("")
    width = max(len(layer["name"]) for layer in report["layers"])
    lines.append(f"{'layer':<{width}}  {'kind':<9}  {'neurons':>7}  {'cores':>5}  {'synapses in':>11}  {'start':>5}  {'frac bits':>9}  {'rate':>7}")
    for layer in report["layers"]:
        rate = layer.get("calibration_spike_rate")
        rate_text = f"{rate:7.4f}" if rate is not None else f"{'-':>7}"
        lines.append(
            f"{layer['name']:<{width}}  {layer['kind']:<9}  {layer['neurons']:>7}  {layer['cores']:>5}  "
            f"{layer['synapses_in']:>11}  {layer['start_step']:>5}  {layer['frac_bits']:>9}  {rate_text}"
        )
    return "\n".join(lines)
