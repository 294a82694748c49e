"""The HRF discretisation: hand-computed entries, eigenvalues, clamps, numpy vs torch."""

import math

import numpy as np
import pytest
import torch

from share_neuro.hrf.coefficients import (
    SCHEMES,
    damped_stiffness_band,
    hrf_coefficients,
    stable_stiffness,
    transition_eigenvalues,
)


def random_parameters(seed, size=200):
    rng = np.random.default_rng(seed)
    A = rng.uniform(0.0, 1.0, size)
    dt = 1.0 / (1.0 + np.exp(-rng.uniform(0.0, 1.0, size)))
    G = rng.uniform(0.0, 1.0, size)
    return A, dt, G


def test_im_hand_computed():
    c = hrf_coefficients("im", np.array([1.0]), np.array([0.5]), a1=np.array([1.0]), a2=np.array([2.0]))

    # S = 1 / (1 + 0.25) = 0.8
    assert c.m11[0] == pytest.approx(0.8)
    assert c.m12[0] == pytest.approx(-0.4)
    assert c.m21[0] == pytest.approx(0.4)
    assert c.m22[0] == pytest.approx(0.8)
    assert c.g1[0] == pytest.approx(0.4)
    assert c.g2[0] == pytest.approx(0.2)
    assert c.c1[0] == pytest.approx(0.8 * 1.0 - 0.4 * 2.0)
    assert c.c2[0] == pytest.approx(0.4 * 1.0 + 0.8 * 2.0)


def test_imex_matches_symplectic_euler_step():
    A, dt, i, u, v = 0.7, 0.3, 1.5, 0.2, -0.4
    c = hrf_coefficients("imex", np.array([A]), np.array([dt]))

    u_next = u + dt * (-A * v + i)
    v_next = v + dt * u_next

    assert c.m11[0] * u + c.m12[0] * v + c.g1[0] * i + c.c1[0] == pytest.approx(u_next)
    assert c.m21[0] * u + c.m22[0] * v + c.g2[0] * i + c.c2[0] == pytest.approx(v_next)


def test_damped_matches_its_definition():
    A, dt, G, i, u, v = 0.7, 0.3, 0.5, 1.5, 0.2, -0.4
    c = hrf_coefficients("imex-damped", np.array([A]), np.array([dt]), np.array([G]))

    # Damping implicit, restoring force explicit: u' (1 + dt G) = u + dt (-A v + i).
    u_next = (u + dt * (-A * v + i)) / (1.0 + dt * G)
    v_next = v + dt * u_next

    assert c.m11[0] * u + c.m12[0] * v + c.g1[0] * i == pytest.approx(u_next)
    assert c.m21[0] * u + c.m22[0] * v + c.g2[0] * i == pytest.approx(v_next)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_imex_eigenvalues_on_unit_circle(seed):
    A, dt, _ = random_parameters(seed)
    moduli = np.abs(transition_eigenvalues(hrf_coefficients("imex", A, dt)))
    np.testing.assert_allclose(moduli, 1.0, atol=1e-7)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_im_eigenvalues_inside_unit_circle(seed):
    A, dt, _ = random_parameters(seed)
    moduli = np.abs(transition_eigenvalues(hrf_coefficients("im", A, dt)))
    assert np.all(moduli < 1.0)
    expected = 1.0 / (1.0 + dt**2 * A)
    np.testing.assert_allclose(moduli**2, np.stack([expected, expected], 1), rtol=1e-9)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_damped_eigenvalues_have_modulus_sqrt_s(seed):
    A, dt, G = random_parameters(seed)
    A = A * 20.0  # many values outside the band, which the clamp must bring back
    moduli = np.abs(transition_eigenvalues(hrf_coefficients("imex-damped", A, dt, G)))
    expected = np.sqrt(1.0 / (1.0 + dt * G))
    np.testing.assert_allclose(moduli, np.stack([expected, expected], 1), rtol=1e-6)


def test_damped_clamp_uses_band_edges():
    dt, G = np.array([0.5, 0.5, 0.5]), np.array([0.8, 0.8, 0.8])
    low, high = damped_stiffness_band(dt, G)
    A = np.array([low[0] / 2.0, (low[0] + high[0]) / 2.0, high[0] * 3.0])

    clamped = stable_stiffness("imex-damped", A, dt, G)

    root = 2.0 * math.sqrt(0.5 * 0.8 + 1.0)
    assert low[0] == pytest.approx((0.4 + 2.0 - root) / 0.25)
    assert high[0] == pytest.approx((0.4 + 2.0 + root) / 0.25)
    np.testing.assert_allclose(clamped, [low[0], A[1], high[0]])


def test_imex_clamp_keeps_large_stiffness_stable():
    A, dt = np.array([50.0]), np.array([0.9])
    clamped = stable_stiffness("imex", A, dt)
    assert clamped[0] == pytest.approx(4.0 / 0.81)
    assert np.all(np.abs(transition_eigenvalues(hrf_coefficients("imex", A, dt))) <= 1.0 + 1e-6)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_numpy_and_torch_agree(scheme):
    A, dt, G = random_parameters(5, size=50)
    a1, a2 = A * 0.3, G * -0.2
    from_numpy = hrf_coefficients(scheme, A, dt, G, a1, a2)
    from_torch = hrf_coefficients(
        scheme, *(torch.tensor(x, dtype=torch.float64) for x in (A, dt, G, a1, a2))
    )
    for name, expected, actual in zip(from_numpy._fields, from_numpy, from_torch):
        assert isinstance(actual, torch.Tensor), name
        np.testing.assert_allclose(actual.numpy(), expected, rtol=1e-12, err_msg=name)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_torch_coefficients_are_differentiable(scheme):
    A = torch.rand(4, dtype=torch.float64, requires_grad=True)
    dt = torch.rand(4, dtype=torch.float64, requires_grad=True)
    G = torch.rand(4, dtype=torch.float64, requires_grad=True)
    sum(c.sum() for c in hrf_coefficients(scheme, A, dt, G)).backward()
    assert torch.isfinite(A.grad).all()
    assert torch.isfinite(dt.grad).all()


def test_unknown_scheme_names_value():
    with pytest.raises(ValueError, match="'rk4'"):
        hrf_coefficients("rk4", np.ones(2), np.ones(2))


def test_damped_without_g_is_rejected():
    with pytest.raises(ValueError, match="damping"):
        hrf_coefficients("imex-damped", np.ones(2), np.ones(2))


def test_hrf_package_imports_no_torch():
    import subprocess
    import sys

    code = "import sys, share_neuro.hrf, share_neuro.model.config; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
