"""Spike raster PNG: the spikes of one sequence, one panel per population.

The demo's energy figure is share_neuro.energy.plot.plot_energy, shared with `share-neuro energy --plot`.
"""

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

