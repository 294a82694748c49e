"""`share-neuro energy`: simulate a network on a dataset split and estimate its energy."""

from __future__ import annotations

import click

SPLITS = ("train", "val", "test")


@click.command()
@click.argument("network_path", metavar="NET.h5", type=click.Path(dir_okay=False))
@click.option("--dataset", required=True, help="Dataset name (see `share-neuro datasets`) or path of a .npz file.")
@click.option("--split", type=click.Choice(SPLITS), default="test", show_default=True, help="Split to simulate.")
@click.option("--seed", type=int, default=None, help="Split seed of the dataset (default: the dataset's default).")
@click.option(
    "--profile",
    "profile_names",
    multiple=True,
    help="Hardware profile name or TOML path; repeat for several (default: every bundled profile).",
)
@click.option("--baseline", type=click.Choice(("linoss",)), default=None, help="Add the non-spiking baseline and the ratio.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Simulate only the first N samples of the split.")
@click.option("--batch-size", type=click.IntRange(min=1), default=64, show_default=True, help="Samples simulated at once.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), default=None, help="Write every count and constant to this JSON file.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), default=None, help="Write a PNG of energy per layer and firing rates.")
def energy(network_path, dataset, split, seed, profile_names, baseline, limit, batch_size, json_path, plot_path):
    """Estimate the energy per sample of NET.h5 on each hardware profile."""
    from share_neuro.cli.simulate import check_input_channels
    from share_neuro.data import load_dataset
    from share_neuro.energy.estimate import estimate_energy
    from share_neuro.energy.profiles import list_profiles, load_profile
    from share_neuro.energy.report import format_table, write_json
    from share_neuro.network.hdf5 import load_network
    from share_neuro.simulation.reference import simulate

    # Load everything that can fail on bad input before the long simulation starts.
    profiles = [load_profile(name) for name in profile_names] if profile_names else list_profiles()
    network = load_network(network_path)
    options = {} if seed is None else {"seed": seed}
    data = getattr(load_dataset(dataset, **options), split)
    X = data.X if limit is None else data.X[:limit]
    check_input_channels(network, dataset, X)

    activity = simulate(network, X, batch_size=batch_size, progress=True)
    result = estimate_energy(network, activity, profiles, baseline=baseline)
    result["network"] = str(network_path)
    result["dataset"] = {"name": dataset, "split": split, "samples": int(X.shape[0])}

    click.echo(format_table(result))
    if json_path:
        write_json(result, json_path)
        click.echo(f"Wrote {json_path}")
    if plot_path:
        from share_neuro.energy.plot import plot_energy

        plot_energy(result, plot_path)
        click.echo(f"Wrote {plot_path}")
