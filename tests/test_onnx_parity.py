"""ONNX Runtime against PyTorch on real data: exported SHaRe-SSM and LinOSS graphs.

Each SHaRe-SSM stage is recomputed by torch from the spikes ONNX Runtime produced
upstream. Against torch's sequential scan (the loop the graph's Scan follows) every
stage must agree bit for bit. Against the configured chunked parallel scan, values may
differ by accumulated float32 rounding, and a spike may differ only where torch's value
lies within that rounding of the threshold; the tests print how many do.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnxruntime")

from share_neuro.data import load_dataset  # noqa: E402
from share_neuro.model import ModelConfig, build_model  # noqa: E402
from share_neuro.onnx_io.export import export_module  # noqa: E402
from share_neuro.onnx_io.parity import compare_share_ssm, run_onnx  # noqa: E402
from share_neuro.training.normalization import apply_normalization, fit_normalization  # noqa: E402
from share_neuro.training.targets import fit_target_scaling  # noqa: E402

LONG = 17_984


@pytest.fixture(scope="module")
def basicmotions():
    return load_dataset("basicmotions")


@pytest.fixture(scope="module")
def hapt_recordings():
    return load_dataset("hapt-recordings")


@pytest.fixture(scope="module")
def tecator():
    return load_dataset("tecator")


def small_model(dataset, seed: int = 1, **options):
    torch.manual_seed(seed)
    outputs = dataset.num_classes if dataset.task == "classification" else 1
    config = ModelConfig(input_size=dataset.channels, output_size=outputs, task=dataset.task,
                         hidden_size=16, state_size=16, **options)
    return build_model(config).eval()


def forward(module, X_normalized):
    with torch.no_grad():
        return module(torch.from_numpy(X_normalized)).numpy()


def check_share_ssm(module, normalization, X, label):
    """Run the export on raw X and assert the stage-by-stage agreement; return the outputs."""
    outputs = run_onnx(export_module(module, normalization, trace_outputs=True).SerializeToString(), X)
    x = apply_normalization(X, normalization)

    for comparison in compare_share_ssm(module, outputs, x, rtol=0.0, atol=0.0, hrf_scan="sequential"):
        if comparison.stage == "readout":
            continue
        assert comparison.max_abs_difference == 0.0, comparison
        assert comparison.spike_mismatches == 0, comparison

    # The chunked scan's rounding grows with the length: measured 0.0016 on positions up
    # to 70 after 17,984 IMEX steps, inside the bound 1e-4 * max |position|.
    spike_rates = []
    flips = 0
    for comparison in compare_share_ssm(module, outputs, x, rtol=1e-5, atol=1e-5, hrf_scan="parallel",
                                        hrf_tolerance=1e-4):
        assert comparison.tolerance_exceeded == 0, comparison
        assert comparison.mismatches_off_threshold == 0, comparison
        flips += comparison.spike_mismatches
        if comparison.spikes:
            spike_rates.append(comparison.spikes / comparison.elements)

    # Real data must make the model spike in every stage, or the spike checks prove nothing.
    assert min(spike_rates) > 0.01
    print(f"{label}: {flips} spikes differ from the parallel scan, all within rounding of the threshold")
    return outputs


@pytest.mark.parametrize("options", [
    {"scheme": "imex", "time_channel": True},
    {"scheme": "im"},
    {"scheme": "imex-damped", "spike_on": "velocity"},
], ids=["imex-time", "im", "damped-velocity"])
def test_basicmotions_two_lengths(basicmotions, options):
    module = small_model(basicmotions, **options)
    normalization = fit_normalization(basicmotions.train.X)
    for length in (100, 37):
        X = basicmotions.test.X[:16, :length]
        outputs = check_share_ssm(module, normalization, X, f"basicmotions {options} L={length}")
        expected = forward(module, apply_normalization(X, normalization))
        np.testing.assert_allclose(outputs["logits"], expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("scheme", ["imex", "im"])
def test_hapt_recordings_long(hapt_recordings, scheme):
    module = small_model(hapt_recordings, scheme=scheme)
    normalization = fit_normalization(hapt_recordings.train.X[:8])
    for length in (1_000, LONG):
        X = hapt_recordings.test.X[:2, :length]
        assert X.shape[1] == length
        outputs = check_share_ssm(module, normalization, X, f"hapt-recordings {scheme} L={length}")
        expected = forward(module, apply_normalization(X, normalization))
        np.testing.assert_allclose(outputs["logits"], expected, rtol=1e-4, atol=1e-4)


def test_tecator_regression(tecator):
    module = small_model(tecator, scheme="imex", time_channel=True, output_step=1)
    normalization = fit_normalization(tecator.train.X)
    X = tecator.test.X[:16]
    outputs = check_share_ssm(module, normalization, X, "tecator regression")
    expected = forward(module, apply_normalization(X, normalization))
    assert outputs["outputs"].shape == expected.shape == (16, 100, 1)
    np.testing.assert_allclose(outputs["outputs"], expected, rtol=1e-5, atol=1e-5)


def test_tecator_regression_output_step(tecator):
    module = small_model(tecator, scheme="im", output_step=7, fir_taps=5)
    normalization = fit_normalization(tecator.train.X)
    X = tecator.test.X[:8]
    outputs = run_onnx(export_module(module, normalization).SerializeToString(), X)
    expected = forward(module, apply_normalization(X, normalization))
    assert outputs["outputs"].shape == expected.shape == (8, 14, 1)
    np.testing.assert_allclose(outputs["outputs"], expected, rtol=1e-5, atol=1e-5)
    # Without a recorded target scaling the outputs are taken as the dataset's units.
    np.testing.assert_array_equal(outputs["predictions"], outputs["outputs"])


def test_tecator_predictions_in_dataset_units(tecator):
    module = small_model(tecator, scheme="imex", time_channel=True, output_step=1)
    normalization = fit_normalization(tecator.train.X)
    scaling = fit_target_scaling(tecator.train.y)
    X = tecator.test.X[:8]
    model = export_module(module, normalization, target_scaling=scaling)
    outputs = run_onnx(model.SerializeToString(), X)

    expected = scaling["center"] + scaling["half_range"] * forward(module, apply_normalization(X, normalization))
    assert scaling["half_range"] > 1.0
    assert outputs["predictions"].shape == (8, 100, 1)
    # float32 arithmetic on values up to about 50 (fat percentage).
    np.testing.assert_allclose(outputs["predictions"], expected, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("scheme", ["im", "imex", "imex-damped"])
def test_linoss_basicmotions(basicmotions, scheme):
    module = small_model(basicmotions, model="linoss", scheme=scheme, time_channel=True)
    normalization = fit_normalization(basicmotions.train.X)
    for length in (100, 37):
        X = basicmotions.test.X[:16, :length]
        outputs = run_onnx(export_module(module, normalization).SerializeToString(), X)
        expected = forward(module, apply_normalization(X, normalization))
        np.testing.assert_allclose(outputs["logits"], expected, rtol=1e-5, atol=1e-5)


def test_linoss_hapt_long(hapt_recordings):
    module = small_model(hapt_recordings, model="linoss", scheme="imex")
    normalization = fit_normalization(hapt_recordings.train.X[:8])
    X = hapt_recordings.test.X[:2, :LONG]
    outputs = run_onnx(export_module(module, normalization).SerializeToString(), X)
    expected = forward(module, apply_normalization(X, normalization))
    np.testing.assert_allclose(outputs["logits"], expected, rtol=1e-4, atol=1e-4)


def test_linoss_tecator_regression(tecator):
    module = small_model(tecator, model="linoss", scheme="im", output_step=1)
    normalization = fit_normalization(tecator.train.X)
    X = tecator.test.X[:16]
    outputs = run_onnx(export_module(module, normalization).SerializeToString(), X)
    expected = forward(module, apply_normalization(X, normalization))
    np.testing.assert_allclose(outputs["outputs"], expected, rtol=1e-5, atol=1e-5)
