"""Fixed-point coefficients of one HRF population, with the stability checks.

The float coefficients come from `share_neuro.hrf.coefficients` (the one place the
discretisations are written). Here they are only scaled, rounded and checked:

- "imex" uses the shear form `u += rs(k_a v + k_i i)`, `v += rs(k_dt u)` with
  `k_a = q(m12) = q(-dt A)`, `k_i = q(g1) = q(dt)`, `k_dt = q(m21) = q(dt)`. Its
  matrix has determinant 1 for any integers, and its eigenvalues stay on the unit
  circle (no growth) while the quantised `dt**2 A = -k_a k_dt / 2**(2F)` is in [0, 4).
- "im" and "imex-damped" use the general form with all eight coefficients; the
  constants `c1`, `c2` carry the state scale too (`q(c * 2**state_frac_bits)`). The
  spectral radius of the quantised matrix must be below 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from share_neuro.conversion.errors import ConversionError
from share_neuro.conversion.quantize import INT32_MAX, quantize_coefficient
from share_neuro.hrf.coefficients import HrfCoefficients
from share_neuro.network.nodes import GENERAL_COEFFICIENTS, IMEX_COEFFICIENTS

MIN_COEF_FRAC_BITS = 14
MAX_COEF_FRAC_BITS = 24


@dataclass
class QuantizedHrf:
    """Integer coefficients of one population and the scales they were made with."""

    coefficients: dict  # name -> int32 (size,)
    coefficients_float: dict  # name -> float64 (size,), the values the integers approximate
    coef_frac_bits: int
    state_frac_bits: int
    spectral_radius: float  # largest |eigenvalue| of the quantised transition matrix


def float_coefficients(scheme: str, coefficients: HrfCoefficients, state_frac_bits: int) -> dict:
    """Return the float values of the network's coefficient names for `scheme`.

    The general form's constants are in state units, so they carry `2**state_frac_bits`.
    """
    values = {name: np.asarray(getattr(coefficients, name), dtype=np.float64) for name in HrfCoefficients._fields}

    if scheme == "imex":
        return {"k_a": values["m12"], "k_i": values["g1"], "k_dt": values["m21"]}

    result = {name: values[name] for name in GENERAL_COEFFICIENTS}
    result["c1"] = values["c1"] * 2.0**state_frac_bits
    result["c2"] = values["c2"] * 2.0**state_frac_bits
    return result


def quantized_spectral_radius(scheme: str, integers: dict, coef_frac_bits: int) -> np.ndarray:
    """Return each neuron's largest |eigenvalue| of the transition the integers implement."""
    scale = 2.0**-coef_frac_bits

    if scheme == "imex":
        k_a = integers["k_a"] * scale
        k_dt = integers["k_dt"] * scale
        matrix = np.stack([np.stack([np.ones_like(k_a), k_a], -1), np.stack([k_dt, 1.0 + k_dt * k_a], -1)], -2)
    else:
        rows = [[integers["m11"], integers["m12"]], [integers["m21"], integers["m22"]]]
        matrix = np.stack([np.stack([a * scale, b * scale], -1) for a, b in rows], -2)

    return np.max(np.abs(np.linalg.eigvals(matrix.astype(np.float64))), axis=-1)


def unstable_neurons(scheme: str, integers: dict, coef_frac_bits: int) -> np.ndarray:
    """Return the indices of neurons whose quantised update is not stable.

    For "imex" that is a quantised `dt**2 A` outside [0, 4); otherwise a spectral
    radius of 1 or more.
    """
    if scheme == "imex":
        dt2_a = -(integers["k_a"].astype(np.float64) * integers["k_dt"]) * 2.0 ** (-2 * coef_frac_bits)
        return np.flatnonzero((dt2_a < 0.0) | (dt2_a >= 4.0))

    radius = quantized_spectral_radius(scheme, integers, coef_frac_bits)
    return np.flatnonzero(radius >= 1.0)


def largest_state_frac_bits(scheme: str, coefficients: HrfCoefficients, coef_frac_bits: int) -> int:
    """Return the largest state_frac_bits for which `c1`, `c2` still fit int32 (30 for "imex")."""
    if scheme == "imex":
        return 30

    constant = max(float(np.max(np.abs(coefficients.c1))), float(np.max(np.abs(coefficients.c2))))
    if constant == 0.0:
        return 30
    return int(np.floor(np.log2(INT32_MAX / (constant * 2.0**coef_frac_bits)))) - 1


def quantize_hrf(
    name: str,
    scheme: str,
    coefficients: HrfCoefficients,
    state_frac_bits: int,
    coef_frac_bits: int = 16,
) -> QuantizedHrf:
    """Quantise one population's coefficients, raising the fraction bits until it is stable.

    Starts at `coef_frac_bits` (at least 14) and goes up to 24. `state_frac_bits` is
    lowered when the general form's constants would overflow int32. Raises
    ConversionError when no fraction width up to 24 bits gives a stable update.
    """
    coef_frac_bits = max(coef_frac_bits, MIN_COEF_FRAC_BITS)
    names = IMEX_COEFFICIENTS if scheme == "imex" else GENERAL_COEFFICIENTS
    bad = np.array([], dtype=np.int64)

    for frac_bits in range(coef_frac_bits, MAX_COEF_FRAC_BITS + 1):
        state_bits = min(state_frac_bits, largest_state_frac_bits(scheme, coefficients, frac_bits))
        values = float_coefficients(scheme, coefficients, state_bits)
        integers = {key: quantize_coefficient(values[key], frac_bits) for key in names}
        bad = unstable_neurons(scheme, integers, frac_bits)
        if bad.size == 0:
            radius = quantized_spectral_radius(scheme, integers, frac_bits)
            return QuantizedHrf(integers, values, frac_bits, state_bits, float(np.max(radius, initial=0.0)))

    neuron = int(bad[0])
    raise ConversionError(
        f"HRF population {name!r}: {bad.size} neuron(s) (first: {neuron}) have no stable fixed-point "
        f"update with up to {MAX_COEF_FRAC_BITS} coefficient fraction bits (m11={float(coefficients.m11[neuron]):.9g}, "
        f"m12={float(coefficients.m12[neuron]):.9g}, m21={float(coefficients.m21[neuron]):.9g}, "
        f"m22={float(coefficients.m22[neuron]):.9g}); retrain with larger dt or stiffness A for these neurons"
    )
