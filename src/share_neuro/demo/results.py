"""Adapters for steps that the single commands do inside their click functions.

`share-neuro simulate` builds its result dict and `share-neuro convert` draws its
calibration sequences inside the command, so the demo repeats those few lines here with
the same keys and the same random draw. The tests compare the demo's JSON files with
the commands' output to keep the two in step.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from share_neuro.demo.state import write_text_atomic


def simulation_results(activity, y, network, network_path, dataset_name: str, *, backend: str,
                       tag: str | None = None) -> dict:
    """Return the dict that `share-neuro simulate --json` writes for this run."""
    from share_neuro.cli.simulate import run_summary

    target = "cpu" if backend == "lava" else None
    return run_summary(activity, y, network, network_path, dataset_name, "test", backend=backend, tag=tag,
                       target=target)


def calibration_split(float_model, context, samples: int) -> tuple:
    """Return (X, y, label) as `share-neuro convert` draws them, from the demo's dataset.

    Without `data_dir` it calls `share_neuro.cli.convert.calibration_data`. That function
    loads the dataset by name and cannot read the UEA sets from a folder, so with
    `data_dir` this draws the same sequences (same seed and order) from the loaded dataset.
    """
    from share_neuro.cli.convert import SAMPLE_SEED, calibration_data

    if context.options.data_dir is None:
        return calibration_data(float_model, context.options.dataset, samples)

    dataset = context.dataset()
    split = dataset.train
    count = min(samples, len(split))
    chosen = np.sort(np.random.default_rng(SAMPLE_SEED).choice(len(split), size=count, replace=False))
    return split.X[chosen], split.y[chosen], f"{dataset.name} train ({count} of {len(split)} sequences)"


def write_command_json(path: Path, data: dict) -> None:
    """Write `data` as the commands do (indented, keys sorted), atomically."""
    from share_neuro.energy.report import to_jsonable

    write_text_atomic(path, json.dumps(to_jsonable(data), indent=2, sort_keys=True, allow_nan=False) + "\n")
