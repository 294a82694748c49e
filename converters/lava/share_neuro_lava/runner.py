"""Run a deployable network on Lava's CPU runtime and collect an `Activity`.

Samples run in rounds of `lanes` samples side by side (see `schedule.py`). The
runner reads the recording Vars every `rounds_per_chunk` rounds, so the record
buffers stay small, and always stops the runtime in `finally`, also on an exception,
Ctrl-C (SIGINT) or SIGTERM, so that no Lava process or shared-memory segment outlives
the run.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import threading
from typing import Callable, Optional

import numpy as np
from share_neuro.errors import EnvironmentSetupError
from share_neuro.network.nodes import Network
from share_neuro.network.validate import validate_network
from share_neuro.simulation.activity import Activity
from share_neuro.simulation.reference import check_inputs

from share_neuro_lava.builder import TAGS, arrange_inputs, build_network, encode_inputs, make_schedule
from share_neuro_lava.outputs import activity_from_records
from share_neuro_lava.schedule import unpack_bits

TARGETS = ("cpu", "loihi2")


class RunInterrupted(KeyboardInterrupt):
    """SIGTERM turned into an exception, so that `finally` blocks stop the runtime."""


def run_config(tag: str, target: str):
    """Return the Lava RunConfig for `tag` on `target` ("cpu" or "loihi2")."""
    if tag not in TAGS:
        raise ValueError(f"unknown Lava tag {tag!r}; expected one of {TAGS}")
    if target == "cpu":
        from lava.magma.core.run_configs import Loihi2SimCfg

        return Loihi2SimCfg(select_tag=tag)
    if target == "loihi2":
        try:
            import lava.magma.compiler.subcompilers.nc  # noqa: F401  (part of Intel's lava-loihi)
        except ImportError:
            raise EnvironmentSetupError(
                "target 'loihi2' needs Intel's lava-loihi package and access to Loihi 2 hardware, "
                "and neither is installed here; run with --target cpu. Note that the HRF neuron also "
                "needs a microcode implementation on the chip, which this toolkit does not provide."
            ) from None
        from lava.magma.core.run_configs import Loihi2HwCfg

        return Loihi2HwCfg(select_tag=tag)
    raise ValueError(f"unknown Lava target {target!r}; expected one of {TARGETS}")


@contextlib.contextmanager
def _sigterm_raises():
    """Turn SIGTERM into RunInterrupted while the block runs (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise RunInterrupted(f"received signal {signum}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _signals_deferred_in_children():
    """Defer SIGINT and SIGTERM while Lava forks its processes, which keep the deferring handler.

    A Ctrl-C in a terminal reaches the whole process group, and a Lava process that
    dies on it leaves `stop()` waiting forever. Signal handlers survive fork (a
    signal mask would not, because Lava forks from other threads), so the Lava
    processes record and otherwise ignore these signals, and only this process acts
    on them. A signal received here meanwhile is raised once the block ends.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    received = []

    def record(signum, frame):
        received.append(signum)

    previous = {number: signal.signal(number, record) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    if received:
        raise RunInterrupted(f"received signal {received[0]} while starting the Lava runtime")


def _stop(built, children_before: set) -> None:
    """Stop the runtime, then end any process that this run started and that is still alive.

    When a Lava process has died (killed from outside), the runtime's stop handshake
    would wait for it forever, so only the shared memory is released.
    """
    children = [child for child in multiprocessing.active_children() if child.pid not in children_before]
    runtime = built.source.runtime
    try:
        if runtime is not None and any(child.exitcode is not None for child in children):
            # NOTE: private Lava 0.10.0 attribute; it releases the /dev/shm segments.
            runtime._messaging_infrastructure.stop()
        else:
            built.source.stop()
    finally:
        # Lava's SystemProcess.join takes no timeout, hence multiprocessing.Process.join.
        for child in multiprocessing.active_children():
            if child.pid in children_before:
                continue
            multiprocessing.Process.join(child, timeout=5)
            if child.is_alive():
                child.kill()
                multiprocessing.Process.join(child, timeout=5)


def run_network(network: Network, X: np.ndarray, *, tag: str = "fixed_pt", record_spikes: bool = True,
                target: str = "cpu", lanes: int = 1, rounds_per_chunk: int = 8,
                progress: Optional[Callable[[int, int], None]] = None) -> Activity:
    """Simulate every sample of `X` (float, shape (N, L, C)) on Lava and return its Activity.

    `progress(done, total)` is called after every chunk with sample counts.
    """
    validate_network(network)
    X = check_inputs(network, X)
    if lanes < 1 or rounds_per_chunk < 1:
        raise ValueError(f"lanes and rounds_per_chunk must be at least 1, got {lanes} and {rounds_per_chunk}")
    samples, length, _ = X.shape
    rounds = -(-samples // lanes)
    rounds_per_chunk = max(1, min(rounds_per_chunk, rounds))

    schedule = make_schedule(network, samples, length, lanes=lanes, rounds_per_chunk=rounds_per_chunk)
    payloads = arrange_inputs(encode_inputs(network, X, tag), lanes)
    built = build_network(network, payloads, schedule, tag=tag, record_spikes=record_spikes)
    config = run_config(tag, target)
    records = {"spikes": {name: [] for name in built.populations}, "readout": []}

    from lava.magma.core.run_conditions import RunSteps

    children_before = {child.pid for child in multiprocessing.active_children()}
    with _sigterm_raises():
        try:
            with _signals_deferred_in_children():
                built.source.create_runtime(run_cfg=config)

            for first_round in range(0, rounds, rounds_per_chunk):
                chunk_rounds = min(rounds_per_chunk, rounds - first_round)
                built.source.run(condition=RunSteps(num_steps=chunk_rounds * schedule.period))
                _read_chunk(built, chunk_rounds, record_spikes, records)
                if progress is not None:
                    progress(min(samples, (first_round + chunk_rounds) * lanes), samples)

            counts = {name: process.spike_count.get() for name, process in built.populations.items()}
            saturations = {name: int(process.saturations.get()[0])
                           for name, process in built.populations.items() if hasattr(process, "saturations")}
        finally:
            _stop(built, children_before)

    input_nonzero = np.count_nonzero(encode_inputs(network, X, "fixed_pt"), axis=(0, 1))
    return activity_from_records(network, schedule, samples, length, tag, records, counts, saturations,
                                 input_nonzero)


def _read_chunk(built, chunk_rounds: int, record_spikes: bool, records: dict) -> None:
    """Append this chunk's spikes (rounds, steps, lanes * size) and readout rows to `records`."""
    schedule = built.schedule
    if record_spikes:
        for name, process in built.populations.items():
            words = process.spike_record.get()[: chunk_rounds * schedule.steps]
            bits = unpack_bits(words, process.s_out.shape[0])
            records["spikes"][name].append(bits.reshape(chunk_rounds, schedule.steps, -1))

    rows = built.readout.proc_params["rows_per_round"]
    values = built.readout.record.get()[: chunk_rounds * rows]
    records["readout"].append(values.reshape(chunk_rounds, rows, -1))
