"""One fixed-point step of a population of harmonic resonate-and-fire (HRF) neurons.

`hrf_step` is a pure function over int64 arrays of shape (samples, neurons) or
(neurons,); the reference simulator and the Lava `fixed_pt` ProcessModel both call it,
so the two backends share one definition of the arithmetic. State: `u` (velocity) and
`v` (position), signed `state_bits`-bit integers. Coefficients carry `coef_frac_bits`
fraction bits, and `rs(a) = (a + 2**(F-1)) >> F` rounds half up.

- "imex": two integer shears, `u = sat(u + rs(k_a v + k_i i))`, then
  `v = sat(v + rs(k_dt u))` with the new `u`.
- "im" and "imex-damped": `u' = sat(rs(m11 u + m12 v + g1 i + c1))`,
  `v' = sat(rs(m21 u + m22 v + g2 i + c2))`, both from the old `u, v`.

A neuron spikes when its signal (`v` for "position", `u` for "velocity") is strictly
greater than its threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from share_neuro.fixedpoint.rounding import round_half_up_shift, saturate


@dataclass(frozen=True)
class HRFParams:
    """Per-population constants of the HRF update."""

    scheme: str  # "im", "imex" or "imex-damped"
    spike_on: str  # "position" (threshold v) or "velocity" (threshold u)
    threshold: np.ndarray  # int64 (neurons,), in state units
    state_bits: int = 24
    coef_frac_bits: int = 14


def hrf_step(u, v, current, coefficients: Mapping[str, np.ndarray], params: HRFParams):
    """Advance the HRF state by one step.

    Returns `(u, v, spikes, saturations)`: the new int64 state, the bool spikes and
    the number of state values clipped to `state_bits` in this step.
    """
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    current = np.asarray(current, dtype=np.int64)
    frac = params.coef_frac_bits

    def coefficient(name):
        return np.asarray(coefficients[name], dtype=np.int64)

    if params.scheme == "imex":
        u_new, clipped_u = saturate(
            u + round_half_up_shift(coefficient("k_a") * v + coefficient("k_i") * current, frac),
            params.state_bits,
        )
        # The second shear uses the updated velocity (symplectic Euler).
        v_new, clipped_v = saturate(v + round_half_up_shift(coefficient("k_dt") * u_new, frac), params.state_bits)
    elif params.scheme in ("im", "imex-damped"):
        u_sum = coefficient("m11") * u + coefficient("m12") * v + coefficient("g1") * current + coefficient("c1")
        v_sum = coefficient("m21") * u + coefficient("m22") * v + coefficient("g2") * current + coefficient("c2")
        u_new, clipped_u = saturate(round_half_up_shift(u_sum, frac), params.state_bits)
        v_new, clipped_v = saturate(round_half_up_shift(v_sum, frac), params.state_bits)
    else:
        raise ValueError(f"unknown HRF scheme {params.scheme!r}; expected 'im', 'imex' or 'imex-damped'")

    signal = v_new if params.spike_on == "position" else u_new
    spikes = signal > np.asarray(params.threshold, dtype=np.int64)
    return u_new, v_new, spikes, clipped_u + clipped_v
