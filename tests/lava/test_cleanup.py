"""Every Lava run stops its runtime: no child process and no /dev/shm segment survives it."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from share_neuro.network import save_network

from share_neuro_lava.runner import run_network
from share_neuro_lava.synthetic import random_inputs, random_network


def child_pids(pid: int) -> set:
    children = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.add(int(entry))
    return children


def shared_memory_of(pids) -> set:
    """Names of /dev/shm files that the processes map (Lava's channels)."""
    names = set()
    for pid in pids:
        try:
            with open(f"/proc/{pid}/maps") as handle:
                names.update(line.split()[-1] for line in handle if "/dev/shm/" in line)
        except OSError:
            continue
    return names


def wait_until_gone(pids, segments, timeout=15.0):
    """Return (processes still alive, segments still present) after waiting up to `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        alive = {pid for pid in pids if os.path.exists(f"/proc/{pid}") and _not_zombie(pid)}
        present = {name for name in segments if os.path.exists(name)}
        if (not alive and not present) or time.monotonic() > deadline:
            return alive, present
        time.sleep(0.2)


def _not_zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Abort(Exception):
    pass


def test_exception_mid_run_stops_runtime():
    network = random_network(11)
    X = random_inputs(11, network, 6, 10)
    seen = {}

    def fail_after_first_chunk(done, total):
        seen["children"] = child_pids(os.getpid())
        seen["segments"] = shared_memory_of(seen["children"])
        raise Abort()

    with pytest.raises(Abort):
        run_network(network, X, rounds_per_chunk=2, progress=fail_after_first_chunk)

    # multiprocessing's resource tracker serves this interpreter until it exits and
    # is reused by the next run, so it is not one of the run's processes.
    from multiprocessing import resource_tracker

    seen["children"].discard(resource_tracker._resource_tracker._pid)

    assert seen["children"], "the Lava runtime started no processes"
    assert seen["segments"], "the Lava processes mapped no shared memory"
    alive, present = wait_until_gone(seen["children"], seen["segments"])
    assert not alive
    assert not present


def test_sigint_to_worker_stops_runtime(tmp_path):
    network = random_network(12)
    network_path = tmp_path / "net.h5"
    save_network(network, network_path)
    np.savez(tmp_path / "inputs.npz", X=random_inputs(12, network, 400, 30))
    output = tmp_path / "out.npz"
    shm_before = set(os.listdir("/dev/shm"))

    worker = subprocess.Popen([sys.executable, "-m", "share_neuro_lava.worker", str(network_path),
                               str(tmp_path / "inputs.npz"), str(output)],
                              stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        for line in worker.stderr:
            if line.startswith("progress"):
                break
        children = child_pids(worker.pid)
        segments = shared_memory_of(children)
        # As a terminal's Ctrl-C does: the signal reaches the whole process group.
        os.killpg(worker.pid, signal.SIGINT)
        returncode = worker.wait(timeout=60)
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.stderr.close()

    assert returncode == 130
    assert not output.exists()
    assert children and segments
    alive, present = wait_until_gone(children, segments)
    assert not alive
    assert not present
    # Other programs may create segments meanwhile; none of this run's may remain.
    assert not (set(os.listdir("/dev/shm")) - shm_before) & {os.path.basename(name) for name in segments}
