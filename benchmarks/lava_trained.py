"""Lava against the reference simulator and the float models, on trained checkpoints.

Run in the main environment (Lava runs in .venv-lava through the bridge):

    .venv/bin/python benchmarks/lava_trained.py [--models runs/models] [--datasets hapt forda]

For each MODELS/DATASET.pt it converts the checkpoint with `share-neuro convert`. On
the first --samples test sequences it times the reference simulator and Lava fixed_pt
and compares their spikes, and it compares Lava floating_pt with the numpy float64 and
torch float32 models. On the whole test split it runs `share-neuro simulate --backend
reference` and counts the samples whose float64 and torch logits differ by more than
float32 rounding (a flipped spike). Results go to --out as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import torch

from share_neuro.conversion import FloatModel
from share_neuro.conversion.float_forward import predict
from share_neuro.data import load_dataset
from share_neuro.model.checkpoint import load_model
from share_neuro.network import load_network
from share_neuro.simulation.compare import compare_activity
from share_neuro.simulation.lava_bridge import run_lava
from share_neuro.simulation.reference import simulate

# The share-neuro script installed beside this interpreter.
CLI = [str(Path(sys.executable).with_name("share-neuro"))]
# A logit difference above this is more than float32 rounding, so some spike flipped.
FLOAT32_TOLERANCE = 1e-5


def run_cli(arguments: list) -> float:
    """Run `share-neuro ARGUMENTS` and return its wall time in seconds."""
    start = time.perf_counter()
    subprocess.run([*CLI, *map(str, arguments)], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def torch_logits(checkpoint: Path, X: np.ndarray, batch_size: int = 256) -> np.ndarray:
    model, contents = load_model(checkpoint)
    mean = np.asarray(contents["normalization"]["mean"], dtype=np.float64)
    std = np.asarray(contents["normalization"]["std"], dtype=np.float64)
    parts = []
    with torch.no_grad():
        for first in range(0, len(X), batch_size):
            batch = torch.as_tensor((X[first:first + batch_size] - mean) / std, dtype=torch.float32)
            parts.append(model(batch).numpy())
    return np.concatenate(parts).astype(np.float64)


def timed(function, *arguments, **options):
    start = time.perf_counter()
    result = function(*arguments, **options)
    return result, time.perf_counter() - start


def measure(dataset: str, checkpoint: Path, folder: Path, samples: int) -> dict:
    network_path = folder / f"{dataset}.h5"
    convert_seconds = run_cli(["convert", checkpoint, "--out", network_path,
                               "--report-json", folder / f"{dataset}-convert.json", "--no-progress"])
    network = load_network(network_path)
    test_split = load_dataset(dataset).test
    X = test_split.X[:samples]
    steps = network.total_steps(X.shape[1])
    sample_steps = len(X) * steps

    reference, reference_seconds = timed(simulate, network, X, record_spikes=True, progress=False)
    reference_batch1, reference_batch1_seconds = timed(simulate, network, X, record_spikes=True,
                                                       progress=False, batch_size=1)
    lava, lava_seconds = timed(run_lava, network_path, X, tag="fixed_pt", progress=False)
    comparison = compare_activity(reference, lava)

    floating, floating_seconds = timed(run_lava, network_path, X, tag="floating_pt", record_spikes=False,
                                       progress=False)
    floating_logits = floating.outputs / X.shape[1]
    float_model = FloatModel.from_checkpoint(checkpoint)
    float64_logits = predict(float_model, X)
    float32_logits = torch_logits(checkpoint, X)

    test_json = folder / f"{dataset}-test-reference.json"
    test_seconds = run_cli(["simulate", network_path, "--dataset", dataset, "--backend", "reference",
                            "--json", test_json])
    full_float64 = predict(float_model, test_split.X, batch_size=256)
    full_float32 = torch_logits(checkpoint, test_split.X)
    full_difference = np.abs(full_float64 - full_float32).max(axis=1)
    metrics = json.loads(checkpoint.with_suffix(".json").read_text()) if checkpoint.with_suffix(".json").is_file() \
        else load_model(checkpoint)[1]["metrics"]

    return {
        "dataset": dataset, "checkpoint": str(checkpoint), "samples": len(X), "steps_per_sample": steps,
        "convert_s": convert_seconds,
        "fixed_pt": {
            **comparison,
            "reference_s": reference_seconds, "reference_batch1_s": reference_batch1_seconds, "lava_s": lava_seconds,
            "reference_steps_per_s": sample_steps / reference_seconds,
            "reference_batch1_steps_per_s": sample_steps / reference_batch1_seconds,
            "lava_steps_per_s": sample_steps / lava_seconds,
            "lava_to_reference_ratio": reference_seconds / lava_seconds,
            "lava_to_reference_batch1_ratio": reference_batch1_seconds / lava_seconds,
            "accuracy": float(np.mean(lava.predictions == test_split.y[:samples])),
            "reference_equal_batch1": all(np.array_equal(reference_batch1.spikes[name], spikes)
                                          for name, spikes in reference.spikes.items()),
        },
        "floating_pt": {
            "lava_s": floating_seconds,
            "max_difference_to_float64": float(np.abs(floating_logits - float64_logits).max()),
            "max_difference_to_torch": float(np.abs(floating_logits - float32_logits).max()),
            "samples_over_tolerance": int(np.sum(np.abs(floating_logits - float32_logits).max(axis=1)
                                                 > FLOAT32_TOLERANCE)),
            "prediction_match_torch": float(np.mean(floating.predictions == float32_logits.argmax(axis=1))),
        },
        "test_split": {
            "samples": len(test_split.X), "simulate_s": test_seconds,
            "fixed_point_accuracy": json.loads(test_json.read_text())["accuracy"],
            "checkpoint_float_accuracy": metrics["test"]["accuracy"],
            "torch_accuracy": float(np.mean(full_float32.argmax(axis=1) == test_split.y)),
            "float64_accuracy": float(np.mean(full_float64.argmax(axis=1) == test_split.y)),
            "float64_torch_samples_over_tolerance": int(np.sum(full_difference > FLOAT32_TOLERANCE)),
            "float64_torch_max_difference": float(full_difference.max()),
            "float64_torch_prediction_match": float(np.mean(full_float64.argmax(axis=1) == full_float32.argmax(axis=1))),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=Path, default=Path("runs/models"), help="folder with DATASET.pt files")
    parser.add_argument("--datasets", nargs="+", default=["hapt", "forda"])
    parser.add_argument("--samples", type=int, default=20, help="test sequences for the Lava comparisons")
    parser.add_argument("--out", type=Path, default=Path("runs/benchmarks/lava_trained.json"))
    arguments = parser.parse_args()

    torch.set_num_threads(1)
    folder = arguments.out.with_suffix("")
    folder.mkdir(parents=True, exist_ok=True)
    results = {"date": date.today().isoformat(), "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
               "python": platform.python_version(), "results": []}
    for dataset in arguments.datasets:
        results["results"].append(measure(dataset, arguments.models / f"{dataset}.pt", folder, arguments.samples))
        print(json.dumps(results["results"][-1], indent=2))
    arguments.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
