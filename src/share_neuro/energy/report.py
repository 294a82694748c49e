"""Energy results as a plain-text table and as a JSON file."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from share_neuro.atomic import write_text_atomic


def format_table(result: dict) -> str:
    """Format the per-profile energies (and the baseline ratio, if any) as a text table."""
    header = ["profile", "paper J/sample", "complete J/sample"]
    ratios = result.get("ratio")
    if ratios:
        header += ["x less (paper)", "x less (complete)"]

    rows = []
    for name, entry in result["profiles"].items():
        energy = entry["energy_j_per_sample"]
        row = [name, f"{energy['paper']:.4g}", f"{energy['complete']:.4g}"]
        if ratios:
            row += [format_ratio(ratios[name]["paper"]), format_ratio(ratios[name]["complete"])]
        rows.append(row)

    lines = [_render(header, rows)]
    paper = result["paper"]
    lines.append(
        f"Paper accounting at 0.9 pJ/op: {paper['synaptic_ops_per_sample']:.4g} synaptic ops, "
        f"{paper['energy_j_per_sample']:.4g} J per sample."
    )
    if "baseline_energy_j_per_sample" in result:
        baseline = result["baseline"]
        lines.append(
            f"Baseline {baseline['model']} on {baseline['profile']}: {baseline['macs']:.4g} MACs, "
            f"{result['baseline_energy_j_per_sample']:.4g} J per sample."
        )
    metrics = result["neurobench"]
    lines.append("NeuroBench: " + ", ".join(f"{key}={_short(value)}" for key, value in metrics.items()))
    return "\n".join(lines)


def format_ratio(ratio: float) -> str:
    """Format a baseline / spiking energy ratio to 3 significant digits.

    A ratio below 1 means the spiking network uses more energy than the baseline, so it
    gets the inverse as well: 0.0765 is printed as "0.0765 (13.1x more)".
    """
    if math.isinf(ratio):
        return "inf (spiking energy is 0)"
    if 0 < ratio < 1:
        return f"{_three_digits(ratio)} ({_three_digits(1 / ratio)}x more)"
    return _three_digits(ratio)


def _three_digits(value: float) -> str:
    # Round to 3 significant digits, then print without an exponent below 1e6 (1234 -> "1230").
    return f"{float(f'{value:.3g}'):g}"


def _short(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _render(header: list, rows: list) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(header, widths))]
    lines.append("  ".join("-" * width for width in widths))
    for row in rows:
        lines.append("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)))
    return "\n".join(lines)


def to_jsonable(value):
    """Convert numpy values and non-finite floats (to None) for strict JSON."""
    if isinstance(value, dict):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(item) for item in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json(result: dict, path) -> None:
    """Write `result` to `path` atomically, so that a failure leaves no partial file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps(to_jsonable(result), indent=2, allow_nan=False))
