"""Time the HRF layer's parallel scan against the sequential loop: forward + backward.

Each measurement drives the scan with its real inputs: random binary spikes
(batch, L, H) projected by the layer's matrix B (P, H) into the input current
(batch, L, P), and the coefficients computed from the layer's per-neuron parameters.
B and those parameters require gradients. The loss is the sum of the positions times a
fixed random tensor, so the backward pass runs through the scan, the coefficients and
the projection.

Every (method, length) runs in its own Python process, so the peak resident set size
(`ru_maxrss`) of that process is the peak memory of that measurement alone. The time
is the best of `--repeats` runs after one warm-up run. A method whose run takes longer
than `--cap` seconds gets no further runs, and its row records that.

    python benchmarks/scan.py                        # IM, L = 1000, 17984, 49920
    python benchmarks/scan.py --scheme imex --lengths 1000 17984
    python benchmarks/scan.py --profile 17984        # where the parallel scan's time goes

Writes benchmarks/results/scan.json and docs/benchmarks.d/scan.md. Both files keep runs
with different schemes or thread counts side by side. A new run replaces the earlier
run with the same scheme and thread count.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from pathlib import Path

from tqdm import tqdm

from machine import cpu_model

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "scan.json"
PAGE = ROOT / "docs" / "benchmarks.d" / "scan.md"

HIDDEN = 128
STATE = 64
BATCH = 4
LENGTHS = (1000, 17984, 49920)
METHODS = ("parallel", "sequential")

# Fraction of input channels that spike at a step.
SPIKE_RATE = 0.1

# A child that takes longer than this is stopped and its row marked as timed out.
CHILD_TIMEOUT_S = 1800


def build_inputs(scheme: str, length: int, seed: int = 0):
    """Return the HRF layer, the spikes (BATCH, length, HIDDEN) and the loss weights."""
    import torch

    from share_neuro.model.hrf_layer import HrfLayer

    torch.manual_seed(seed)
    layer = HrfLayer(HIDDEN, STATE, scheme=scheme)
    spikes = (torch.rand(BATCH, length, HIDDEN) < SPIKE_RATE).float()
    weights = torch.randn(BATCH, length, STATE)
    return layer, spikes, weights


def forward_backward(layer, spikes, weights, method: str) -> None:
    """Run the projection, the scan and the backward pass of the weighted position sum."""
    from share_neuro.model.scan import hrf_scan

    layer.zero_grad(set_to_none=True)
    current = spikes @ layer.B.t()
    _, position = hrf_scan(layer.coefficients(), current, method)
    (position * weights).sum().backward()


def measure(scheme: str, method: str, length: int, repeats: int, threads: int, cap_s: float) -> dict:
    """Run in a fresh process: time forward + backward after one warm-up run."""
    import resource

    import torch

    torch.set_num_threads(threads)
    layer, spikes, weights = build_inputs(scheme, length)

    # ru_maxrss is in KiB on Linux.
    setup_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20

    seconds = []
    capped = False
    for _ in range(repeats + 1):
        start = time.perf_counter()
        forward_backward(layer, spikes, weights, method)
        seconds.append(time.perf_counter() - start)
        if seconds[-1] > cap_s:
            capped = True
            break

    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20

    # The warm-up run counts only when the cap stopped the runs after it.
    timed = seconds[1:] or seconds
    return {"seconds": seconds, "min_s": min(timed), "runs": len(seconds), "capped": capped,
            "setup_rss_gib": setup_gib, "peak_rss_gib": peak_gib}


def run_child(request: dict) -> dict:
    """Measure one row in a fresh process."""
    try:
        completed = subprocess.run(
            [sys.executable, __file__, "--child", json.dumps(request)], capture_output=True, text=True,
            timeout=CHILD_TIMEOUT_S, check=False,
        )
    except subprocess.TimeoutExpired:
        return {"status": f"timed out after {CHILD_TIMEOUT_S} s"}

    if completed.returncode != 0:
        lines = (completed.stderr or "").strip().splitlines()
        return {"status": f"failed (exit {completed.returncode}): {lines[-1] if lines else ''}"}

    result = json.loads(completed.stdout.strip().splitlines()[-1])
    result["status"] = "ok"
    return result


def profile(scheme: str, method: str, length: int, threads: int, rows: int) -> None:
    """Print torch.profiler's operator table for one forward + backward run."""
    import torch
    from torch.profiler import ProfilerActivity
    from torch.profiler import profile as torch_profile

    torch.set_num_threads(threads)
    layer, spikes, weights = build_inputs(scheme, length)
    forward_backward(layer, spikes, weights, method)

    with torch_profile(activities=[ProfilerActivity.CPU]) as profiler:
        forward_backward(layer, spikes, weights, method)
    print(profiler.key_averages().table(sort_by="self_cpu_time_total", row_limit=rows))


def machine_description() -> dict:
    import torch

    return {"cpu": cpu_model(), "cores": os.cpu_count(), "python": platform.python_version(),
            "torch": torch.__version__, "platform": platform.platform()}


