"""Steps per second of Lava (CPU, fixed_pt) versus the numpy reference simulator.

Run in the Lava environment:

    .venv-lava/bin/python benchmarks/lava_vs_reference.py [--network NET.h5 --inputs X.npz]

Without --network it uses a synthetic SHaRe-SSM-shaped network
(`share_neuro_lava.synthetic.random_network`). Both simulators run the same
samples; Lava runs once per lane count. Results go to runs/benchmarks/lava.json
and a Markdown table to stdout, and the script checks that every run's spikes agree.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from datetime import date
from pathlib import Path

import numpy as np
from share_neuro.network import load_network
from share_neuro.simulation.reference import simulate

from share_neuro_lava.runner import run_network
from share_neuro_lava.synthetic import random_inputs, random_network


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--network", help="network file; default: synthetic network")
    parser.add_argument("--inputs", help=".npz with X (samples, steps, channels); default: random inputs")
    parser.add_argument("--samples", type=int, default=8)
    parser.add_argument("--length", type=int, default=64)
    parser.add_argument("--lanes", default="1,4,8", help="comma-separated lane counts to measure")
    parser.add_argument("--out", default="runs/benchmarks/lava.json")
    arguments = parser.parse_args()

    if arguments.network:
        network = load_network(arguments.network)
        with np.load(arguments.inputs, allow_pickle=False) as data:
            X = data["X"][: arguments.samples]
    else:
        network = random_network(0, channels=6, hidden=32, state=32, classes=6, max_delay=4)
        X = random_inputs(0, network, arguments.samples, arguments.length)
    samples, length, _ = X.shape
    steps = network.total_steps(length)

    start = time.perf_counter()
    reference = simulate(network, X, record_spikes=True, progress=False, batch_size=1)
    reference_seconds = time.perf_counter() - start
    rows = [{"simulator": "reference (batch 1)", "seconds": reference_seconds,
             "steps_per_s": samples * steps / reference_seconds, "equal": True}]

    for lanes in (int(value) for value in arguments.lanes.split(",")):
        start = time.perf_counter()
        lava = run_network(network, X, tag="fixed_pt", lanes=lanes, record_spikes=True)
        seconds = time.perf_counter() - start
        equal = all(np.array_equal(lava.spikes[name], spikes) for name, spikes in reference.spikes.items())
        rows.append({"simulator": f"Lava fixed_pt, {lanes} lane(s)", "seconds": seconds,
                     "steps_per_s": samples * steps / seconds, "equal": bool(equal)})

    result = {"date": date.today().isoformat(), "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}",
              "network": arguments.network or "synthetic(seed 0, 6-32-32, delays <= 4)", "samples": samples,
              "length": length, "steps_per_sample": steps, "rows": rows}
    Path(arguments.out).parent.mkdir(parents=True, exist_ok=True)
    Path(arguments.out).write_text(json.dumps(result, indent=2))

    print("| simulator | wall s | sample-steps/s | ratio to reference | spikes equal |\n|---|---|---|---|---|")
    for row in rows:
        ratio = row["steps_per_s"] / rows[0]["steps_per_s"]
        print(f"| {row['simulator']} | {row['seconds']:.2f} | {row['steps_per_s']:.0f} | {ratio:.3f} | {row['equal']} |")


if __name__ == "__main__":
    main()
