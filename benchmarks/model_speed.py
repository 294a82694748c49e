"""Time the SHaRe-SSM and LinOSS models: forward, forward + backward, peak memory.

Every (configuration, mode) runs in its own Python process, so the peak resident set
size (`ru_maxrss`) of that process is the peak memory of that measurement alone. The
configurations are those of the authors' JAX timings (SHaRe-SSM, 2 blocks of IM with
H = 128, P = 64 on EigenWorms-sized input; 6 blocks of IMEX with H = 128, P = 256 on
PPG-DaLiA windows), measured on the same kind of 2-core CPU; the JAX numbers are
copied into the output for the ratio.

    python benchmarks/model_speed.py                  # all configurations
    python benchmarks/model_speed.py --only eigenworms-17984
    python benchmarks/model_speed.py --baseline /tmp/old-src --rounds 3   # against older code

`--baseline DIR` times every row a second time, in the same run, with the
`share_neuro` package found in DIR (for example `src` of an earlier checkout) ahead
of the installed one, and reports the speedup of the current code over it. The two
alternate row by row, so both see the same load on a shared machine. `--rounds N`
measures every row N times, each in fresh processes, and keeps the best.

Writes benchmarks/results/model_speed.json and docs/benchmarks.d/model.md. Runs with
different `--threads` values are kept side by side in both files; a new run replaces
the earlier run with the same thread count, or with the same `--label` when given.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
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
RESULTS = ROOT / "benchmarks" / "results" / "model_speed.json"
PAGE = ROOT / "docs" / "benchmarks.d" / "model.md"

EIGENWORMS = dict(input_size=6, output_size=5, hidden_size=128, state_size=64, num_blocks=2, scheme="im")
PPG = dict(input_size=3, output_size=1, task="regression", hidden_size=128, state_size=256,
           num_blocks=6, scheme="imex", output_step=128, fir_taps=16)

# (name, model config, batch, length, modes, JAX seconds per mode, JAX peak GiB (fwd+bwd)).
# JAX: jax 0.10.2, XLA on CPU, jax.lax.associative_scan, float32, same 2-core machine.
CASES = [
    ("eigenworms-1000", dict(EIGENWORMS), 4, 1000, ("forward", "forward+backward"),
     {"forward": 0.010, "forward+backward": 0.104}, 0.9),
    ("eigenworms-17984", dict(EIGENWORMS), 4, 17984, ("forward", "forward+backward"),
     {"forward": 0.279, "forward+backward": 2.74}, 2.3),
    ("eigenworms-1000-sequential", dict(EIGENWORMS, scan="sequential"), 4, 1000,
     ("forward", "forward+backward"), {"forward": 0.010, "forward+backward": 0.104}, 0.9),
    ("eigenworms-17984-sequential", dict(EIGENWORMS, scan="sequential"), 4, 17984,
     ("forward",), {"forward": 0.279}, None),
    ("linoss-eigenworms-1000", dict(EIGENWORMS, model="linoss"), 4, 1000,
     ("forward", "forward+backward"), {}, None),
    ("linoss-eigenworms-17984", dict(EIGENWORMS, model="linoss"), 4, 17984,
     ("forward", "forward+backward"), {"forward": 1.01, "forward+backward": 3.95}, None),
    ("ppg-batch1", dict(PPG), 1, 49920, ("forward", "forward+backward"),
     {"forward+backward": 17.1}, 7.5),
    ("ppg-batch4", dict(PPG), 4, 49920, ("forward", "forward+backward"), {"forward": 11.3}, None),
]

CHILD_TIMEOUT_S = 600


def measure(config: dict, batch: int, length: int, mode: str, repeats: int, threads: int) -> dict:
    """Run in a fresh process: time `mode` `repeats` times after one warm-up run."""
    import resource

    import torch

    from share_neuro.model import ModelConfig, build_model

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = build_model(ModelConfig(**config))
    x = torch.randn(batch, length, config["input_size"])

    def run_once():
        if mode == "forward":
            with torch.no_grad():
                model(x)
        else:
            model.zero_grad(set_to_none=True)
            model(x).float().square().mean().backward()

    seconds = []
    for _ in range(repeats + 1):
        start = time.perf_counter()
        run_once()
        seconds.append(time.perf_counter() - start)

    # ru_maxrss is in KiB on Linux.
    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    timed = seconds[1:] or seconds
    return {"seconds": sorted(timed), "min_s": min(timed), "warmup_s": seconds[0], "peak_rss_gib": peak_gib}


def run_case(case, mode: str, repeats: int, threads: int, baseline: str = None, rounds: int = 1) -> dict:
    name, config, batch, length, _, jax_seconds, jax_peak = case
    request = json.dumps({"config": config, "batch": batch, "length": length, "mode": mode,
                          "repeats": repeats, "threads": threads})
    row = {"name": name, "model": config.get("model", "share-ssm"), "scan": config.get("scan", "parallel"),
           "scheme": config["scheme"], "blocks": config["num_blocks"], "H": config["hidden_size"],
           "P": config["state_size"], "batch": batch, "length": length, "mode": mode,
           "jax_s": jax_seconds.get(mode), "jax_peak_gib": jax_peak if mode == "forward+backward" else None}

    # Each round measures the row in fresh processes (the baseline first, when given),
    # and the best round counts, so a burst of load from other jobs spoils one round only.
    for _ in range(rounds):
        if baseline:
            before = run_child(request, baseline)
            if before["status"] != "ok" or before["min_s"] <= row.get("baseline_min_s", math.inf):
                row["baseline_status"] = before.pop("status")
                row.update({"baseline_" + key: value for key, value in before.items()})

        now = run_child(request)
        if now["status"] != "ok" or now["min_s"] <= row.get("min_s", math.inf):
            row.update(now)
        if row["status"] != "ok" or row.get("baseline_status", "ok") != "ok":
            break

    if row["status"] == "ok" and row["jax_s"]:
        row["speedup_vs_jax"] = row["jax_s"] / row["min_s"]
    if row["status"] == "ok" and row.get("baseline_status") == "ok":
        row["speedup_vs_baseline"] = row["baseline_min_s"] / row["min_s"]
    return row


def run_child(request: str, source: str = None) -> dict:
    """Measure one row in a fresh process, importing share_neuro from `source` when given."""
    environment = dict(os.environ)
    if source:
        environment["PYTHONPATH"] = os.pathsep.join(filter(None, [source, environment.get("PYTHONPATH")]))
    try:
        completed = subprocess.run(
            [sys.executable, __file__, "--child", request], capture_output=True, text=True,
            timeout=CHILD_TIMEOUT_S, check=False, env=environment,
        )
    except subprocess.TimeoutExpired:
        return {"status": f"timed out after {CHILD_TIMEOUT_S} s"}

    if completed.returncode != 0:
        lines = (completed.stderr or "").strip().splitlines()
        return {"status": f"failed (exit {completed.returncode}): {lines[-1] if lines else ''}"}

    result = json.loads(completed.stdout.strip().splitlines()[-1])
    result["status"] = "ok"
    return result


def machine_description() -> dict:
    return {
        "cpu": cpu_model(), "cores": os.cpu_count(), "python": platform.python_version(),
        "torch": _torch_version(), "platform": platform.platform(),
    }


def _torch_version() -> str:
    import torch

    return torch.__version__


def write_page(runs: dict) -> None:
    lines = [
        "## Model speed (SHaRe-SSM and LinOSS, PyTorch, CPU)",
        "",
        "Other jobs shared the two cores during these runs (the load average shows how many), "
        "so the times are upper bounds. On an oversubscribed CPU, two torch threads are much "
        "slower than one, because each thread waits for the other at every operation; the "
        "one-thread table shows this. JAX numbers: the SHaRe-SSM authors' implementation "
        "(jax 0.10.2, XLA, `jax.lax.associative_scan`), float32, on the same kind of 2-core CPU "
        "without other load. Ratio = JAX time / PyTorch time (above 1: PyTorch is faster). "
        "Peak memory is the resident set size of a fresh process that measured that row alone. "
        "The JAX forward + backward pass of the PPG configuration at batch 4 does not fit in "
        "24 GiB.",
        "",
        "A section with `before` and `speedup` columns timed every row twice in the same run, "
        "alternating row by row: with the current code and with the earlier code it names "
        "(`--baseline`). Speedup = before / current. Each section measured the code of its "
        "date, so a newer section supersedes the rows of an older one that it repeats.",
        "",
    ]
    # Labelled runs first, in the order they were added, then the default runs by thread count.
    labelled = [key for key in runs if not key.isdigit()]
    by_threads = sorted((key for key in runs if key.isdigit()), key=int, reverse=True)
    for key in labelled + by_threads:
        lines += _run_table(runs[key])
    PAGE.parent.mkdir(parents=True, exist_ok=True)
    PAGE.write_text("\n".join(lines))


def _run_table(report: dict) -> list:
    lines = [
        f"### {report.get('label') or 'torch threads: ' + str(report['threads'])}",
        "",
        f"Command: `{report['command']}`  ",
        f"Machine: {report['machine']['cpu']}, {report['machine']['cores']} cores, "
        f"torch threads: {report['threads']}, torch {report['machine']['torch']}, "
        f"Python {report['machine']['python']}  ",
        f"Date: {report['date']}  ",
        f"Load average at start / end: {report['load_average_start']} / {report['load_average_end']}",
        "",
        "| case | model | scan | blocks x H x P | batch | length | mode | time (s, best) | "
        "JAX (s) | ratio | peak memory (GiB) | JAX peak (GiB) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    baseline = report.get("baseline")
    if baseline:
        lines[-2] += " before (s, best) | speedup |"
        lines[-1] += "---|---|"
        lines[5] += "  "
        lines.insert(6, f"Before: the same rows timed in the same run with the code in `{baseline}`")
    for row in report["results"]:
        size = f"{row['blocks']} x {row['H']} x {row['P']}"
        if row["status"] != "ok":
            time_text, ratio, peak = row["status"], "-", "-"
        else:
            time_text = f"{row['min_s']:.3f}"
            ratio = f"{row['speedup_vs_jax']:.2f}" if row.get("speedup_vs_jax") else "-"
            peak = f"{row['peak_rss_gib']:.2f}"
        jax = f"{row['jax_s']}" if row["jax_s"] else "-"
        jax_peak = f"{row['jax_peak_gib']}" if row["jax_peak_gib"] else "-"
        lines.append(
            f"| {row['name']} | {row['model']} | {row['scan']} | {size} | {row['batch']} | "
            f"{row['length']} | {row['mode']} | {time_text} | {jax} | {ratio} | {peak} | {jax_peak} |"
        )
        if baseline:
            before = f"{row['baseline_min_s']:.3f}" if row.get("baseline_status") == "ok" else row.get(
                "baseline_status", "-")
            speedup = f"{row['speedup_vs_baseline']:.2f}" if row.get("speedup_vs_baseline") else "-"
            lines[-1] += f" {before} | {speedup} |"
    lines.append("")
    return lines


def read_runs() -> dict:
    """Return the earlier runs in RESULTS by thread count (a single-run file counts as one)."""
    if not RESULTS.exists():
        return {}
    stored = json.loads(RESULTS.read_text())
    if "results" in stored:
        return {str(stored["threads"]): stored}
    return stored.get("runs", {})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="case names to run (default: all)")
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per row after one warm-up")
    parser.add_argument("--rounds", type=int, default=1,
                        help="fresh-process measurements per row; the best one is kept")
    parser.add_argument("--page-only", action="store_true", help="rewrite the page from the JSON file")
    parser.add_argument("--label", help="store the run under this section title instead of its thread count")
    parser.add_argument("--baseline", help="directory holding an older share_neuro package to time in the same run")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        request = json.loads(args.child)
        print(json.dumps(measure(**request)))
        return

    if args.page_only:
        write_page(read_runs())
        return

    cases = [case for case in CASES if not args.only or case[0] in args.only]
    jobs = [(case, mode) for case in cases for mode in case[4]]
    load_start = [round(x, 2) for x in os.getloadavg()]
    results = []
    for case, mode in tqdm(jobs, desc="model speed", unit="row"):
        # Long forward + backward rows get one timed run: they take seconds each and vary
        # less than short ones.
        short = case[3] * case[2] * case[1]["num_blocks"] < 200_000
        repeats = args.repeats if short or mode == "forward" else 1
        results.append(run_case(case, mode, repeats, args.threads, args.baseline, args.rounds))
        tqdm.write(json.dumps(results[-1]))

    report = {
        "command": shlex.join(["python", "benchmarks/model_speed.py", *sys.argv[1:]]),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine_description(),
        "threads": args.threads,
        "label": args.label,
        "baseline": args.baseline,
        "load_average_start": load_start,
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "results": results,
    }
    runs = read_runs()
    runs[args.label or str(args.threads)] = report
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"runs": runs}, indent=2) + "\n")
    write_page(runs)


if __name__ == "__main__":
    main()
