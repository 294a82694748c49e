"""Quantisation of weights, thresholds and HRF coefficients onto the network's integer grids.

Weights follow Lava's fixed-point `Dense` (lava-nc 0.10.0, `lava/proc/dense/models.py`
and `lava/utils/weightutils.py`): Lava clips a weight matrix to 8 bits plus sign and,
for mixed-sign matrices, clears the lowest bit, then drops `8 - num_weight_bits` more
low bits. A value passes through unchanged in every sign mode when it is a multiple of
`2**(9 - weight_bits)` with magnitude at most `256 - 2**(9 - weight_bits)`: for 8 bits
the even integers in [-254, 254]. (The contract's grid also allows -256, but Lava turns
-256 into -255 in a matrix without positive weights, so the converter never uses it.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import numpy as np

from share_neuro.fixedpoint.rounding import round_half_up

MIN_WEIGHT_BITS = 2
MAX_WEIGHT_BITS = 8
INT32_MAX = 2**31 - 1


def weight_grid(weight_bits: int) -> tuple:
    """Return (step, limit): weights are multiples of `step` with magnitude at most `limit`."""
    if not MIN_WEIGHT_BITS <= weight_bits <= MAX_WEIGHT_BITS:
        raise ValueError(f"weight_bits must be in {MIN_WEIGHT_BITS}..{MAX_WEIGHT_BITS}, got {weight_bits}")
    step = 2 ** (9 - weight_bits)
    return step, 256 - step


@dataclass
class QuantizedWeights:
    """A weight matrix on Lava's grid: `effective ~= weight * 2**weight_exp`."""

    weight: np.ndarray  # int16, multiples of the grid step
    weight_exp: int
    clipped: int  # weights whose magnitude exceeded the grid and were clipped
    zeroed: int  # non-zero float weights that rounded to 0
    max_error: float  # largest |effective - weight * 2**weight_exp|, in effective units


def choose_weight_exp(max_abs: float, limit: int) -> int:
    """Return the smallest exponent `e` with `max_abs / 2**e <= limit`."""
    exponent = math.ceil(math.log2(max_abs / limit))
    while max_abs / 2.0**exponent > limit:
        exponent += 1
    while max_abs / 2.0 ** (exponent - 1) <= limit:
        exponent -= 1
    return exponent


def quantize_weights(
    effective: np.ndarray,
    weight_bits: int = 8,
    exp_range: Optional[tuple] = None,
) -> QuantizedWeights:
    """Quantise `effective` (float, in target current units per source payload unit).

    The exponent is chosen from the largest magnitude, so nothing clips unless
    `exp_range` (min, max) forbids that exponent. In that case the clamped exponent is
    used, and the weights beyond the grid are clipped and counted.
    """
    effective = np.asarray(effective, dtype=np.float64)
    step, limit = weight_grid(weight_bits)
    max_abs = float(np.max(np.abs(effective))) if effective.size else 0.0

    if max_abs == 0.0:
        return QuantizedWeights(np.zeros(effective.shape, np.int16), 0, 0, 0, 0.0)

    if not np.isfinite(max_abs):
        raise ValueError("weights contain NaN or infinity")

    exponent = choose_weight_exp(max_abs, limit)
    if exp_range is not None:
        exponent = int(min(max(exponent, exp_range[0]), exp_range[1]))

    levels = round_half_up(effective / (2.0**exponent * step)) * step
    clipped = int(np.count_nonzero(np.abs(levels) > limit))
    levels = np.clip(levels, -limit, limit)
    zeroed = int(np.count_nonzero((levels == 0) & (effective != 0)))
    max_error = float(np.max(np.abs(effective - levels * 2.0**exponent)))

    return QuantizedWeights(levels.astype(np.int16), int(exponent), clipped, zeroed, max_error)


def frac_bits_for_range(max_abs: float, bits: int, *, headroom: float = 1.0, lowest: int = -16, highest: int = 30) -> int:
    """Return the largest F in [lowest, highest] with `max_abs * headroom * 2**F` inside signed `bits`.

    A `max_abs` of zero (a signal never seen) gives `highest`.
    """
    top = 2 ** (bits - 1) - 1
    if max_abs <= 0.0:
        return highest

    bits_available = math.floor(math.log2(top / (max_abs * headroom)))
    while max_abs * headroom * 2.0**bits_available > top:
        bits_available -= 1
    return int(min(max(bits_available, lowest), highest))


def quantize_threshold(threshold: np.ndarray, frac_bits: int) -> np.ndarray:
    """Return the int32 threshold for a strict comparison on a grid of `2**-frac_bits`.

    `v * 2**-F > theta` holds for an integer `v` exactly when `v > floor(theta * 2**F)`,
    so the floor keeps the float model's strict comparison on the integer grid.
    """
    scaled = np.floor(np.asarray(threshold, dtype=np.float64) * 2.0**frac_bits)
    return np.clip(scaled, -INT32_MAX, INT32_MAX).astype(np.int32)


def quantize_coefficient(value: np.ndarray, frac_bits: int) -> np.ndarray:
    """Return `round_half_up(value * 2**frac_bits)` as int32; raise when it overflows int32."""
    scaled = np.asarray(value, dtype=np.float64) * 2.0**frac_bits
    if np.any(np.abs(scaled) >= INT32_MAX):
        raise ValueError(f"a coefficient does not fit int32 with {frac_bits} fraction bits")
    return round_half_up(scaled).astype(np.int32)
