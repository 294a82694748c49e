"""PNG figure of an energy estimate: energy per layer, totals against the baseline, firing rates.

`share-neuro energy --plot` and the demo's energy_per_layer.png both draw this figure.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from share_neuro.atomic import write_atomic
from share_neuro.energy.report import format_ratio

MARKERS = "osD^vP*X"
STATIC_ROW = "static power"
BASELINE_TITLES = {"linoss": "LinOSS"}


def plot_energy(result: dict, path) -> None:
    """Draw `energy_figure` for an `estimate_energy` result and write it to `path` as PNG atomically."""
    import matplotlib.pyplot as plt

    figure = energy_figure(result)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        write_atomic(path, lambda temporary: figure.savefig(temporary, format="png", dpi=110))
    finally:
        plt.close(figure)


def energy_figure(result: dict):
    """Draw the energy figure of an `estimate_energy` result and return the matplotlib Figure.

    The first panel shows energy per layer and profile in the complete accounting, with
    static power as its own row, so the rows of one profile add up to its complete
    total. The second shows energy per sequence per profile in both accountings, against
    the baseline when `result` has one. The third shows the firing rate per population.
    The caller closes the figure.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    profiles = list(result["profiles"])
    layers = [layer["name"] for layer in result["profiles"][profiles[0]]["layers"]] + [STATIC_ROW]
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    styles = {name: (colors[index % len(colors)], MARKERS[index % len(MARKERS)]) for index, name in enumerate(profiles)}

    heights = [max(3.0, 0.3 * len(layers)), 0.8 + 0.5 * len(profiles), 2.6]
    figure, (layer_axis, total_axis, rate_axis) = plt.subplots(
        3, 1, figsize=(11, sum(heights) + 2.5), gridspec_kw={"height_ratios": heights}, constrained_layout=True)

    _plot_layers(layer_axis, result, profiles, layers, styles)
    _plot_totals(total_axis, result, profiles, styles)
    _plot_firing_rates(rate_axis, result["firing_rates"])
    return figure


def _plot_layers(axis, result: dict, profiles: list, layers: list, styles: dict) -> None:
    rows = np.arange(len(layers))[::-1]  # the first layer at the top

    # Each profile sits at its own height within a row, so markers of equal energy stay visible.
    spread = 0.4 if len(profiles) == 2 else 0.6
    offsets = np.linspace(spread / 2, -spread / 2, len(profiles)) if len(profiles) > 1 else [0.0]
    for offset, name in zip(offsets, profiles):
        entry = result["profiles"][name]
        energies = np.array([layer["energy_j_per_sample"] for layer in entry["layers"]]
                            + [entry["breakdown_j_per_sample"]["static"]])
        # A log axis cannot show zero, so zero energies get no marker.
        nonzero = energies > 0
        color, marker = styles[name]
        axis.scatter(energies[nonzero], rows[nonzero] + offset, marker=marker, s=28, color=color,
                     label=name, zorder=3)

    axis.set_xscale("log")
    axis.set_yticks(rows, layers, fontsize=8)
    axis.set_ylim(-0.7, len(layers) - 0.3)
    for boundary in np.arange(len(layers) - 1) + 0.5:
        axis.axhline(boundary, color="lightgray", linewidth=0.5, zorder=1)
    axis.set_xlabel("energy per sequence (J), complete accounting, log scale")
    axis.set_title("Energy per layer: synapse groups (source.to.target), populations, input, host and static power.\n"
                   "The rows of one profile add up to its complete total; zero energies have no marker.",
                   fontsize=10, loc="left")
    axis.grid(axis="x", alpha=0.3)
    axis.legend(title="hardware profile", loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)


def _plot_totals(axis, result: dict, profiles: list, styles: dict) -> None:
    positions = np.arange(len(profiles))[::-1]
    colors = [styles[name][0] for name in profiles]
    for offset, accounting, hatch, label in (
            (0.2, "paper", "//", "paper accounting (synaptic operations only)"),
            (-0.2, "complete", None, "complete accounting (rows above, static power included)")):
        energies = [result["profiles"][name]["energy_j_per_sample"][accounting] for name in profiles]
        axis.barh(positions + offset, energies, 0.38, color=colors, hatch=hatch,
                  edgecolor="white" if hatch else None, label=label)

    title = "Energy per sequence and profile"
    baseline = result.get("baseline_energy_j_per_sample")
    if baseline:
        model = BASELINE_TITLES.get(result["baseline"]["model"], result["baseline"]["model"])
        profile = result["baseline"]["profile"]
        axis.axvline(baseline, color="black", linestyle="--", label=f"{model} on {profile}: {baseline:.3g} J")
        # Each complete bar gets the ratio baseline / complete. Below 1, the spiking network uses more energy.
        for position, name in zip(positions, profiles):
            complete = result["profiles"][name]["energy_j_per_sample"]["complete"]
            if complete > 0:
                axis.annotate(f"{model} / complete = {format_ratio(result['ratio'][name]['complete'])}",
                              (complete, position - 0.2), xytext=(4, 0), textcoords="offset points",
                              va="center", fontsize=7)
        title += f", against the non-spiking baseline {model}"

    # Log-scale bars start at the left edge, so it must lie below the smallest bar for that bar to show.
    energies = [value for name in profiles for value in result["profiles"][name]["energy_j_per_sample"].values()]
    energies = [value for value in energies + [baseline or 0.0] if value > 0]
    axis.set_xscale("log")
    if energies:
        # With a baseline, the right side needs room for the ratio labels.
        axis.set_xlim(min(energies) / 3, max(energies) * (30 if baseline else 3))
    axis.set_yticks(positions, profiles, fontsize=8)
    axis.set_xlabel("energy per sequence (J), log scale")
    axis.set_title(title, fontsize=10, loc="left")
    axis.grid(axis="x", alpha=0.3)
    axis.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)


def _plot_firing_rates(axis, rates: dict) -> None:
    names = list(rates)
    positions = np.arange(len(names))
    axis.bar(positions, [rates[name] for name in names], color="tab:gray")
    axis.set_xticks(positions, names, rotation=45, ha="right", fontsize=8)
    axis.set_ylabel("spikes per neuron per step", fontsize=8)
    axis.set_title("Firing rate per population", fontsize=10, loc="left")
    axis.grid(axis="y", alpha=0.3)
