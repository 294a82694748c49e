"""The LinOSS baseline: shapes, gradients and the shared scan."""

import pytest
import torch

from share_neuro.model import ModelConfig, build_model
from share_neuro.model.linoss import Linoss


def linoss_config(**changes):
    values = dict(model="linoss", input_size=3, output_size=4, hidden_size=8, state_size=6, num_blocks=2)
    values.update(changes)
    return ModelConfig(**values)


@pytest.mark.parametrize("scheme", ["im", "imex", "imex-damped"])
def test_linoss_classification(scheme):
    model = build_model(linoss_config(scheme=scheme, dropout=0.1))
    assert isinstance(model, Linoss)
    logits = model(torch.randn(2, 40, 3))
    assert logits.shape == (2, 4)
    logits.sum().backward()
    layer = model.blocks[0].layer
    for parameter in (layer.A_raw, layer.dt_raw, layer.B_real, layer.B_imag, layer.C_real, layer.C_imag):
        assert parameter.grad is not None
        assert parameter.grad.abs().sum() > 0


def test_linoss_regression_shape():
    model = build_model(linoss_config(task="regression", output_size=1, output_step=10, time_channel=True))
    assert model(torch.randn(2, 55, 3)).shape == (2, 5, 1)


def test_linoss_scan_methods_agree():
    torch.manual_seed(0)
    parallel = build_model(linoss_config()).eval()
    sequential = build_model(linoss_config(scan="sequential")).eval()
    sequential.load_state_dict(parallel.state_dict())
    x = torch.randn(2, 200, 3)
    assert torch.allclose(parallel(x), sequential(x), atol=1e-5)


def test_linoss_layer_is_complex_readout():
    torch.manual_seed(1)
    layer = build_model(linoss_config(num_blocks=1)).blocks[0].layer
    x = torch.randn(1, 5, 8)
    output = layer(x)

    # Reference: the complex input projection, the same recurrence per part, Re(C v) + D x.
    from share_neuro.hrf.coefficients import hrf_coefficients
    from share_neuro.model.scan import scan_sequential

    coefficients = hrf_coefficients("im", torch.relu(layer.A_raw), torch.sigmoid(layer.dt_raw))
    _, v_real = scan_sequential(coefficients, x @ layer.B_real.t())
    _, v_imag = scan_sequential(coefficients, x @ layer.B_imag.t())
    B = torch.complex(layer.B_real, layer.B_imag)
    C = torch.complex(layer.C_real, layer.C_imag)
    v = torch.complex(v_real, v_imag)
    assert torch.allclose((x.to(B.dtype) @ B.t()).real, x @ layer.B_real.t())
    expected = (v @ C.t()).real + layer.D * x
    assert torch.allclose(output, expected, atol=1e-5)
