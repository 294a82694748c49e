"""SHaRe-SSM: surrogate gradient, shapes, trace, homogeneous mode, readout, config."""

import pytest
import torch

from share_neuro.model import ModelConfig, ModelConfigError, build_model
from share_neuro.model.readout import causal_fir, fir_initial_taps
from share_neuro.model.share_ssm import ShareSSM
from share_neuro.model.surrogate import spike, spike_dropout, surrogate_derivative


def small_config(**changes):
    values = dict(input_size=3, output_size=4, hidden_size=8, state_size=6, num_blocks=2)
    values.update(changes)
    return ModelConfig(**values)


def test_surrogate_hand_computed():
    # 0.5 * (1.15 N(x; 0, 0.5) - 0.3 N(x; 0, 3)), N the Gaussian density.
    x = torch.tensor([0.0, 1.0, -1.0])
    expected = [0.4388365, 0.0432205, 0.0432205]
    assert surrogate_derivative(x).tolist() == pytest.approx(expected, abs=1e-6)


def test_spike_gradient_is_surrogate():
    x = torch.tensor([0.0, 1.0, -2.5], requires_grad=True)
    spike(x).sum().backward()
    assert x.grad.tolist() == pytest.approx(surrogate_derivative(x.detach()).tolist())


def test_heaviside_is_strict():
    x = torch.tensor([-1.0, 0.0, 1e-7, 2.0])
    assert spike(x).tolist() == [0.0, 0.0, 1.0, 1.0]


def test_spike_dropout_keeps_binary():
    torch.manual_seed(0)
    spikes = (torch.rand(1000) > 0.5).float()
    dropped = spike_dropout(spikes, 0.3, training=True)
    assert set(dropped.unique().tolist()) <= {0.0, 1.0}
    assert dropped.sum() < spikes.sum()
    assert torch.equal(spike_dropout(spikes, 0.3, training=False), spikes)


@pytest.mark.parametrize("scheme", ["im", "imex", "imex-damped"])
@pytest.mark.parametrize("spike_on", ["position", "velocity"])
def test_classification_shape(scheme, spike_on):
    model = build_model(small_config(scheme=scheme, spike_on=spike_on, dropout=0.1))
    logits = model(torch.randn(2, 50, 3))
    assert logits.shape == (2, 4)
    logits.sum().backward()
    assert model.encoder.weight.grad is not None


