"""The in-place no-grad forward path against the autograd path and the sequential scan."""

import pytest
import torch

from share_neuro.hrf.coefficients import SCHEMES
from share_neuro.model import ModelConfig, build_model
from share_neuro.model.hrf_layer import HrfLayer
from share_neuro.model.scan import chunk_size, scan_parallel_in_place, scan_sequential
from share_neuro.model.share_ssm import uses_work_buffers


def make_model(**changes):
    values = dict(input_size=3, output_size=4, hidden_size=16, state_size=12, num_blocks=3)
    values.update(changes)
    torch.manual_seed(0)
    return build_model(ModelConfig(**values)).eval()


def autograd_forward(model, x):
    """Return the model's output computed on the autograd path (grad enabled)."""
    return model(x).detach()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("spike_on", ["position", "velocity"])
@pytest.mark.parametrize("scan", ["parallel", "sequential"])
def test_no_grad_forward_equals_autograd(scheme, spike_on, scan):
    model = make_model(scheme=scheme, spike_on=spike_on, scan=scan)
    x = 3.0 * torch.randn(2, 150, 3, generator=torch.Generator().manual_seed(1))

    expected = autograd_forward(model, x)
    with torch.no_grad():
        no_grad = model(x)
    with torch.inference_mode():
        inference = model(x)

    assert torch.equal(no_grad, expected)
    assert torch.equal(inference, expected)


def test_no_grad_regression_equals_autograd():
    model = make_model(task="regression", output_size=2, output_step=16, fir_taps=4,
                       time_channel=True, scheme="imex")
    x = 3.0 * torch.randn(2, 200, 3, generator=torch.Generator().manual_seed(2))

    expected = autograd_forward(model, x)
    with torch.no_grad():
        assert torch.equal(model(x), expected)


def test_no_grad_block_keeps_input():
    model = make_model()
    block = model.blocks[1]
    s = (torch.rand(2, 90, 16, generator=torch.Generator().manual_seed(3)) > 0.5).float()
    original = s.clone()

    expected = block(s).detach()
    with torch.no_grad():
        result = block(s)

    assert torch.equal(result, expected)
    assert torch.equal(s, original)
    assert result.data_ptr() != s.data_ptr()


def test_dropout_training_skips_in_place_path():
    with torch.no_grad():
        assert uses_work_buffers(training=False, dropout=0.2)
        assert uses_work_buffers(training=True, dropout=0.0)
        assert not uses_work_buffers(training=True, dropout=0.2)
    assert not uses_work_buffers(training=False, dropout=0.0)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("length", [1, 2, 49, 50, 1000, 4096, 5000])
def test_in_place_scan_matches_loop(scheme, length):
    torch.manual_seed(length)
    layer = HrfLayer(4, 6, scheme)
    current = torch.randn(2, length, 6)

    with torch.no_grad():
        coefficients = layer.coefficients()
        velocity_loop, position_loop = scan_sequential(coefficients, current)
        position = current.clone()
        velocity = torch.empty_like(current)
        scan_parallel_in_place(coefficients, position, velocity)

    # The chunked scan's rounding grows with the length, as in test_scan.
    tolerance = 1e-5 if length <= 1000 else 1e-4
    for name, actual, expected in (("velocity", velocity, velocity_loop), ("position", position, position_loop)):
        error = (actual - expected).abs().max() / expected.abs().max().clamp_min(1e-6)
        assert error <= tolerance, f"{name}: max error {error:.2e}"


def test_chunk_size_plans():
    assert chunk_size(1) is None
    assert chunk_size(40) is None
    assert 24 <= chunk_size(1000) <= 64
    assert chunk_size(17984) == 64
