"""Run a network on Lava in this (Lava) environment, for callers in another environment.

    python -m share_neuro_lava.worker NET.h5 INPUTS.npz OUT.npz --tag fixed_pt --target cpu

INPUTS.npz contains `X` (float, shape (samples, steps, channels)). OUT.npz receives the
Activity as written by `share_neuro.simulation.lava_bridge.save_activity`; it is
written to a temporary name first, so it exists only when the run succeeded.
Progress goes to stderr as lines `progress DONE TOTAL`. Errors caused by the input
print `Error: ...` and exit with code 2; SIGINT and SIGTERM stop the Lava runtime
and exit with code 130.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np
from share_neuro.errors import InputFileError, ShareNeuroError


def parse_arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m share_neuro_lava.worker", description=__doc__.split("\n\n")[0])
    parser.add_argument("network", help="network file (.h5) written by `share-neuro convert`")
    parser.add_argument("inputs", help=".npz file with array X of shape (samples, steps, channels)")
    parser.add_argument("output", help=".npz file to write the Activity to")
    parser.add_argument("--tag", choices=("fixed_pt", "floating_pt"), default="fixed_pt",
                        help="ProcessModel tag: bit-exact integer or float model")
    parser.add_argument("--target", choices=("cpu", "loihi2"), default="cpu", help="Lava run target")
    parser.add_argument("--lanes", type=int, default=4, help="samples simulated side by side (block-diagonal Dense)")
    parser.add_argument("--no-spikes", action="store_true", help="do not record spike trains")
    return parser.parse_args(argv)


def _load_inputs(path: str) -> np.ndarray:
    try:
        with np.load(path, allow_pickle=False) as data:
            return np.asarray(data["X"])
    except (OSError, ValueError, KeyError) as error:
        raise InputFileError(f"cannot read inputs from {path}: {error}; pass an .npz file with an array 'X'") from None


def main(argv=None) -> int:
    arguments = parse_arguments(argv)
    from share_neuro.network import load_network
    from share_neuro.simulation.lava_bridge import save_activity

    from share_neuro_lava.runner import run_network

    def progress(done, total):
        print(f"progress {done} {total}", file=sys.stderr, flush=True)

    try:
        network = load_network(arguments.network)
        X = _load_inputs(arguments.inputs)
        activity = run_network(network, X, tag=arguments.tag, record_spikes=not arguments.no_spikes,
                               target=arguments.target, lanes=arguments.lanes, progress=progress)
        partial = arguments.output + ".partial.npz"
        save_activity(activity, partial)
        os.replace(partial, arguments.output)
    except ShareNeuroError as error:
        print(f"Error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("Error: interrupted; the Lava runtime was stopped", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
