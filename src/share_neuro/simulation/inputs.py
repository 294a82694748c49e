"""Host-side input preparation: the payloads that the input node sends.

The reference simulator, the Lava backend (both tags) and the converter's saturation
count all call these functions, so they cannot disagree on the input.
"""

from __future__ import annotations

import numpy as np

from share_neuro.fixedpoint.rounding import round_half_up, saturate
from share_neuro.network.nodes import InputNode


def with_time_channel(node: InputNode, X) -> np.ndarray:
    """Return raw X (samples, length, data channels) as float64, with `t / L` appended when the node has a time channel.

    `t / L` is computed in float64 for t = 0 .. L-1 and L = X.shape[1], like
    `share_neuro.model.readout.append_time_channel` (which uses the input's dtype).
    """
    X = np.asarray(X, dtype=np.float64)
    if not node.time_channel:
        return X
    samples, length, _ = X.shape
    time = np.arange(length, dtype=np.float64) / np.float64(length)
    return np.concatenate([X, np.broadcast_to(time[None, :, None], (samples, length, 1))], axis=-1)


def normalize_input(node: InputNode, X) -> np.ndarray:
    """Return `(x - mean) / std` in float64 (samples, length, size) for raw X, time channel included.

    The time channel has mean 0 and std 1, so it passes unchanged: the model appends
    it after normalising the data channels.
    """
    return (with_time_channel(node, X) - node.mean.astype(np.float64)) / node.std.astype(np.float64)


def quantize_input_counted(node: InputNode, X) -> tuple:
    """Return (int64 payloads, number of clipped values) of `saturate(round_half_up(normalised * 2**frac_bits), bits)`."""
    scaled = round_half_up(normalize_input(node, X) * np.float64(2.0**node.frac_bits))
    return saturate(scaled, node.bits)


def quantize_input(node: InputNode, X) -> np.ndarray:
    """Return the int64 graded payloads (samples, length, size) of raw X."""
    return quantize_input_counted(node, X)[0]