def ratios(results: list) -> dict:
    """Return loop time / scan time per length, for lengths where both rows succeeded."""
    by_key = {(row["method"], row["length"]): row for row in results}
    found = {}
    for length in sorted({row["length"] for row in results}):
        scan = by_key.get(("parallel", length))
        loop = by_key.get(("sequential", length))
        if scan and loop and scan["status"] == "ok" and loop["status"] == "ok":
            found[str(length)] = loop["min_s"] / scan["min_s"]
    return found


def write_page(runs: dict) -> None:
    lines = [
        "## HRF scan: parallel scan vs sequential loop (PyTorch, CPU)",
        "",
        f"Forward + backward of one HRF layer's recurrence (H = {HIDDEN}, P = {STATE}, batch {BATCH}) "
        "with its real inputs. The input current is the layer's projection B (P x H) of random binary "
        f"spikes ({SPIKE_RATE:.0%} of channels per step), and the coefficients come from the layer's "
        "per-neuron parameters. B and the per-neuron parameters require gradients. The loss is the "
        "sum of the positions times a fixed random tensor. Both methods' times include the "
        "projection and its gradient.",
        "",
        "Time: the best of the timed runs after one warm-up. A row whose run exceeded the cap gets "
        "no further runs, and its best run so far counts. Peak memory: the resident set size of a "
        "fresh process that measured that row alone, including about 0.2 GiB for Python and torch. "
        "Setup memory is that size before the first run. Other jobs shared the cores during these "
        "runs (see the load average), so the times are upper bounds. Ratio = loop time / scan time.",
        "",
    ]
    for key in runs:
        lines += _run_table(runs[key])
    PAGE.parent.mkdir(parents=True, exist_ok=True)
    PAGE.write_text("\n".join(lines))


def _run_table(report: dict) -> list:
    lines = [
        f"### Scheme {report['scheme']}, torch threads: {report['threads']}",
        "",
        f"Command: `{report['command']}`  ",
        f"Machine: {report['machine']['cpu']}, {report['machine']['cores']} cores, "
        f"torch {report['machine']['torch']}, Python {report['machine']['python']}  ",
        f"Date: {report['date']}  ",
        f"Load average at start / end: {report['load_average_start']} / {report['load_average_end']}",
        "",
        "| length | method | time (s, best) | runs | all runs (s) | setup memory (GiB) | peak memory (GiB) |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in report["results"]:
        if row["status"] != "ok":
            lines.append(f"| {row['length']} | {row['method']} | {row['status']} | - | - | - | - |")
            continue
        runs = f"{row['runs']}" + (f" (capped at {report['cap_s']:g} s)" if row["capped"] else "")
        every = ", ".join(f"{s:.3f}" for s in row["seconds"])
        lines.append(
            f"| {row['length']} | {row['method']} | {row['min_s']:.3f} | {runs} | {every} | "
            f"{row['setup_rss_gib']:.2f} | {row['peak_rss_gib']:.2f} |"
        )

    lines += ["", "| length | loop / scan |", "|---|---|"]
    for length, ratio in report["ratios"].items():
        lines.append(f"| {length} | {ratio:.1f} |")
    lines.append("")
    return lines


def read_runs() -> dict:
    if not RESULTS.exists():
        return {}
    return json.loads(RESULTS.read_text()).get("runs", {})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scheme", default="im", choices=("im", "imex", "imex-damped"), help="HRF discretisation")
    parser.add_argument("--lengths", type=int, nargs="+", default=list(LENGTHS), help="sequence lengths (steps)")
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS, help="scan methods to time")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per row after one warm-up")
    parser.add_argument("--cap", type=float, default=120.0,
                        help="time cap in seconds: after a run longer than this, a row gets no further runs")
    parser.add_argument("--profile", type=int, metavar="LENGTH",
                        help="print the operator profile of one run at LENGTH instead of timing")
    parser.add_argument("--profile-method", default="parallel", choices=METHODS, help="method for --profile")
    parser.add_argument("--page-only", action="store_true", help="rewrite the page from the JSON file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        print(json.dumps(measure(**json.loads(args.child))))
        return

    if args.profile:
        profile(args.scheme, args.profile_method, args.profile, args.threads, rows=25)
        return

    if args.page_only:
        write_page(read_runs())
        return

    load_start = [round(x, 2) for x in os.getloadavg()]
    jobs = [(length, method) for length in args.lengths for method in args.methods]
    results = []
    for length, method in tqdm(jobs, desc="scan benchmark", unit="row"):
        request = {"scheme": args.scheme, "method": method, "length": length, "repeats": args.repeats,
                   "threads": args.threads, "cap_s": args.cap}
        row = {"method": method, "length": length, **run_child(request)}
        results.append(row)
        tqdm.write(json.dumps(row))

    report = {
        "command": shlex.join(["python", "benchmarks/scan.py", *sys.argv[1:]]),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine_description(),
        "scheme": args.scheme,
        "threads": args.threads,
        "hidden_size": HIDDEN, "state_size": STATE, "batch": BATCH, "spike_rate": SPIKE_RATE,
        "repeats": args.repeats,
        "cap_s": args.cap,
        "load_average_start": load_start,
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "results": results,
        "ratios": ratios(results),
    }
    runs = read_runs()
    runs[f"{args.scheme}-threads{args.threads}"] = report
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"runs": runs}, indent=2) + "\n")
    write_page(runs)


if __name__ == "__main__":
    main()
