"""Models trained on real data and converted with the CLI, shared by the tests of one session.

`trained_networks` trains each dataset's small preset with `share-neuro train` for a
few hundred optimiser steps and converts the best checkpoint with `share-neuro
convert`, calibrated on the dataset's train split. Training on real data matters here:
trained weights put many membrane values close to their thresholds, which random
weights rarely do. Each dataset is trained once per session, on first use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

from share_neuro.cli import main

# dataset -> (preset, optimiser steps). About 12 s (hapt) and 30 s (forda) of training
# on one CPU core, and the validation score at step 100 is well above chance for both.
TRAINING = {
    "hapt": ("hapt-small", 200),
    "forda": ("forda-small", 100),
}


@dataclass(frozen=True)
class TrainedNetwork:
    """A checkpoint trained by `share-neuro train` and the network file converted from it."""

    dataset: str
    checkpoint: Path
    network: Path
    training_metrics: dict
    conversion_report: dict


def run_cli(arguments: list) -> str:
    """Run `share-neuro ARGUMENTS` in this process and return its output; fail the test on a non-zero exit."""
    result = CliRunner().invoke(main, [str(argument) for argument in arguments])
    if result.exit_code != 0:
        pytest.fail(f"share-neuro {' '.join(map(str, arguments))} exited with {result.exit_code}:\n{result.output}",
                    pytrace=False)
    return result.output


def train_and_convert(dataset: str, folder: Path) -> TrainedNetwork:
    """Train `dataset` with its TRAINING preset and steps, convert the checkpoint, and return the files."""
    preset, steps = TRAINING[dataset]
    checkpoint = folder / f"{dataset}.pt"
    metrics_path = folder / f"{dataset}-train.json"
    # One torch thread: several threads on a busy 2-core machine made training 5 times
    # slower, and results would depend on the thread count. `--threads` sets it for the
    # whole process, so the previous count is restored for the tests that follow.
    threads = torch.get_num_threads()
    try:
        run_cli(["train", dataset, "--preset", preset, "--max-steps", steps, "--out", checkpoint,
                 "--metrics-json", metrics_path, "--threads", 1, "--no-progress"])
    finally:
        torch.set_num_threads(threads)

    network = folder / f"{dataset}.h5"
    report_path = folder / f"{dataset}-convert.json"
    run_cli(["convert", checkpoint, "--out", network, "--report-json", report_path, "--no-progress"])

    return TrainedNetwork(dataset=dataset, checkpoint=checkpoint, network=network,
                          training_metrics=json.loads(metrics_path.read_text()),
                          conversion_report=json.loads(report_path.read_text()))


class TrainedNetworks:
    """Session cache: `get(dataset)` trains and converts on first use."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.cache = {}
        self.failures = {}

    def get(self, dataset: str) -> TrainedNetwork:
        # A failed training or conversion fails every later test of that dataset at once
        # instead of training again.
        if dataset in self.failures:
            pytest.fail(f"training or converting {dataset} failed earlier in this session:\n{self.failures[dataset]}",
                        pytrace=False)
        if dataset not in self.cache:
            try:
                self.cache[dataset] = train_and_convert(dataset, self.folder)
            except BaseException as error:
                self.failures[dataset] = str(error)
                raise
        return self.cache[dataset]


@pytest.fixture(scope="session")
def trained_networks(tmp_path_factory) -> TrainedNetworks:
    return TrainedNetworks(tmp_path_factory.mktemp("trained"))
