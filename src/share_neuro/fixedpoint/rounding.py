"""Shifts, rounding, saturation and Lava's Dense weight grid, on int64 arrays.

The Dense rules follow lava-nc 0.10.0 (`lava/proc/dense/models.py`,
`lava/utils/weightutils.py`): weights are clipped to 8 bits of magnitude plus sign,
mixed-sign matrices lose their lowest bit, and the accumulated current is shifted by
`weight_exp` with an arithmetic (flooring) right shift for negative exponents.
"""

from __future__ import annotations

import numpy as np

# Even integers in [WEIGHT_MIN, WEIGHT_MAX] pass Lava's mixed-sign Dense unchanged.
WEIGHT_MIN = -256
WEIGHT_MAX = 254


def signed_range(bits: int) -> tuple[int, int]:
    """Return the (min, max) of a two's-complement integer with `bits` bits."""
    return -(1 << (bits - 1)), (1 << (bits - 1)) - 1


def round_half_up_shift(values, shift: int) -> np.ndarray:
    """Divide by 2**shift and round half up: `(a + 2**(shift-1)) >> shift`.

    Ties go towards +infinity, also for negative values (-2.5 -> -2).
    """
    values = np.asarray(values, dtype=np.int64)
    if shift <= 0:
        return values << np.int64(-shift)
    return (values + np.int64(1 << (shift - 1))) >> np.int64(shift)


def round_half_up(values) -> np.ndarray:
    """Round float64 values half up to int64: `floor(x + 0.5)`."""
    return np.floor(np.asarray(values, dtype=np.float64) + 0.5).astype(np.int64)


def saturate(values, bits: int) -> tuple[np.ndarray, int]:
    """Clip to the signed `bits`-bit range; return the clipped int64 array and how many values were clipped."""
    values = np.asarray(values, dtype=np.int64)
    low, high = signed_range(bits)
    clipped = np.clip(values, np.int64(low), np.int64(high))
    return clipped, int(np.count_nonzero(clipped != values))


def wrap_int32(values) -> tuple[np.ndarray, int]:
    """Reduce int64 values modulo 2**32 into int32's range (two's complement, as an int32 store does).

    Returns the wrapped values as int64 and how many values changed.
    """
    values = np.asarray(values, dtype=np.int64)
    wrapped = ((values + np.int64(1 << 31)) & np.int64(0xFFFFFFFF)) - np.int64(1 << 31)
    return wrapped, int(np.count_nonzero(wrapped != values))


def dense_shift(accumulated, weight_exp: int) -> np.ndarray:
    """Apply Lava Dense's `weight_exp`: `a << e` for e > 0, else the flooring `a >> -e`."""
    accumulated = np.asarray(accumulated, dtype=np.int64)
    if weight_exp > 0:
        return accumulated << np.int64(weight_exp)
    return accumulated >> np.int64(-weight_exp)


def quantize_weights(weights, weight_exp: int) -> np.ndarray:
    """Quantise float weights to the even integer grid: `w ~ q * 2**weight_exp`.

    Rounds `w / 2**weight_exp` half up to the nearest even integer and clips to
    [WEIGHT_MIN, WEIGHT_MAX]; returns int16.
    """
    scaled = np.asarray(weights, dtype=np.float64) / np.float64(2.0**weight_exp)
    even = round_half_up(scaled / 2.0) * 2
    return np.clip(even, WEIGHT_MIN, WEIGHT_MAX).astype(np.int16)


def lava_dense_weights(weights, sign_mode: str | None = None) -> np.ndarray:
    """Return the weights that Lava 0.10.0's bit-accurate Dense actually uses (8 weight bits).

    `sign_mode` is "mixed", "excitatory" or "inhibitory"; None picks it from the signs
    of the matrix, as Lava does when the Process gets no `sign_mode`. Note that an
    all-non-positive matrix is then "inhibitory" and -256 becomes -255, so a Lava
    backend should pass the mixed sign mode explicitly.
    """
    weights = np.asarray(weights, dtype=np.int64)
    if sign_mode is None:
        if weights.min() >= 0:
            sign_mode = "excitatory"
        elif weights.max() <= 0:
            sign_mode = "inhibitory"
        else:
            sign_mode = "mixed"

    if sign_mode == "mixed":
        clipped = np.clip(weights, -256, 255)
        return (clipped >> 1) << 1
    if sign_mode == "excitatory":
        return np.clip(weights, 0, 255)
    if sign_mode == "inhibitory":
        return -np.clip(-weights, 0, 255)
    raise ValueError(f"unknown sign_mode {sign_mode!r}; expected 'mixed', 'excitatory' or 'inhibitory'")
