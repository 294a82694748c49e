"""The work of each demo stage, done by the same library functions the single commands use.

Every stage function takes a `StageContext`, writes its files into `context.staging`
and returns a short summary for its marker. The JSON files it writes have the content
that the matching command writes with its JSON option: `train --metrics-json`,
`convert --report-json`, `simulate --json` and `energy --json`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import click

from share_neuro.demo import options as defaults
from share_neuro.demo.options import DemoOptions
from share_neuro.demo.results import calibration_split, simulation_results, write_command_json


@dataclass
class StageContext:
    """The inputs of a stage (options, earlier outputs) and its output folder `staging`."""

    options: DemoOptions
    seed: int
    staging: Path
    echo: object = click.echo
    markers: dict = field(default_factory=dict)  # stage name -> marker of the stages completed so far
    _datasets: dict = field(default_factory=dict)

    def output(self, name: str) -> Path:
        """Return the path of an earlier stage's output file in the output folder."""
        return self.options.out / name

    def staged(self, name: str) -> Path:
        return self.staging / name

    def dataset(self):
        """Load the dataset once per run, with the training seed and the demo's options."""
        if "dataset" not in self._datasets:
            from share_neuro.data import load_dataset

            self._datasets["dataset"] = load_dataset(self.options.dataset, seed=self.seed,
                                                     **self.options.dataset_options())
        return self._datasets["dataset"]


def run_train(context: StageContext) -> dict:
    """Train with the dataset's preset; write model.pt, train.json and training_curve.png."""
    from share_neuro.training.loop import TrainRequest, train

    options = context.options
    request = TrainRequest(
        dataset=options.dataset, preset=options.preset, seed=options.seed,
        max_steps=options.max_steps, out=context.staged("model.pt"),
        metrics_json=context.staged("train.json"), plot=context.staged("training_curve.png"),
        data_dir=options.data_dir, threads=options.threads, progress=options.progress,
    )
    result = train(request)

    metrics = result.metrics
    metric = metrics["metric"]
    context.echo(
        f"{metrics['dataset']}: test {metric} {metrics['test'][metric]:.4f}, val {metric} "
        f"{metrics['val'][metric]:.4f} at step {metrics['best_step']} ({metrics['train_steps']} steps, "
        f"{metrics['wall_time_s']:.1f} s, stopped by {metrics['stop_reason']})"
    )
    return {f"test_{metric}": metrics["test"][metric], "train_steps": metrics["train_steps"]}


def run_convert(context: StageContext) -> dict:
    """Convert the checkpoint as `share-neuro convert` does; write network.h5 and convert.json."""
    from share_neuro.conversion import FloatModel, convert
    from share_neuro.conversion.report import format_report
    from share_neuro.energy.profiles import load_profile
    from share_neuro.network.hdf5 import save_network

    options = context.options
    profile = load_profile(options.profile)
    float_model = FloatModel.from_checkpoint(context.output("model.pt"))
    X, y, label = calibration_split(float_model, context, options.calibration_samples)

    network, report = convert(float_model, X, y, profile=profile, progress=options.progress)
    network.metadata["calibration_dataset"] = label
    report["calibration_dataset"] = label

    save_network(network, context.staged("network.h5"))
    report["network"] = str(context.output("network.h5"))
    write_command_json(context.staged("convert.json"), report)

    context.echo(format_report(report))
    return {"cores": report["cores"], "neurons": report["neurons"]}


def run_simulate_reference(context: StageContext) -> dict:
    """Simulate the whole test split on the reference simulator.

    Writes simulate_reference.json and the recorded operation counts (without spikes)
    as reference_activity.npz, which the energy stage prices.
    """
    from share_neuro.cli.simulate import format_table
    from share_neuro.network.hdf5 import load_network
    from share_neuro.simulation.lava_bridge import save_activity
    from share_neuro.simulation.reference import simulate

    network_path = context.output("network.h5")
    network = load_network(network_path)
    split = context.dataset().test

    activity = simulate(network, split.X, record_spikes=False, batch_size=defaults.SIMULATE_BATCH,
                        progress=context.options.progress)
    results = simulation_results(activity, split.y, network, network_path, context.options.dataset,
                                 backend="reference")

    write_command_json(context.staged("simulate_reference.json"), results)
    save_activity(activity, context.staged("reference_activity.npz"))
    context.echo(format_table(results))
    return {"samples": results["samples"]}


