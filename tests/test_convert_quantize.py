"""Hand-worked cases of weight, threshold and HRF coefficient quantisation."""

import numpy as np
import pytest

from share_neuro.conversion.errors import ConversionError
from share_neuro.conversion.hrf_quantize import quantize_hrf, quantized_spectral_radius
from share_neuro.conversion.quantize import (
    choose_weight_exp,
    frac_bits_for_range,
    quantize_threshold,
    quantize_weights,
    weight_grid,
)
from share_neuro.fixedpoint.rounding import lava_dense_weights
from share_neuro.hrf.coefficients import hrf_coefficients


def test_weight_grid_per_bit_width():
    assert weight_grid(8) == (2, 254)
    assert weight_grid(6) == (8, 248)
    assert weight_grid(2) == (128, 128)
    with pytest.raises(ValueError):
        weight_grid(9)


def test_weights_by_hand():
    # max |w| = 1.0 -> exponent -7 (1.0 * 128 = 128 <= 254, 1.0 * 256 > 254).
    quantized = quantize_weights(np.array([[1.0, -0.5, 0.25, 0.0039]]))

    assert quantized.weight_exp == -7
    assert quantized.weight.tolist() == [[128, -64, 32, 0]]
    assert quantized.weight.dtype == np.int16
    assert quantized.clipped == 0
    assert quantized.zeroed == 1


def test_weights_round_half_up_to_even_grid():
    # 3.0 / 2**-6 = 192 exactly; 1.02 * 64 = 65.28 -> 66 (nearest even); -0.5 * 64 = -32.
    quantized = quantize_weights(np.array([3.0, 1.02, -0.5, 0.0078125]))

    assert quantized.weight_exp == -6
    assert quantized.weight.tolist() == [192, 66, -32, 0]


def test_weights_fewer_bits_use_coarser_grid():
    quantized = quantize_weights(np.array([1.0, 0.3, -0.1]), weight_bits=4)

    # Step 32, limit 224: exponent -7 gives 128, 38.4 -> 32, -12.8 -> 0.
    assert quantized.weight_exp == -7
    assert quantized.weight.tolist() == [128, 32, 0]


def test_weights_clip_when_exponent_clamped():
    quantized = quantize_weights(np.array([1000.0, 10.0, -600.0]), exp_range=(-24, 1))

    assert quantized.weight_exp == 1
    assert quantized.weight.tolist() == [254, 6, -254]
    assert quantized.clipped == 2


def test_weights_zero_matrix():
    quantized = quantize_weights(np.zeros((2, 3)))

    assert quantized.weight_exp == 0
    assert not quantized.weight.any()


@pytest.mark.parametrize("seed", range(5))
def test_weights_pass_lava_unchanged_in_every_sign_mode(seed):
    rng = np.random.default_rng(seed)
    for values in (rng.normal(size=(16, 8)), np.abs(rng.normal(size=(16, 8))), -np.abs(rng.normal(size=(16, 8)))):
        quantized = quantize_weights(values)

        assert np.array_equal(lava_dense_weights(quantized.weight), quantized.weight)
        assert np.max(np.abs(values - quantized.weight * 2.0**quantized.weight_exp)) <= 2.0**quantized.weight_exp


def test_choose_weight_exp_boundaries():
    assert choose_weight_exp(254.0, 254) == 0
    assert choose_weight_exp(254.01, 254) == 1
    assert choose_weight_exp(127.0, 254) == -1


def test_frac_bits_for_range_by_hand():
    # 2**23 - 1 = 8388607; 1000 * 2**13 = 8192000 fits, 2**14 does not.
    assert frac_bits_for_range(1000.0, 24) == 13
    assert frac_bits_for_range(1000.0, 24, headroom=4.0) == 11
    assert frac_bits_for_range(0.0, 24) == 30


def test_threshold_keeps_strict_comparison():
    threshold = quantize_threshold(np.array([0.5, 0.3, -0.3]), 4)

    # 0.5 * 16 = 8 exactly; 0.3 * 16 = 4.8 -> 4 (v > 4.8 <=> v >= 5 <=> v > 4); -4.8 -> -5.
    assert threshold.tolist() == [8, 4, -5]
    assert threshold.dtype == np.int32


