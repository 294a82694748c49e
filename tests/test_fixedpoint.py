"""Hand-computed cases for the integer helpers and the HRF update, and long-run stability."""

import numpy as np
import pytest

from share_neuro.fixedpoint.hrf_update import HRFParams, hrf_step
from share_neuro.fixedpoint.rounding import (
    dense_shift,
    lava_dense_weights,
    quantize_weights,
    round_half_up,
    round_half_up_shift,
    saturate,
    wrap_int32,
)
from share_neuro.network.synthetic import hrf_coefficients


def test_round_half_up_shift_ties_go_up():
    values = np.array([6, 5, 4, 2, -2, -4, -5, -6, -7], dtype=np.int64)
    # Divided by 4: 1.5, 1.25, 1, 0.5, -0.5, -1, -1.25, -1.5, -1.75.
    assert round_half_up_shift(values, 2).tolist() == [2, 1, 1, 1, 0, -1, -1, -1, -2]


def test_round_half_up_shift_zero_shift_is_identity():
    assert round_half_up_shift(np.array([-3, 0, 3]), 0).tolist() == [-3, 0, 3]


def test_round_half_up_floats():
    assert round_half_up([2.5, -2.5, -0.5, 0.49, -1.51]).tolist() == [3, -2, 0, 0, -2]
    assert round_half_up([1.0]).dtype == np.int64


def test_saturate_counts_clipped_values():
    clipped, count = saturate(np.array([-9, -8, 0, 7, 8, 100]), 4)
    assert clipped.tolist() == [-8, -8, 0, 7, 7, 7]
    assert count == 3


def test_wrap_int32_is_twos_complement():
    wrapped, count = wrap_int32(np.array([2**31 - 1, 2**31, -(2**31), -(2**31) - 1, 2**32 + 5]))
    assert wrapped.tolist() == [2**31 - 1, -(2**31), -(2**31), 2**31 - 1, 5]
    assert count == 3


def test_dense_shift_positive_exponent():
    assert dense_shift(np.array([3, -3]), 2).tolist() == [12, -12]


def test_dense_shift_negative_exponent_floors():
    # -5 / 4 = -1.25 floors to -2; 5 / 4 floors to 1; -4 / 4 = -1 exactly.
    assert dense_shift(np.array([5, -5, -4, -1, 0]), -2).tolist() == [1, -2, -1, -1, 0]


def test_quantize_weights_to_even_grid():
    weights = np.array([0.9, 1.0, 3.0, -3.0, -1.1, 1000.0, -1000.0]) * 2.0**-3
    quantised = quantize_weights(weights, -3)
    # w / 2**-3 = 0.9, 1, 3, -3, -1.1, 1000, -1000; nearest even, ties up, clipped.
    assert quantised.tolist() == [0, 2, 4, -2, -2, 254, -256]
    assert quantised.dtype == np.int16


def test_lava_weight_grid_mixed_keeps_even_weights():
    even = np.arange(-256, 255, 2)
    assert np.array_equal(lava_dense_weights(even, "mixed"), even)
    assert lava_dense_weights(np.array([3, -3, 255, -256]), "mixed").tolist() == [2, -4, 254, -256]


def test_lava_weight_grid_inhibitory_clips_minus_256():
    assert lava_dense_weights(np.array([[-256, -2], [0, -4]])).tolist() == [[-255, -2], [0, -4]]
    assert lava_dense_weights(np.array([[255, 3]])).tolist() == [[255, 3]]


# Two neurons, coef_frac_bits 12 (1.0 = 4096), computed by hand step by step.
IMEX_COEFFICIENTS = {"k_a": np.array([-1024, -2048]), "k_i": np.array([2048, 4096]), "k_dt": np.array([4096, 2048])}
IMEX_CURRENTS = [[10, 7], [0, 7], [-3, 0]]
IMEX_EXPECTED = [  # (u, v, spikes) after each step
    ([5, 7], [5, 4], [True, False]),
    ([4, 12], [9, 10], [True, True]),
    ([0, 7], [9, 14], [True, True]),
]

IM_COEFFICIENTS = {
    "m11": np.array([2048, 3072]), "m12": np.array([-1024, 0]), "m21": np.array([1024, 0]), "m22": np.array([2048, 3072]),
    "g1": np.array([4096, -4096]), "g2": np.array([0, 4096]), "c1": np.array([0, -2048]), "c2": np.array([2048, 0]),
}
IM_CURRENTS = [[8, 5], [0, -3], [0, 1]]
IM_EXPECTED = [
    ([8, -5], [1, 5], [True, False]),
    ([4, -1], [3, 1], [True, False]),
    ([1, -2], [3, 2], [False, False]),
]


@pytest.mark.parametrize(
    "scheme, spike_on, threshold, coefficients, currents, expected",
    [
        ("imex", "position", [4, 5], IMEX_COEFFICIENTS, IMEX_CURRENTS, IMEX_EXPECTED),
        ("im", "velocity", [2, 0], IM_COEFFICIENTS, IM_CURRENTS, IM_EXPECTED),
    ],
)
def test_hrf_step_hand_computed(scheme, spike_on, threshold, coefficients, currents, expected):
    params = HRFParams(scheme, spike_on, np.array(threshold), state_bits=24, coef_frac_bits=12)
    u = np.zeros(2, dtype=np.int64)
    v = np.zeros(2, dtype=np.int64)
    for step, current in enumerate(currents):
        u, v, spikes, clipped = hrf_step(u, v, np.array(current), coefficients, params)
        assert u.tolist() == expected[step][0], f"u after step {step + 1}"
        assert v.tolist() == expected[step][1], f"v after step {step + 1}"
        assert spikes.tolist() == expected[step][2], f"spikes after step {step + 1}"
        assert clipped == 0


