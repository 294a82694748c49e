"""PNG figure: energy per layer per profile, and firing rate per population."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np


def plot_energy(result: dict, path) -> None:
    """Draw the figure for an `estimate_energy` result and write it to `path` atomically."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    profiles = list(result["profiles"])
    layers = [layer["name"] for layer in result["profiles"][profiles[0]]["layers"]]
    rates = result["firing_rates"]

    figure, (energy_axis, rate_axis) = plt.subplots(
        2, 1, figsize=(max(8.0, 0.45 * len(layers) + 3.0), 9.0), constrained_layout=True
    )

    width = 0.8 / len(profiles)
    positions = np.arange(len(layers))
    largest = 0.0
    for index, name in enumerate(profiles):
        energies = [layer["energy_j_per_sample"] for layer in result["profiles"][name]["layers"]]
        largest = max([largest, *energies])
        energy_axis.bar(positions + index * width, energies, width, label=name)
    energy_axis.set_yscale("log")
    if largest > 0:
        # Six decades below the largest layer; smaller layers are negligible and would
        # otherwise stretch the axis down to zero-energy entries.
        energy_axis.set_ylim(largest * 1e-6, largest * 3)
    energy_axis.set_xticks(positions + 0.4 - width / 2, layers, rotation=60, ha="right", fontsize=8)
    energy_axis.set_ylabel("energy per sample (J), complete accounting")
    energy_axis.set_title("Energy per layer and hardware profile")
    energy_axis.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), title="profile")

    names = list(rates)
    rate_axis.bar(np.arange(len(names)), [rates[name] for name in names], color="tab:gray")
    rate_axis.set_xticks(np.arange(len(names)), names, rotation=60, ha="right", fontsize=8)
    rate_axis.set_ylabel("spikes per neuron per step")
    rate_axis.set_title("Firing rate per population")

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=path.stem, suffix=".png", dir=path.parent)
    os.close(handle)
    try:
        figure.savefig(temporary, dpi=120)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    finally:
        plt.close(figure)