def test_imex_coefficients_by_hand():
    A = np.array([1.0, 2.0])
    dt = np.array([0.5, 0.25])
    coefficients = hrf_coefficients("imex", A, dt, xp=np)

    quantized = quantize_hrf("h", "imex", coefficients, state_frac_bits=10, coef_frac_bits=14)

    # k_a = -dt A * 2**14, k_i = k_dt = dt * 2**14.
    assert quantized.coefficients["k_a"].tolist() == [-8192, -8192]
    assert quantized.coefficients["k_i"].tolist() == [8192, 4096]
    assert quantized.coefficients["k_dt"].tolist() == [8192, 4096]
    assert quantized.coef_frac_bits == 14
    assert quantized.state_frac_bits == 10
    assert quantized.spectral_radius == pytest.approx(1.0)


def test_im_constants_carry_state_scale():
    A = np.array([1.0])
    dt = np.array([0.5])
    coefficients = hrf_coefficients("im", A, dt, a1=np.array([0.1]), a2=np.array([0.0]), xp=np)

    quantized = quantize_hrf("h", "im", coefficients, state_frac_bits=8, coef_frac_bits=14)

    # S = 1 / 1.25 = 0.8; c1 = S a1 = 0.08 state units -> 0.08 * 2**8 * 2**14 = 335544.32.
    assert quantized.coefficients["m11"].tolist() == [13107]
    assert quantized.coefficients["c1"].tolist() == [335544]
    assert quantized.spectral_radius < 1.0
    assert quantized.spectral_radius == pytest.approx(np.sqrt(0.8), abs=1e-4)


def test_im_state_bits_lowered_when_constant_overflows():
    coefficients = hrf_coefficients("im", np.array([1.0]), np.array([0.5]), a1=np.array([50.0]), a2=np.array([0.0]), xp=np)

    quantized = quantize_hrf("h", "im", coefficients, state_frac_bits=20, coef_frac_bits=14)

    assert quantized.state_frac_bits < 20
    assert abs(int(quantized.coefficients["c1"][0])) < 2**31


def test_im_tiny_step_raises_coefficient_bits():
    # dt**2 A = 1e-5: S = 1 / (1 + 1e-5) rounds to exactly 1.0 with 14 bits, and with
    # m12 = -m21 = -52 the quantised |eigenvalue|**2 = 1 + 52**2 / 2**28 exceeds 1.
    coefficients = hrf_coefficients("im", np.array([1.0]), np.array([np.sqrt(1e-5)]), xp=np)

    quantized = quantize_hrf("h", "im", coefficients, state_frac_bits=10, coef_frac_bits=14)

    assert quantized.coef_frac_bits > 14
    assert quantized.spectral_radius < 1.0
    assert quantized_spectral_radius("im", quantized.coefficients, quantized.coef_frac_bits)[0] < 1.0


def test_im_without_stable_quantisation_raises():
    coefficients = hrf_coefficients("im", np.array([1e-9]), np.array([1e-3]), xp=np)

    with pytest.raises(ConversionError, match=r"HRF population 'block0.hrf': 1 neuron\(s\)"):
        quantize_hrf("block0.hrf", "im", coefficients, state_frac_bits=10, coef_frac_bits=14)


def test_imex_dt2a_limit_checked_after_rounding():
    # dt**2 A just below 4 in float; the stability clamp keeps it, rounding may push it to 4.
    dt = np.array([1.0])
    coefficients = hrf_coefficients("imex", np.array([3.99999]), dt, xp=np)

    quantized = quantize_hrf("h", "imex", coefficients, state_frac_bits=10, coef_frac_bits=14)

    k_a, k_dt = int(quantized.coefficients["k_a"][0]), int(quantized.coefficients["k_dt"][0])
    dt2_a = -k_a * k_dt / 2.0 ** (2 * quantized.coef_frac_bits)
    assert 0 <= dt2_a < 4
