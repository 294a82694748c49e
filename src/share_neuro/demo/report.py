"""report.json and report.md of a demo run, built from the JSON files of the earlier stages.

report.json embeds those files unchanged under "train", "convert",
"simulate_reference", "simulate_lava" and "energy", so its numbers are the ones the
single commands write, and adds "summary" (the headline numbers) and "demo" (options,
stage times, files, machine).
"""

from __future__ import annotations

import json
import platform
import sys
import time

from share_neuro.demo.markdown import render_markdown

__all__ = ["build_report", "demo_command", "render_markdown"]

SECTIONS = {
    "train": "train.json",
    "convert": "convert.json",
    "simulate_reference": "simulate_reference.json",
    "simulate_lava": "simulate_lava.json",
    "energy": "energy.json",
}


def build_report(context) -> dict:
    """Return the report dict of the run in `context.options.out`."""
    out = context.options.out
    report = {"summary": {}, "demo": {}}
    for key, name in SECTIONS.items():
        with open(out / name, encoding="utf-8") as handle:
            report[key] = json.load(handle)

    report["summary"] = summarize(report)
    report["summary"]["reference_test_on_lava_samples"] = reference_score_on_lava_samples(
        context, report["simulate_lava"]["samples"], report["train"]["task"])
    report["demo"] = describe_run(context)
    return report


def reference_score_on_lava_samples(context, count: int, task: str) -> float:
    """Return the reference simulator's accuracy or MSE on the test sequences that ran on Lava."""
    from types import SimpleNamespace

    from share_neuro.cli.simulate import score
    from share_neuro.simulation.lava_bridge import load_activity

    activity = load_activity(context.output("reference_activity.npz"))
    predictions = None if activity.predictions is None else activity.predictions[:count]
    subset = SimpleNamespace(outputs=activity.outputs[:count], predictions=predictions)
    scores = score(subset, context.dataset().test.y[:count], task)
    return next(iter(scores.values()))


def summarize(report: dict) -> dict:
    """Return the headline numbers, each taken from one of the embedded command results."""
    train = report["train"]
    convert = report["convert"]
    reference = report["simulate_reference"]
    lava = report["simulate_lava"]
    energy = report["energy"]
    metric = train["metric"]
    profile = convert["profile"]

    summary = {
        "dataset": train["dataset"],
        "task": train["task"],
        "metric": metric,
        "float_test": train["test"][metric],
        "fixed_point_test": reference[metric],
        "test_samples": reference["samples"],
        "lava_samples": lava["samples"],
        "lava_test": lava[metric],
        "lava_spike_match": lava["spike_match"],
        "lava_prediction_match": lava["prediction_match"],
        "profile": profile,
        "cores": convert["cores"],
        "neurons": convert["neurons"],
        "synapses": convert["synapses"],
    }
    if profile in energy["profiles"]:
        summary["energy_j_per_sample"] = energy["profiles"][profile]["energy_j_per_sample"]
        summary["baseline_energy_j_per_sample"] = energy.get("baseline_energy_j_per_sample")
        summary["energy_ratio"] = energy.get("ratio", {}).get(profile)
    return summary


def demo_command(options) -> str:
    """Return the `share-neuro demo` command line that repeats this run."""
    parts = ["share-neuro demo", f"--dataset {options.dataset}", f"--out {options.out}"]
    if options.lava_samples != 20:
        parts.append(f"--lava-samples {options.lava_samples}")
    for flag, value in (("--preset", options.preset), ("--max-steps", options.max_steps),
                        ("--seed", options.seed), ("--data-dir", options.data_dir)):
        if value is not None:
            parts.append(f"{flag} {value}")
    return " ".join(parts)


def describe_run(context) -> dict:
    options = context.options
    stages = {}
    for name, marker in context.markers.items():
        stages[name] = {"seconds": marker["seconds"], "finished": marker["finished"]}

    from share_neuro.demo.pipeline import ALL_OUTPUTS

    return {
        "command": demo_command(options),
        "out": str(options.out),
        "seed": context.seed,
        "lava_samples": options.lava_samples,
        "stages": stages,
        # Without the report stage itself, which only reads files and draws one plot.
        "stage_seconds_total": round(sum(stage["seconds"] for stage in stages.values()), 3),
        "files": list(ALL_OUTPUTS),
        "written": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "machine": {"system": platform.platform(), "processor": platform.machine(),
                    "python": sys.version.split()[0]},
        "versions": _versions(),
    }


def _versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for package in ("share-neuro", "numpy", "torch"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    return versions