def test_hrf_step_saturates_state():
    params = HRFParams("imex", "position", np.array([0]), state_bits=4, coef_frac_bits=12)
    coefficients = {"k_a": np.array([0]), "k_i": np.array([4096]), "k_dt": np.array([4096])}
    u, v, _, clipped = hrf_step(np.array([6]), np.array([5]), np.array([5]), coefficients, params)
    # u = 6 + 5 = 11 clips to 7; v = 5 + 7 = 12 clips to 7.
    assert (u.tolist(), v.tolist(), clipped) == ([7], [7], 2)


def test_hrf_step_vectorised_over_samples():
    params = HRFParams("imex", "position", np.array([4, 5]), state_bits=24, coef_frac_bits=12)
    u = np.zeros((3, 2), dtype=np.int64)
    v = np.zeros((3, 2), dtype=np.int64)
    currents = np.array([IMEX_CURRENTS[0], [0, 0], IMEX_CURRENTS[0]])
    u, v, spikes, _ = hrf_step(u, v, currents, IMEX_COEFFICIENTS, params)
    assert u.tolist() == [[5, 7], [0, 0], [5, 7]]
    assert spikes.shape == (3, 2)


STEPS = 50_000
FRAC_BITS = 14


def _random_parameters(seed, count, max_dt2a):
    rng = np.random.default_rng(seed)
    dt = rng.uniform(0.01, 1.0, size=4 * count)
    A = rng.uniform(0.05, 2.0, size=4 * count)
    keep = dt * dt * A <= max_dt2a
    return dt[keep][:count], A[keep][:count]


def test_imex_oscillator_energy_stays_bounded():
    dt, A = _random_parameters(11, 200, 3.5)
    coefficients = hrf_coefficients("imex", dt, A, FRAC_BITS)
    params = HRFParams("imex", "position", np.full(dt.size, 2**23 - 1), state_bits=24, coef_frac_bits=FRAC_BITS)

    # The quantised map is M = [[1, a], [h, 1 + h a]] with det 1; x^T J M x (J the
    # symplectic unit) is its exact invariant, h u^2 + h a u v - a v^2.
    a = coefficients["k_a"].astype(np.float64) / 2**FRAC_BITS
    h = coefficients["k_dt"].astype(np.float64) / 2**FRAC_BITS

    def energy(u, v):
        return h * u * u + h * a * u * v - a * v * v

    rng = np.random.default_rng(12)
    u = rng.integers(-(2**16), 2**16, size=dt.size).astype(np.int64)
    v = rng.integers(-(2**16), 2**16, size=dt.size).astype(np.int64)
    initial = energy(u.astype(np.float64), v.astype(np.float64))
    highest = initial.copy()
    lowest = initial.copy()
    zero = np.zeros(dt.size, dtype=np.int64)
    saturations = 0
    for _ in range(STEPS):
        u, v, _, clipped = hrf_step(u, v, zero, coefficients, params)
        saturations += clipped
        current = energy(u.astype(np.float64), v.astype(np.float64))
        np.maximum(highest, current, out=highest)
        np.minimum(lowest, current, out=lowest)

    assert saturations == 0
    assert np.all(highest <= 1.05 * initial), f"max energy ratio {np.max(highest / initial):.4f}"
    assert np.all(lowest >= 0.95 * initial), f"min energy ratio {np.min(lowest / initial):.4f}"


def test_im_oscillator_decays_within_rounding_bound():
    dt, A = _random_parameters(21, 200, 4.0)
    coefficients = hrf_coefficients("im", dt, A, FRAC_BITS)
    params = HRFParams("im", "position", np.full(dt.size, 2**23 - 1), state_bits=24, coef_frac_bits=FRAC_BITS)
    M = np.stack([[coefficients["m11"], coefficients["m12"]], [coefficients["m21"], coefficients["m22"]]])
    M = np.moveaxis(M.astype(np.float64) / 2**FRAC_BITS, -1, 0)  # (neurons, 2, 2)
    assert np.all(np.max(np.abs(np.linalg.eigvals(M)), axis=1) < 1), "quantised matrices must be contracting"

    def spectral_norm(P):
        squares = np.sum(P * P, axis=(1, 2))
        determinant = P[:, 0, 0] * P[:, 1, 1] - P[:, 0, 1] * P[:, 1, 0]
        return np.sqrt((squares + np.sqrt(np.maximum(squares**2 - 4 * determinant**2, 0))) / 2)

    rng = np.random.default_rng(22)
    u = rng.integers(-(2**20), 2**20, size=dt.size).astype(np.int64)
    v = rng.integers(-(2**20), 2**20, size=dt.size).astype(np.int64)
    start_norm = np.hypot(u, v)
    power = np.broadcast_to(np.eye(2), M.shape).copy()  # M^n
    rounding = np.zeros(dt.size)  # sqrt(2)/2 * sum_{k<n} ||M^k||: each step rounds each component by at most 1/2
    zero = np.zeros(dt.size, dtype=np.int64)
    violations = np.zeros(dt.size, dtype=bool)
    for _ in range(STEPS):
        rounding += np.sqrt(0.5) * spectral_norm(power)
        power = M @ power
        u, v, _, _ = hrf_step(u, v, zero, coefficients, params)
        bound = spectral_norm(power) * start_norm + rounding + 1e-6
        violations |= np.hypot(u, v) > bound

    assert not violations.any(), f"{violations.sum()} neurons left the decay envelope"
    final = np.hypot(u, v)
    assert np.all(final <= spectral_norm(power) * start_norm + rounding + 1e-6)
    decayed = spectral_norm(power) < 1e-3
    assert decayed.sum() > 50
    assert np.all(final[decayed] < 1e-2 * start_norm[decayed] + rounding[decayed] + 1)
