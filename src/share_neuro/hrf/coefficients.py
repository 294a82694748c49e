"""Per-neuron 2x2 transition and input gains of the discretised HRF neuron.

One neuron has velocity `u`, position `v`, stiffness `A = w**2 >= 0`, step `dt > 0`,
damping `G = 2 b >= 0` and input current `i_n`. Every scheme is written as

    u_n = m11 u_{n-1} + m12 v_{n-1} + g1 i_n + c1
    v_n = m21 u_{n-1} + m22 v_{n-1} + g2 i_n + c2

with `u_{-1} = v_{-1} = 0`. The formulas:

- "im" (implicit Euler, contracting: |eigenvalue|**2 = S <= 1), S = 1 / (1 + dt**2 A):
  M = [[S, -dt A S], [dt S, S]], g = M[:, 0] * dt, c = M @ [a1, a2].
  `a1`, `a2` are learned offsets added to the implicit-Euler right-hand side
  `[dt i_n + a1, a2]`, as in the SHaRe-SSM authors' code (kartikay24/HRF-SSM).
- "imex" (symplectic Euler, det M = 1, |eigenvalue| = 1 while dt**2 A <= 4):
  u_n = u_{n-1} + dt (-A v_{n-1} + i_n), v_n = v_{n-1} + dt u_n, so
  M = [[1, -dt A], [dt, 1 - dt**2 A]], g = [dt, dt**2], c = 0.
- "imex-damped" (damping implicit, restoring force explicit, as in D-LinOSS),
  S_G = 1 / (1 + dt G):
  M = [[S_G, -dt A S_G], [dt S_G, (1 + dt G - dt**2 A) S_G]], g = [dt S_G, dt**2 S_G],
  c = 0. Then det M = S_G and the eigenvalues are complex with |eigenvalue|**2 = S_G
  exactly when dt**2 A lies strictly inside
  [dt G + 2 - 2 sqrt(dt G + 1), dt G + 2 + 2 sqrt(dt G + 1)],
  which follows from trace(M)**2 < 4 det(M).

`stable_stiffness` clamps A into the stable band before the matrix is formed: for
"imex" into [0, 4 / dt**2] (the clamp is inactive for dt <= 1 and A <= 4, which covers
the initialisation), for "imex-damped" into the band above (at its edges the double
eigenvalue sqrt(S_G) is still below 1), and for "im" only to A >= 0.

Arguments may be numpy arrays, numpy scalars, Python floats or torch tensors: the
formulas use arithmetic operators, and `xp` (numpy or torch, inferred from `A` when
omitted) supplies `sqrt`, `minimum`, `maximum` and `zeros_like`. On torch tensors the
result is differentiable with respect to every argument.
"""

from __future__ import annotations

import sys
from typing import Any, NamedTuple

import numpy as np

SCHEMES = ("im", "imex", "imex-damped")


class HrfCoefficients(NamedTuple):
    """Transition entries, input gains and constant terms of one HRF population."""

    m11: Any
    m12: Any
    m21: Any
    m22: Any
    g1: Any
    g2: Any
    c1: Any
    c2: Any


def array_namespace(value: Any):
    """Return the torch module for a torch tensor and numpy for anything else."""
    if type(value).__module__.split(".")[0] == "torch":
        return sys.modules["torch"]
    return np


def check_scheme(scheme: str) -> None:
    """Raise ValueError unless `scheme` is one of SCHEMES."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown HRF scheme {scheme!r}: use one of {', '.join(SCHEMES)}")


def damped_stiffness_band(dt, G, xp=None):
    """Return (low, high), the range of A for which damped IMEX has complex eigenvalues."""
    xp = xp or array_namespace(dt)
    root = 2.0 * xp.sqrt(dt * G + 1.0)
    low = (dt * G + 2.0 - root) / (dt * dt)
    high = (dt * G + 2.0 + root) / (dt * dt)
    return low, high


def stable_stiffness(scheme: str, A, dt, G=None, xp=None):
    """Clamp the stiffness A into the stability band of `scheme` (see the module doc)."""
    check_scheme(scheme)
    xp = xp or array_namespace(A)
    zero = xp.zeros_like(A)

    if scheme == "im":
        return xp.maximum(A, zero)

    if scheme == "imex":
        return xp.minimum(xp.maximum(A, zero), 4.0 / (dt * dt) + zero)

    low, high = damped_stiffness_band(dt, G, xp)
    return xp.minimum(xp.maximum(A, low + zero), high + zero)


def hrf_coefficients(scheme: str, A, dt, G=None, a1=None, a2=None, xp=None) -> HrfCoefficients:
    """Return the coefficients of `scheme` for stiffness A, step dt, damping G, offsets a1, a2.

    A is clamped with `stable_stiffness` first. G is required for "imex-damped" and
    ignored otherwise. a1 and a2 apply to "im" only and default to zero.
    """
    check_scheme(scheme)
    xp = xp or array_namespace(A)

    if scheme == "imex-damped" and G is None:
        raise ValueError("scheme 'imex-damped' needs the damping G")

    A = stable_stiffness(scheme, A, dt, G, xp)
    zero = xp.zeros_like(A)

    if scheme == "im":
        S = 1.0 / (1.0 + dt * dt * A)
        m11, m12, m21, m22 = S + zero, -dt * A * S, dt * S + zero, S + zero
        a1 = zero if a1 is None else a1
        a2 = zero if a2 is None else a2
        return HrfCoefficients(
            m11, m12, m21, m22,
            g1=m11 * dt, g2=m21 * dt,
            c1=m11 * a1 + m12 * a2, c2=m21 * a1 + m22 * a2,
        )

    if scheme == "imex":
        return HrfCoefficients(
            1.0 + zero, -dt * A, dt + zero, 1.0 - dt * dt * A,
            g1=dt + zero, g2=dt * dt + zero, c1=zero, c2=zero,
        )

    S = 1.0 / (1.0 + dt * G)
    return HrfCoefficients(
        S + zero, -dt * A * S, dt * S + zero, (1.0 + dt * G - dt * dt * A) * S,
        g1=dt * S + zero, g2=dt * dt * S + zero, c1=zero, c2=zero,
    )


def transition_eigenvalues(coefficients: HrfCoefficients) -> np.ndarray:
    """Return the two eigenvalues of each neuron's matrix M as a complex numpy array (n, 2)."""
    c = coefficients
    m = np.stack(
        [np.stack([np.asarray(c.m11), np.asarray(c.m12)], -1),
         np.stack([np.asarray(c.m21), np.asarray(c.m22)], -1)], -2
    ).reshape(-1, 2, 2)
    return np.linalg.eigvals(m.astype(np.float64))
