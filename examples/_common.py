"""Shared command-line handling of the example scripts: options, running the demo, and where results went."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from share_neuro.demo import DemoOptions, run_demo
from share_neuro.errors import ShareNeuroError

REPOSITORY = Path(__file__).resolve().parents[1]


def argument_parser(description: str, dataset: str, lava_samples: int = 20,
                    max_steps: int = None) -> argparse.ArgumentParser:
    """Return a parser with the options every example shares: --out, --lava-samples, --max-steps, --no-resume."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, default=REPOSITORY / "runs" / "examples" / dataset,
                        help="folder for the results (default: runs/examples/<dataset> in the repository)")
    parser.add_argument("--lava-samples", type=int, default=lava_samples,
                        help=f"test sequences run on Lava (default: {lava_samples})")
    default_steps = "the preset's" if max_steps is None else max_steps
    parser.add_argument("--max-steps", type=int, default=max_steps,
                        help=f"maximum optimiser steps; a small value gives a quick trial run (default: {default_steps})")
    parser.add_argument("--no-resume", action="store_true", help="start over instead of resuming a run in --out")
    return parser


def run(options: DemoOptions) -> int:
    """Run the demo with `options`; print where the results are, or the error. Return the exit status."""
    try:
        run_demo(options)
    except ShareNeuroError as error:
        print(f"Error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130

    print(f"\nResults are in {options.out}:")
    for name in ("report.md", "report.json", "model.pt", "network.h5", "training_curve.png", "spike_raster.png",
                 "energy_per_layer.png"):
        print(f"  {options.out / name}")
    return 0
