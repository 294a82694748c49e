"""Throughput of the reference simulator: simulated steps per second and sample-steps per second.

    python benchmarks/reference_sim.py --network NET.h5 --dataset NAME [--split test] [--samples N]
    python benchmarks/reference_sim.py --random [--samples N] [--length L]

`--random` builds a random network of SHaRe-SSM's size (2 blocks, H=128, P=64,
6 inputs) and feeds it Gaussian noise. Results go to benchmarks/results/ as JSON and
to docs/benchmarks.d/reference_sim.md as a markdown section.
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import time
from pathlib import Path

import numpy as np

from share_neuro.network import load_network
from share_neuro.network.synthetic import random_share_network
from share_neuro.simulation.reference import simulate

from machine import cpu_model

ROOT = Path(__file__).resolve().parents[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--network", type=Path, help="network file written by `share-neuro convert`")
    parser.add_argument("--dataset", help="dataset name or .npz path for --network")
    parser.add_argument("--split", default="test", choices=["train", "val", "test"])
    parser.add_argument("--random", action="store_true", help="use a random network of SHaRe-SSM's size")
    parser.add_argument("--scheme", default="imex", choices=["im", "imex", "imex-damped"], help="HRF form of --random")
    parser.add_argument("--samples", type=int, default=64, help="samples to simulate")
    parser.add_argument("--length", type=int, default=1000, help="input steps per sample for --random")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs; the fastest is reported")
    args = parser.parse_args()

    if args.random:
        network = random_share_network(0, inputs=6, hidden=128, state=64, blocks=2, scheme=args.scheme)
        X = np.random.default_rng(1).normal(size=(args.samples, args.length, 6)).astype(np.float32)
        label = f"random SHaRe-SSM size (2 blocks, H=128, P=64, 6 inputs, {args.scheme})"
        key = f"random-{args.scheme}-b{args.batch_size}"
    elif args.network and args.dataset:
        from share_neuro.data import load_dataset

        network = load_network(args.network)
        X = getattr(load_dataset(args.dataset), args.split).X[: args.samples]
        label = f"{args.network.name} on {args.dataset} ({args.split})"
        key = f"{args.network.stem}-{Path(args.dataset).stem}-b{args.batch_size}"
    else:
        parser.error("pass --random, or --network and --dataset")

    timings = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        activity = simulate(network, X, batch_size=args.batch_size, progress=False)
        timings.append(time.perf_counter() - start)
    seconds = min(timings)

    batches = -(-activity.samples // args.batch_size)
    result = {
        "network": label,
        "samples": activity.samples,
        "length": activity.length,
        "steps": activity.steps,
        "batch_size": args.batch_size,
        "seconds": seconds,
        "all_seconds": timings,
        # One step advances a whole batch; steps/s counts those batch steps.
        "steps_per_second": activity.steps * batches / seconds,
        "sample_steps_per_second": activity.samples * activity.steps / seconds,
        "firing_rates": activity.firing_rates(),
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {cpu_model()}",
        "date": datetime.date.today().isoformat(),
    }

    results_path = ROOT / "benchmarks" / "results" / f"reference_sim-{key}-numpy{np.__version__.split('.')[0]}.json"
    results_path.parent.mkdir(parents=True, exist_ok=True)
    results_path.write_text(json.dumps(result, indent=2) + "\n")
    _append_markdown(result, results_path)
    print(json.dumps({name: result[name] for name in ("network", "steps_per_second", "sample_steps_per_second")}, indent=2))


def _append_markdown(result: dict, results_path: Path) -> None:
    path = ROOT / "docs" / "benchmarks.d" / "reference_sim.md"
    if not path.exists():
        path.write_text("# Reference simulator throughput\n\n"
                        "Measured by `benchmarks/reference_sim.py`; one row per run, newest last.\n\n"
                        "| date | network | samples x steps | batch | steps/s | sample-steps/s | numpy | machine |\n"
                        "|---|---|---|---|---|---|---|---|\n")
    with path.open("a") as file:
        file.write(f"| {result['date']} | {result['network']} | {result['samples']} x {result['steps']} | "
                   f"{result['batch_size']} | {result['steps_per_second']:.0f} | {result['sample_steps_per_second']:.0f} | "
                   f"{result['numpy']} | {result['machine']} |\n")
    print(f"wrote {results_path.relative_to(ROOT)} and {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
