"""Flush-to-zero for float32 subnormal numbers during the scan and surrogate gradients.

Decaying HRF states (scheme "im") and the Gaussian tails of the surrogate gradient
produce subnormal floats, and x86 CPUs compute on those far more slowly. On the 2-core
development CPU one step of the scan took 2.6 ms instead of 15 us, and the 2-block
EigenWorms-sized model spent most of its backward pass on them. XLA on CPU
flushes them by default; torch does not, so the hot spots enable it locally.

`torch.set_flush_denormal` sets the mode of the calling thread only, and torch's
intra-op worker threads copy the mode when they are created. So unless subnormals are
already flushed (call `torch.set_flush_denormal(True)` at program start, before any
parallel torch operation, to flush them everywhere), the block runs with one intra-op
thread, on the calling thread, whose mode was set.
"""

from __future__ import annotations

from contextlib import contextmanager

import torch

_SUBNORMAL = 1e-39  # below the smallest normal float32, 1.18e-38


def denormals_flushed() -> bool:
    """Return True when float32 subnormal inputs are currently treated as zero."""
    return (torch.tensor([_SUBNORMAL], dtype=torch.float32) * 1.0).item() == 0.0


@contextmanager
def flush_denormals():
    """Treat subnormal floats as zero inside the block and restore the previous mode after."""
    if denormals_flushed():
        yield
        return

    threads = torch.get_num_threads()
    torch.set_flush_denormal(True)
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
        torch.set_flush_denormal(False)
