"""Spike raster PNG: the spikes of one sequence, one panel per population."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from share_neuro.demo.state import write_atomic_with


def plot_spike_raster(network, activity, sample: int, path: Path, *, spike_match=None,
                      simulator: str = "Lava (fixed_pt)") -> None:
    """Draw the spikes of `sample` in `activity` (recorded with spikes) and write the PNG atomically."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    populations = [node for node in network.populations if node.name in activity.spikes]
    if not populations:
        raise ValueError("the activity contains no spike trains; simulate with record_spikes=True")

    heights = [max(1.0, min(2.5, node.size / 32)) for node in populations]
    figure, axes = plt.subplots(len(populations), 1, sharex=True, figsize=(10, 1.0 + 1.1 * sum(heights)),
                                gridspec_kw={"height_ratios": heights}, squeeze=False, constrained_layout=True)
    axes = axes[:, 0]
    steps = activity.steps

    for axis, node in zip(axes, populations):
        spikes = np.asarray(activity.spikes[node.name][sample], dtype=bool)  # (steps, neurons)
        times, neurons = np.nonzero(spikes)
        axis.scatter(times, neurons, s=4, marker="|", linewidths=0.8, color="black")
        axis.axvspan(-0.5, node.start_step - 0.5, color="tab:gray", alpha=0.2, lw=0)
        axis.set_xlim(-0.5, steps - 0.5)
        axis.set_ylim(-0.5, node.size - 0.5)
        axis.set_ylabel(f"{node.name}\nneuron", fontsize=8)
        active = max(1, (steps - node.start_step) * node.size)
        axis.set_title(f"{node.name}: {node.size} neurons, {len(times)} spikes, "
                       f"{len(times) / active:.3f} spikes per neuron per step", fontsize=9, loc="left")
        axis.tick_params(labelsize=8)

    axes[-1].set_xlabel("time step (one input value per step; gray: before the population's start step)")
    title = f"Spikes of test sequence {sample} on {simulator}"
    if spike_match is not None:
        title += f"; {spike_match:.2%} of spikes equal to the reference simulator"
    figure.suptitle(title, fontsize=11)

    try:
        write_atomic_with(Path(path), lambda temporary: figure.savefig(temporary, format="png", dpi=110))
    finally:
        plt.close(figure)


def plot_energy_per_layer(result: dict, path: Path, *, baseline_name: str = "LinOSS") -> None:
    """Draw energy per layer (complete accounting) and energy per sequence against the baseline.

    `result` is an `estimate_energy` result. The layer panel is a dot plot, one row per
    layer and one marker per profile. Zero energies get no marker, because a log axis
    cannot show zero.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    profiles = list(result["profiles"])
    # Static power belongs to no layer, but it is often the largest part on Loihi, so it gets a row.
    layers = [layer["name"] for layer in result["profiles"][profiles[0]]["layers"]] + ["static power"]
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    markers = "osD^vP*X"

    layer_height = max(3.0, 0.27 * len(layers))
    total_height = 0.5 + 0.55 * len(profiles)
    figure, (layer_axis, total_axis) = plt.subplots(
        2, 1, figsize=(11, layer_height + total_height + 1.6),
        gridspec_kw={"height_ratios": [layer_height, total_height]})

    rows = np.arange(len(layers))[::-1]  # the first layer at the top
    for index, name in enumerate(profiles):
        entry = result["profiles"][name]
        energies = np.array([layer["energy_j_per_sample"] for layer in entry["layers"]]
                            + [entry["breakdown_j_per_sample"]["static"]])
        nonzero = energies > 0
        layer_axis.scatter(energies[nonzero], rows[nonzero], marker=markers[index % len(markers)], s=30,
                           color=colors[index % len(colors)], label=name, zorder=3)
    layer_axis.set_xscale("log")
    layer_axis.set_yticks(rows, layers, fontsize=8)
    layer_axis.set_ylim(-0.7, len(layers) - 0.3)
    layer_axis.set_xlabel("energy per sequence (J), complete accounting, log scale")
    layer_axis.set_title("Energy per layer: synapse groups (source.to.target), populations, input, host and "
                         "static power")
    layer_axis.grid(axis="both", alpha=0.3)
    layer_axis.legend(title="hardware profile", loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)

    _plot_totals(total_axis, result, profiles, colors, baseline_name)

    figure.tight_layout()
    try:
        write_atomic_with(Path(path), lambda temporary: figure.savefig(temporary, format="png", dpi=110))
    finally:
        plt.close(figure)


def _plot_totals(axis, result: dict, profiles: list, colors: list, baseline_name: str) -> None:
    positions = np.arange(len(profiles))[::-1]
    for offset, accounting, hatch in ((0.2, "paper", "//"), (-0.2, "complete", None)):
        energies = [result["profiles"][name]["energy_j_per_sample"][accounting] for name in profiles]
        axis.barh(positions + offset, energies, 0.38, color=[colors[i % len(colors)] for i in range(len(profiles))],
                  hatch=hatch, edgecolor="white" if hatch else None, label=f"{accounting} accounting" + (" (synaptic operations only)" if hatch else ""))

    baseline = result.get("baseline_energy_j_per_sample")
    if baseline:
        axis.axvline(baseline, color="black", linestyle="--",
                     label=f"{baseline_name} on {result['baseline']['profile']}: {baseline:.3g} J")
    axis.set_xscale("log")
    axis.set_yticks(positions, profiles, fontsize=8)
    axis.set_xlabel("energy per sequence (J), log scale")
    axis.set_title("Energy per sequence and profile, against the non-spiking baseline")
    axis.grid(axis="x", which="major", alpha=0.3)
    axis.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