def test_regression_shape():
    config = small_config(task="regression", output_size=1, output_step=16, fir_taps=4)
    model = build_model(config)
    output = model(torch.randn(2, 100, 3))
    assert output.shape == (2, 100 // 16, 1)
    assert output.abs().max() <= 1.0


def test_time_channel_widens_encoder():
    model = build_model(small_config(time_channel=True))
    assert model.encoder.weight.shape == (8, 4)
    trace = model.trace(torch.randn(1, 10, 3))
    assert trace["input"][0, :, -1].tolist() == pytest.approx([t / 10 for t in range(10)])


def test_wrong_input_channels_rejected():
    model = build_model(small_config())
    with pytest.raises(ValueError, match=r"\(batch, length, 3\)"):
        model(torch.randn(2, 10, 5))


def test_parameter_names():
    model = build_model(small_config(scheme="imex-damped", task="regression", output_size=1))
    names = set(model.state_dict())
    expected = {"encoder.weight", "encoder.bias", "theta_enc", "readout.head.weight",
                "readout.head.bias", "readout.fir"}
    for k in range(2):
        expected |= {f"blocks.{k}.{name}" for name in (
            "hrf.B", "hrf.A_raw", "hrf.dt_raw", "hrf.G_raw", "hrf.theta_c", "C", "D",
            "theta_d", "linear.weight", "linear.bias", "theta_l")}
    assert names == expected

    im_names = set(build_model(small_config(scheme="im")).state_dict())
    assert {"blocks.0.hrf.a1", "blocks.0.hrf.a2"} <= im_names
    assert "blocks.0.hrf.G_raw" not in im_names


def test_initialisation_ranges():
    model = build_model(small_config(hidden_size=16, state_size=9))
    hrf = model.blocks[0].hrf
    assert hrf.B.shape == (9, 16)
    assert hrf.B.abs().max() <= 1 / 16**0.5
    assert model.blocks[0].C.shape == (16, 9)
    assert model.blocks[0].C.abs().max() <= 1 / 9**0.5
    for threshold in (model.theta_enc, hrf.theta_c, model.blocks[0].theta_d, model.blocks[0].theta_l):
        assert threshold.min() >= 0
        assert threshold.max() <= 1
    assert torch.equal(hrf.a1, torch.zeros(9))


def test_homogeneous_freezes_neurons():
    model = build_model(small_config(heterogeneous=False, scheme="im"))
    frozen = {name for name, p in model.named_parameters() if not p.requires_grad}
    for k in range(2):
        for name in ("hrf.A_raw", "hrf.dt_raw", "hrf.theta_c", "hrf.a1", "hrf.a2", "theta_d", "theta_l"):
            assert f"blocks.{k}.{name}" in frozen
    assert "theta_enc" in frozen
    assert "blocks.0.hrf.B" not in frozen

    hrf = model.blocks[0].hrf
    assert torch.allclose(hrf.stiffness(), torch.full((6,), 1 / 6))
    assert torch.allclose(hrf.step(), torch.full((6,), 1e-3))
    assert torch.equal(hrf.theta_c, torch.ones(6))

    model(torch.randn(2, 20, 3)).sum().backward()
    assert hrf.A_raw.grad is None
    assert hrf.theta_c.grad is None
    assert hrf.B.grad is not None


def test_trace_matches_forward():
    torch.manual_seed(1)
    model = build_model(small_config()).eval()
    x = torch.randn(2, 40, 3) * 3
    trace = model.trace(x)

    assert torch.allclose(trace["output"], model(x))
    assert set(trace) == {"input", "encoder_current", "encoder_spikes", "blocks", "readout", "output"}
    assert len(trace["blocks"]) == 2
    block = trace["blocks"][1]
    assert set(block) == {"input", "hrf_current", "hrf_velocity", "hrf_position", "hrf_spikes",
                          "c_current", "c_spikes", "linear_current", "linear_spikes", "stream"}
    assert block["hrf_position"].shape == (2, 40, 6)
    assert torch.equal(block["input"], trace["blocks"][0]["stream"])
    assert torch.equal(block["hrf_spikes"], (block["hrf_position"] > model.blocks[1].hrf.theta_c).float())
    assert torch.equal(block["stream"], block["input"] + block["linear_spikes"])
    assert set(trace["readout"]) == {"pooled", "output"}


def test_stream_carries_integer_counts():
    torch.manual_seed(2)
    model = build_model(small_config(num_blocks=3))
    stream = model.trace(torch.randn(2, 30, 3) * 3)["blocks"][-1]["stream"]
    assert torch.equal(stream, stream.round())
    assert stream.min() >= 0
    assert stream.max() <= 4


def test_sequential_scan_gives_same_model_output():
    torch.manual_seed(3)
    parallel = build_model(small_config(scheme="imex"))
    sequential = build_model(small_config(scheme="imex", scan="sequential"))
    sequential.load_state_dict(parallel.state_dict())
    x = torch.randn(2, 300, 3)
    assert torch.allclose(parallel(x), sequential(x), atol=1e-5)


def test_fir_is_causal_convolution():
    q = torch.randn(2, 20, 1)
    taps = fir_initial_taps(4, 0.9)
    assert taps.tolist() == pytest.approx([0.1, 0.09, 0.081, 0.0729])

    expected = torch.zeros_like(q)
    for n in range(20):
        for j in range(4):
            if n - j >= 0:
                expected[:, n] += taps[j] * q[:, n - j]
    assert torch.allclose(causal_fir(q, taps), expected, atol=1e-6)


def test_regression_samples_every_output_step():
    config = small_config(task="regression", output_size=1, output_step=8, fir_taps=3)
    model = build_model(config).eval()
    trace = model.trace(torch.randn(1, 32, 3))
    filtered = trace["readout"]["filtered"]
    assert torch.allclose(trace["output"][0, :, 0], torch.tanh(filtered[0, [7, 15, 23, 31], 0]))


def test_config_round_trip():
    config = small_config(scheme="imex-damped", time_channel=True, dropout=0.05)
    assert ModelConfig.from_dict(config.to_dict()) == config


def test_config_unknown_scheme_names_value():
    with pytest.raises(ValueError, match="'rk4'"):
        small_config(scheme="rk4")
    with pytest.raises(ModelConfigError, match="'rk4'"):
        ModelConfig.from_dict({**small_config().to_dict(), "scheme": "rk4"})


def test_config_rejects_unknown_field_and_bad_values():
    with pytest.raises(ValueError, match="'hidden'"):
        ModelConfig.from_dict({"input_size": 1, "output_size": 2, "hidden": 3})
    with pytest.raises(ValueError, match="hidden_size = 0"):
        small_config(hidden_size=0)
    with pytest.raises(ValueError, match="dropout = 1.5"):
        small_config(dropout=1.5)
    with pytest.raises(ValueError, match="missing"):
        ModelConfig.from_dict({"input_size": 1})


def test_build_model_returns_share_ssm():
    assert isinstance(build_model(small_config()), ShareSSM)
