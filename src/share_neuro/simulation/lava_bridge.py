"""Run a network on Lava from any environment.

Lava (lava-nc 0.10.0) installs only on Python 3.10, so the main environment runs it
in the Lava environment's interpreter: `run_lava` writes the inputs to a temporary
.npz, starts `python -m share_neuro_lava.worker`, shows its progress and reads the
Activity back. Where `import lava` works in the current interpreter it runs in this
process instead.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Optional

import numpy as np

from share_neuro.errors import EnvironmentSetupError, InputFileError, ShareNeuroError
from share_neuro.simulation.activity import Activity

LAVA_PYTHON_VARIABLE = "SHARE_NEURO_LAVA_PYTHON"
DICT_FIELDS = ("spikes", "spike_counts", "neuron_updates", "synaptic_events", "graded_events",
               "saturations", "current_overflows")
# Seconds the worker gets to stop its Lava runtime after SIGINT before it is killed.
STOP_TIMEOUT = 30


def default_lava_python() -> Path:
    """Return `<repository>/.venv-lava/bin/python` for a source checkout."""
    return Path(__file__).resolve().parents[3] / ".venv-lava" / "bin" / "python"


def lava_importable() -> bool:
    return importlib.util.find_spec("lava") is not None and importlib.util.find_spec("share_neuro_lava") is not None


def find_lava_python(lava_python: Optional[str] = None) -> Path:
    """Return the Lava environment's interpreter: the argument, $SHARE_NEURO_LAVA_PYTHON, or the default."""
    candidates = [(lava_python, "the lava_python argument"),
                  (os.environ.get(LAVA_PYTHON_VARIABLE), f"${LAVA_PYTHON_VARIABLE}"),
                  (str(default_lava_python()), "the default location")]
    for value, origin in candidates:
        if not value:
            continue
        path = Path(value)
        if path.is_file() and os.access(path, os.X_OK):
            return path
        if origin != "the default location":
            raise EnvironmentSetupError(
                f"the Lava Python {value} (from {origin}) does not exist or is not executable; "
                "run `make env` or `bash scripts/setup_envs.sh lava`, or point it at .venv-lava/bin/python")
    raise EnvironmentSetupError(
        f"the Lava environment was not found at {default_lava_python()} and ${LAVA_PYTHON_VARIABLE} is not set; "
        "run `make env` or `bash scripts/setup_envs.sh lava` to create it")


def save_activity(activity: Activity, path) -> None:
    """Write an Activity to an .npz file (no pickles): scalars, arrays and `field/name` entries."""
    arrays = {"samples": np.int64(activity.samples), "steps": np.int64(activity.steps),
              "length": np.int64(activity.length), "outputs": activity.outputs}
    if activity.predictions is not None:
        arrays["predictions"] = activity.predictions
    for field in DICT_FIELDS:
        for name, value in getattr(activity, field).items():
            arrays[f"{field}/{name}"] = np.asarray(value)
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)


def load_activity(path) -> Activity:
    """Read an Activity written by `save_activity`."""
    with np.load(path, allow_pickle=False) as data:
        activity = Activity(samples=int(data["samples"]), steps=int(data["steps"]), length=int(data["length"]),
                            outputs=data["outputs"],
                            predictions=data["predictions"] if "predictions" in data.files else None)
        for key in data.files:
            field, _, name = key.partition("/")
            if name and field in DICT_FIELDS:
                value = data[key]
                getattr(activity, field)[name] = value if field in ("spikes", "spike_counts") else int(value)
    return activity


def run_lava(network_path, X, *, tag: str = "fixed_pt", record_spikes: bool = True, target: str = "cpu",
             lanes: int = 4, lava_python: Optional[str] = None, progress: bool = True) -> Activity:
    """Simulate the network file on Lava for inputs X (float, (samples, steps, channels)).

    Runs in this process when Lava is importable, else in the Lava environment's
    interpreter. Raises EnvironmentSetupError when neither is available, and the
    worker's ShareNeuroError message when the run fails on bad input.
    """
    network_path = Path(network_path)
    if not network_path.is_file():
        raise InputFileError(f"network file {network_path} not found; write one with `share-neuro convert`")

    if lava_python is None and lava_importable():
        return _run_in_process(network_path, X, tag, record_spikes, target, lanes, progress)

    python = find_lava_python(lava_python)
    print(f"Running Lava in a separate environment: {python}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="share-neuro-lava-") as folder:
        inputs = Path(folder) / "inputs.npz"
        output = Path(folder) / "activity.npz"
        np.savez(inputs, X=np.asarray(X))
        command = [str(python), "-m", "share_neuro_lava.worker", str(network_path), str(inputs), str(output),
                   "--tag", tag, "--target", target, "--lanes", str(lanes)]
        if not record_spikes:
            command.append("--no-spikes")
        _run_worker(command, progress)
        return load_activity(output)


def _run_in_process(network_path, X, tag, record_spikes, target, lanes, progress) -> Activity:
    from tqdm import tqdm

    from share_neuro.network import load_network
    from share_neuro_lava.runner import run_network

    network = load_network(network_path)
    with tqdm(total=len(X), unit="sample", desc=f"Lava {tag}", disable=not progress) as bar:
        def report(done, total):
            bar.update(done - bar.n)

        return run_network(network, X, tag=tag, record_spikes=record_spikes, target=target, lanes=lanes,
                           progress=report)


def _run_worker(command: list, progress: bool) -> None:
    """Run the worker, show its progress and raise its error; stop it on Ctrl-C."""
    from tqdm import tqdm

    # A session of its own keeps a terminal's Ctrl-C away from the worker's Lava
    # processes; this process forwards SIGINT to the worker alone.
    worker = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              start_new_session=True)
    messages = []
    bar = None
    try:
        for line in worker.stderr:
            parts = line.split()
            if len(parts) == 3 and parts[0] == "progress":
                if bar is None:
                    bar = tqdm(total=int(parts[2]), unit="sample", desc="Lava", disable=not progress)
                bar.update(int(parts[1]) - bar.n)
            else:
                messages.append(line.rstrip("\n"))
        worker.wait()
    except BaseException:
        _stop_worker(worker)
        raise
    finally:
        if bar is not None:
            bar.close()
        worker.stderr.close()

    if worker.returncode != 0:
        errors = [message[len("Error: "):] for message in messages if message.startswith("Error: ")]
        if worker.returncode == ShareNeuroError.exit_code and errors:
            raise ShareNeuroError(errors[-1])
        tail = "\n".join(messages[-20:])
        raise RuntimeError(f"the Lava worker failed with exit code {worker.returncode}:\n{tail}")


def _stop_worker(worker: subprocess.Popen) -> None:
    """Ask the worker to stop its Lava runtime (SIGINT), and kill it if it does not exit in time."""
    if worker.poll() is not None:
        return
    worker.send_signal(signal.SIGINT)
    try:
        worker.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
