"""The chunked parallel scan against the sequential loop: values and gradients."""

import pytest
import torch

from share_neuro.hrf.coefficients import SCHEMES
from share_neuro.model.hrf_layer import HrfLayer
from share_neuro.model.scan import hrf_scan, scan_parallel, scan_sequential


def layer_parameters(layer):
    return {name: p for name, p in layer.named_parameters() if name != "theta_c"}


def run_layer(layer, s, method):
    """Return (u, v, gradients by name) of a fixed random loss through the layer's scan."""
    layer.zero_grad()
    s = s.detach().clone().requires_grad_(True)
    layer.scan = method
    current, u, v = layer.states(s)
    current.retain_grad()

    weights = torch.Generator().manual_seed(7)
    w_u = torch.randn(u.shape, generator=weights)
    w_v = torch.randn(v.shape, generator=weights)
    ((u * w_u).sum() + (v * w_v).sum()).backward()

    gradients = {name: p.grad.clone() for name, p in layer_parameters(layer).items()}
    gradients["input"] = s.grad.clone()
    gradients["current"] = current.grad.clone()
    return u.detach(), v.detach(), gradients


def make_layer(scheme, hidden, state, seed=0):
    torch.manual_seed(seed)
    layer = HrfLayer(hidden, state, scheme)
    if scheme == "im":
        with torch.no_grad():
            layer.a1.uniform_(-0.1, 0.1)
            layer.a2.uniform_(-0.1, 0.1)
    return layer


def assert_close(actual, expected, name, rtol):
    scale = expected.abs().max().clamp_min(1e-6)
    error = (actual - expected).abs().max() / scale
    assert error <= rtol, f"{name}: max error {error:.2e} of max magnitude {scale:.2e}"


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("length", [1, 2, 3, 129, 1000])
def test_scan_matches_loop(scheme, length):
    layer = make_layer(scheme, hidden=4, state=6)
    s = torch.randn(2, length, 4, generator=torch.Generator().manual_seed(length))

    u_par, v_par, grads_par = run_layer(layer, s, "parallel")
    u_seq, v_seq, grads_seq = run_layer(layer, s, "sequential")

    assert_close(u_par, u_seq, "u", 1e-5)
    assert_close(v_par, v_seq, "v", 1e-5)
    assert set(grads_par) == set(grads_seq)
    for name in grads_seq:
        assert_close(grads_par[name], grads_seq[name], f"d/d{name}", 1e-4)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_scan_matches_loop_eigenworms_length(scheme):
    layer = make_layer(scheme, hidden=2, state=3, seed=1)
    s = torch.randn(1, 17_984, 2, generator=torch.Generator().manual_seed(3))

    u_par, v_par, grads_par = run_layer(layer, s, "parallel")
    u_seq, v_seq, grads_seq = run_layer(layer, s, "sequential")

    assert torch.isfinite(u_par).all()
    assert torch.isfinite(v_par).all()
    assert_close(u_par, u_seq, "u", 1e-4)
    assert_close(v_par, v_seq, "v", 1e-4)
    for name in grads_seq:
        assert_close(grads_par[name], grads_seq[name], f"d/d{name}", 1e-4)


def test_gradients_cover_every_parameter():
    for scheme, expected in [("im", {"B", "A_raw", "dt_raw", "a1", "a2"}),
                             ("imex", {"B", "A_raw", "dt_raw"}),
                             ("imex-damped", {"B", "A_raw", "dt_raw", "G_raw"})]:
        layer = make_layer(scheme, hidden=3, state=4)
        _, _, grads = run_layer(layer, torch.randn(1, 50, 3), "parallel")
        assert expected <= set(grads), scheme
        for name in expected:
            assert grads[name].abs().sum() > 0, f"{scheme}: zero gradient for {name}"


def test_imex_stays_bounded_over_long_sequences():
    layer = make_layer("imex", hidden=2, state=4)
    s = torch.ones(1, 50_000, 2)
    with torch.no_grad():
        _, _, v = layer.states(s)
    assert torch.isfinite(v).all()


def test_im_decays_without_input():
    layer = make_layer("im", hidden=2, state=4)
    current = torch.zeros(1, 20_000, 4)
    current[:, 0] = 1.0
    with torch.no_grad():
        u, v = scan_parallel(layer.coefficients(), current)
    assert torch.isfinite(u).all()
    assert v[:, -1].abs().max() < v[:, :10].abs().max()


def test_unknown_scan_method_names_value():
    layer = make_layer("im", hidden=2, state=2)
    with pytest.raises(ValueError, match="'fft'"):
        hrf_scan(layer.coefficients(), torch.zeros(1, 3, 2), "fft")


def test_sequential_loop_hand_computed():
    # One IMEX neuron, A = 1, dt = 0.5, input 1 then 0: u1 = 0.5, v1 = 0.25,
    # u2 = 0.5 + 0.5 * (-0.25) = 0.375, v2 = 0.25 + 0.5 * 0.375 = 0.4375.
    from share_neuro.hrf.coefficients import hrf_coefficients

    coefficients = hrf_coefficients("imex", torch.tensor([1.0]), torch.tensor([0.5]))
    current = torch.tensor([[[1.0], [0.0]]])
    for scan in (scan_sequential, scan_parallel):
        u, v = scan(coefficients, current)
        assert u.flatten().tolist() == pytest.approx([0.5, 0.375])
        assert v.flatten().tolist() == pytest.approx([0.25, 0.4375])