def run_simulate_lava(context: StageContext) -> dict:
    """Run the first `lava_samples` test sequences on Lava and compare them spike for spike.

    Equals `share-neuro simulate NET --backend lava --tag fixed_pt --limit N --compare
    reference`. Writes simulate_lava.json and Lava's activity, spikes included, as
    lava_activity.npz for the spike raster.
    """
    from share_neuro.cli.simulate import format_table
    from share_neuro.network.hdf5 import load_network
    from share_neuro.simulation.compare import compare_activity
    from share_neuro.simulation.lava_bridge import run_lava, save_activity
    from share_neuro.simulation.reference import simulate

    network_path = context.output("network.h5")
    network = load_network(network_path)
    split = context.dataset().test
    count = min(context.options.lava_samples, len(split))
    X, y = split.X[:count], split.y[:count]

    activity = run_lava(network_path, X, tag=defaults.LAVA_TAG, record_spikes=True,
                        progress=context.options.progress)
    results = simulation_results(activity, y, network, network_path, context.options.dataset,
                                 backend="lava", tag=defaults.LAVA_TAG)

    reference = simulate(network, X, record_spikes=True, batch_size=defaults.SIMULATE_BATCH,
                         progress=context.options.progress)
    results.update(compare_activity(reference, activity))

    write_command_json(context.staged("simulate_lava.json"), results)
    save_activity(activity, context.staged("lava_activity.npz"))
    context.echo(format_table(results))
    return {"samples": results["samples"], "spike_match": results["spike_match"]}


def run_energy(context: StageContext) -> dict:
    """Price the reference run of the test split on every bundled profile against LinOSS.

    Equals `share-neuro energy NET --dataset NAME --split test --baseline linoss`, but
    reuses the reference stage's recorded counts instead of simulating again; the
    simulator is deterministic, so the counts are the same.
    """
    from share_neuro.energy.estimate import estimate_energy
    from share_neuro.energy.plot import plot_energy
    from share_neuro.energy.profiles import list_profiles
    from share_neuro.energy.report import format_table, write_json
    from share_neuro.network.hdf5 import load_network
    from share_neuro.simulation.lava_bridge import load_activity

    network_path = context.output("network.h5")
    network = load_network(network_path)
    activity = load_activity(context.output("reference_activity.npz"))

    result = estimate_energy(network, activity, list_profiles(), baseline=defaults.BASELINE)
    result["network"] = str(network_path)
    result["dataset"] = {"name": context.options.dataset, "split": "test", "samples": int(activity.samples)}

    write_json(result, context.staged("energy.json"))
    plot_energy(result, context.staged("energy_per_layer.png"))
    context.echo(format_table(result))
    return {"profiles": sorted(result["profiles"])}


def run_report(context: StageContext) -> dict:
    """Write the spike raster, report.json and report.md from the earlier stages' files."""
    from share_neuro.demo.plots import plot_spike_raster
    from share_neuro.demo.report import build_report, render_markdown
    from share_neuro.demo.state import write_json_atomic, write_text_atomic
    from share_neuro.network.hdf5 import load_network
    from share_neuro.simulation.lava_bridge import load_activity

    network = load_network(context.output("network.h5"))
    activity = load_activity(context.output("lava_activity.npz"))
    report = build_report(context)
    plot_spike_raster(network, activity, 0, context.staged("spike_raster.png"),
                      spike_match=report["simulate_lava"]["spike_match"])

    write_json_atomic(context.staged("report.json"), report, sort_keys=False, allow_nan=False)
    write_text_atomic(context.staged("report.md"), render_markdown(report))
    return {"headline": report["summary"]}
