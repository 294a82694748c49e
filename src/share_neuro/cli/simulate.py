"""`share-neuro simulate`: run a network file on a dataset split and report accuracy or MSE and firing rates."""

from __future__ import annotations

import json
from pathlib import Path

import click

from share_neuro.errors import DataError


@click.command()
@click.argument("network_path", metavar="NET.h5", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dataset", "dataset_name", required=True, help="Dataset name, as `share-neuro datasets` lists it.")
@click.option("--split", type=click.Choice(["train", "val", "test"]), default="test", show_default=True,
              help="Dataset split to simulate.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Simulate only the first N samples of the split.")
@click.option("--backend", type=click.Choice(["reference", "lava"]), default="reference", show_default=True,
              help="Simulator: the numpy reference or Lava (needs the Lava environment).")
@click.option("--tag", type=click.Choice(["fixed_pt", "floating_pt"]), default="fixed_pt", show_default=True,
              help="Lava ProcessModel tag (Lava backend only).")
@click.option("--target", type=click.Choice(["cpu", "loihi2"]), default="cpu", show_default=True,
              help="Lava run configuration: Lava's CPU simulation, or Loihi 2 hardware (needs Intel's lava-loihi).")
@click.option("--compare", type=click.Choice(["reference"]), default=None,
              help="Also run the reference simulator and report how many spikes and predictions match (Lava backend only).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the results as JSON to this file.")
@click.option("--batch-size", type=click.IntRange(min=1), default=256, show_default=True,
              help="Samples simulated together by the reference simulator.")
def simulate(network_path, dataset_name, split, limit, backend, tag, target, compare, json_path, batch_size):
    """Simulate the network file NET.h5 on a dataset split."""
    from share_neuro.data import load_dataset
    from share_neuro.network.hdf5 import load_network
    from share_neuro.simulation.reference import simulate as simulate_reference

    network = load_network(network_path)
    dataset = load_dataset(dataset_name)
    data = getattr(dataset, split)
    X, y = data.X, data.y
    if limit is not None:
        X, y = X[:limit], y[:limit]
    check_input_channels(network, dataset_name, X)
    if dataset.task != network.readout.task:
        raise DataError(f"dataset {dataset_name!r} is a {dataset.task} task but the network's readout does "
                        f"{network.readout.task}; pass the dataset the network was converted for")

    record = compare is not None
    if backend == "lava":
        from share_neuro.simulation.lava_bridge import run_lava

        activity = run_lava(network_path, X, tag=tag, record_spikes=record, target=target)
    else:
        activity = simulate_reference(network, X, record_spikes=False, batch_size=batch_size)

    results = run_summary(activity, y, network, network_path, dataset_name, split, backend=backend,
                          tag=tag if backend == "lava" else None, target=target if backend == "lava" else None)

    if record and backend == "lava":
        from share_neuro.simulation.compare import compare_activity

        reference = simulate_reference(network, X, record_spikes=True, batch_size=batch_size)
        results.update(compare_activity(reference, activity))
    elif record:
        click.echo("Note: --compare reference only has an effect with --backend lava.", err=True)

    click.echo(format_table(results))
    if json_path is not None:
        _write_json(json_path, results)


def run_summary(activity, y, network, network_path, dataset_name: str, split: str, *, backend: str,
                tag: str | None = None, target: str | None = None) -> dict:
    """Build the dict that `share-neuro simulate --json` writes for one run (before any comparison)."""
    results = {"backend": backend, "network": str(network_path), "dataset": dataset_name, "split": split,
               "samples": int(activity.samples), "steps": int(activity.steps)}
    if tag is not None:
        results["tag"] = tag
    if target is not None:
        results["target"] = target
    results.update(score(activity, y, network.readout.task))
    results["firing_rates"] = activity.firing_rates()
    return results


def score(activity, y, task) -> dict:
    """Return {"accuracy": ...} or {"mse": ...} of a run against targets y.

    Regression outputs are already in the dataset's units (the readout undoes the
    training's target scaling), and the MSE is the mean over all target values, as
    training reports it.
    """
    import numpy as np

    if task == "classification":
        return {"accuracy": float(np.mean(activity.predictions == np.asarray(y)))}
    targets = np.asarray(y, dtype=np.float64)
    outputs = np.asarray(activity.outputs, dtype=np.float64)
    if targets.ndim == 1:
        # One target per sequence: compare with the last output.
        outputs = outputs[:, -1]
    if outputs.shape != targets.shape:
        raise DataError(f"the network produces outputs of shape {outputs.shape} but the targets have shape "
                        f"{targets.shape}; check the readout's output_step against the dataset")
    return {"mse": float(np.mean((outputs - targets) ** 2))}


def format_table(results: dict) -> str:
    metric = "accuracy" if "accuracy" in results else "mse"
    lines = [f"backend {results['backend']}: {results['samples']} samples x {results['steps']} steps, "
             f"{metric} {results[metric]:.4f}"]
    if "spike_match" in results:
        lines.append(f"spike match {results['spike_match']:.6f}, prediction match {results['prediction_match']:.4f}")
    width = max(len(name) for name in results["firing_rates"]) if results["firing_rates"] else 10
    lines.append(f"{'population':<{width}}  spikes/neuron/step" + ("  spike match" if "population_match" in results else ""))
    for name, rate in results["firing_rates"].items():
        line = f"{name:<{width}}  {rate:18.4f}"
        if "population_match" in results:
            line += f"  {results['population_match'][name]:11.6f}"
        lines.append(line)
    return "\n".join(lines)


def check_input_channels(network, dataset_name: str, X) -> None:
    """Raise DataError unless the last axis of X has as many channels as the network's input node reads."""
    channels, expected = X.shape[-1], network.input.data_channels
    if channels != expected:
        raise DataError(f"dataset {dataset_name!r} has {channels} channel{'' if channels == 1 else 's'} but the "
                        f"network's input node reads {expected}; pass the dataset the network was converted for")


def _write_json(path: Path, results: dict) -> None:
    from share_neuro.atomic import write_text_atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps(results, indent=2, sort_keys=True) + "\n")
