"""Import of exported ONNX files: exact parameters, the converter's FloatModel, rejections."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

torch = pytest.importorskip("torch")

from share_neuro.conversion.source import FloatModel  # noqa: E402
from share_neuro.errors import InputFileError  # noqa: E402
from share_neuro.model import ModelConfig, build_model  # noqa: E402
from share_neuro.model.checkpoint import save  # noqa: E402
from share_neuro.onnx_io.export import export_checkpoint  # noqa: E402
from share_neuro.onnx_io.importer import float_model_from_onnx, load_onnx, model_from_onnx  # noqa: E402
from share_neuro.onnx_io.parameters import expected_parameters  # noqa: E402

# Target scaling of a regression checkpoint, as `share-neuro train` records it for Tecator.
TARGET_SCALING = {"center": 24.7, "half_range": 29.750000000000004}

CONFIGS = [
    {"scheme": "im"},
    {"scheme": "imex", "time_channel": True},
    {"scheme": "imex-damped", "spike_on": "velocity"},
    {"scheme": "im", "task": "regression", "output_size": 1, "output_step": 4, "fir_taps": 6},
    {"model": "linoss", "scheme": "im"},
    {"model": "linoss", "scheme": "imex-damped", "task": "regression", "output_size": 2},
]


def make_config(**options):
    return ModelConfig(**{"input_size": 6, "output_size": 4, "hidden_size": 8, "state_size": 8, **options})


def write_checkpoint(path: Path, seed: int = 0, dataset: str = "basicmotions", **options) -> Path:
    torch.manual_seed(seed)
    config = make_config(**options)
    model = build_model(config)
    if config.model == "linoss":
        model.train()
        with torch.no_grad():  # non-trivial BatchNorm running statistics and counter
            model(torch.randn(4, 20, 6))
    rng = np.random.default_rng(seed)
    normalization = {"mean": rng.normal(size=6).tolist(), "std": rng.uniform(0.5, 2, size=6).tolist()}
    save(path, model, config, dataset=dataset, normalization=normalization,
         metrics={"seed": 2345, "test_accuracy": 0.75})

    if config.task == "regression":  # the trainer adds target_scaling to what `save` writes
        checkpoint = torch.load(path, weights_only=True)
        checkpoint["target_scaling"] = dict(TARGET_SCALING)
        torch.save(checkpoint, path)
    return path


@pytest.fixture(scope="module")
def trained_tecator(tmp_path_factory):
    """tecator-small (time channel, scaled fat targets) trained for 3 steps, and its ONNX export."""
    from share_neuro.training.loop import TrainRequest, train

    folder = tmp_path_factory.mktemp("tecator")
    checkpoint = folder / "tecator.pt"
    train(TrainRequest(dataset="tecator", preset="tecator-small", max_steps=3, out=checkpoint, threads=1,
                       progress=False))
    return checkpoint, export_checkpoint(checkpoint, folder / "tecator.onnx")


@pytest.mark.parametrize("options", CONFIGS, ids=lambda options: "-".join(map(str, options.values())))
def test_state_dict_round_trip_exact(tmp_path, options):
    checkpoint = write_checkpoint(tmp_path / "model.pt", **options)
    onnx_path = export_checkpoint(checkpoint, tmp_path / "model.onnx")
    onnx.checker.check_model(str(onnx_path), full_check=True)

    original = torch.load(checkpoint, weights_only=True)
    module, exported = model_from_onnx(onnx_path)
    assert set(module.state_dict()) == set(original["state_dict"])
    for name, tensor in original["state_dict"].items():
        restored = module.state_dict()[name]
        assert restored.dtype == tensor.dtype, name
        assert torch.equal(restored, tensor), name
    assert exported.normalization == original["normalization"]
    assert exported.target_scaling == original.get("target_scaling")
    assert exported.config == original["config"]
    assert exported.dataset == "basicmotions"
    assert exported.metrics == original["metrics"]


@pytest.mark.parametrize("options", CONFIGS, ids=lambda options: "-".join(map(str, options.values())))
def test_expected_parameters_match_torch(options):
    config = make_config(**options)
    state = build_model(config).state_dict()
    expected = expected_parameters(config.to_dict())
    assert set(expected) == set(state)
    for name, (shape, dtype) in expected.items():
        assert tuple(state[name].shape) == shape, name
        assert str(state[name].dtype).removeprefix("torch.") == dtype.name, name


def assert_float_models_equal(a: FloatModel, b: FloatModel):
    for field in dataclasses.fields(FloatModel):
        if field.name == "source":
            continue
        left, right = getattr(a, field.name), getattr(b, field.name)
        if field.name == "blocks":
            for block_a, block_b in zip(left, right, strict=True):
                for block_field in dataclasses.fields(block_a):
                    x, y = getattr(block_a, block_field.name), getattr(block_b, block_field.name)
                    assert (x is None) == (y is None), block_field.name
                    if x is not None:
                        assert x.dtype == y.dtype, block_field.name
                        assert np.array_equal(x, y), block_field.name
        elif field.name == "normalization":
            for key in ("mean", "std"):
                assert np.array_equal(left[key], right[key]), key
        elif isinstance(left, np.ndarray):
            assert left.dtype == right.dtype, field.name
            assert np.array_equal(left, right), field.name
        else:
            assert left == right, field.name


CONVERTIBLE = [options for options in CONFIGS if options.get("model") != "linoss"]


@pytest.mark.parametrize("options", CONVERTIBLE, ids=lambda options: "-".join(map(str, options.values())))
def test_float_model_equals_checkpoint(tmp_path, options):
    checkpoint = write_checkpoint(tmp_path / "model.pt", **options)
    onnx_path = export_checkpoint(checkpoint, tmp_path / "model.onnx", trace_outputs=True)

    from_onnx = float_model_from_onnx(onnx_path)
    assert_float_models_equal(FloatModel.from_checkpoint(checkpoint), from_onnx)
    assert from_onnx.source["kind"] == "onnx"
    assert len(from_onnx.source["checkpoint_sha256"]) == 64


def test_trained_regression_float_model_equal(trained_tecator):
    checkpoint, onnx_path = trained_tecator
    from_checkpoint = FloatModel.from_checkpoint(checkpoint)
    from_onnx = float_model_from_onnx(onnx_path)

    assert_float_models_equal(from_checkpoint, from_onnx)
    assert from_onnx.time_channel
    assert from_onnx.target_scaling == torch.load(checkpoint, weights_only=True)["target_scaling"]
    assert from_onnx.target_scaling["half_range"] > 1.0


def test_linoss_float_model_rejected(tmp_path):
    from share_neuro.conversion.errors import ConversionError

    checkpoint = write_checkpoint(tmp_path / "model.pt", model="linoss")
    onnx_path = export_checkpoint(checkpoint, tmp_path / "model.onnx")
    with pytest.raises(ConversionError, match="only 'share-ssm'"):
        float_model_from_onnx(onnx_path)


def test_conversion_gives_identical_networks(tmp_path):
    checkpoint = write_checkpoint(tmp_path / "model.pt", scheme="imex")
    onnx_path = export_checkpoint(checkpoint, tmp_path / "model.onnx")
    assert_identical_networks(checkpoint, onnx_path, "basicmotions", tmp_path)


def test_trained_regression_identical_networks(trained_tecator, tmp_path):
    checkpoint, onnx_path = trained_tecator
    readout = assert_identical_networks(checkpoint, onnx_path, "tecator", tmp_path).readout
    scaling = torch.load(checkpoint, weights_only=True)["target_scaling"]

    assert readout.target_center == scaling["center"]
    assert readout.target_half_range == scaling["half_range"]


def assert_identical_networks(checkpoint: Path, onnx_path: Path, dataset: str, folder: Path):
    """Convert the checkpoint and its export, assert equal networks (except for the source), return one."""
    from share_neuro.conversion import convert
    from share_neuro.data import load_dataset
    from share_neuro.energy.profiles import load_profile

    train = load_dataset(dataset).train
    X, y = train.X[:6], train.y[:6]
    profile = load_profile("loihi2")

    networks = []
    for model in (FloatModel.from_checkpoint(checkpoint), float_model_from_onnx(onnx_path)):
        network, _ = convert(model, X, y, profile=profile, progress=False)
        network.metadata.pop("source")
        network.metadata.pop("source_sha256")
        networks.append(network)

    from share_neuro.network.hdf5 import load_network, save_network

    reloaded = [load_network(save_network(network, folder / f"net{index}.h5")) for index, network in enumerate(networks)]
    assert repr(reloaded[0].nodes) == repr(reloaded[1].nodes)
    assert repr(reloaded[0].synapses) == repr(reloaded[1].synapses)
    assert reloaded[0].metadata == reloaded[1].metadata
    return reloaded[0]


def foreign_model(op_type: str = "Identity") -> onnx.ModelProto:
    graph = helper.make_graph(
        [helper.make_node(op_type, ["x"], ["y"])], "foreign",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_unsupported_operators_listed(tmp_path):
    path = tmp_path / "foreign.onnx"
    onnx.save(foreign_model("Softmax"), path)
    with pytest.raises(InputFileError, match="operators that share-neuro does not import: Softmax"):
        load_onnx(path)


def test_graph_without_metadata_rejected(tmp_path):
    path = tmp_path / "foreign.onnx"
    onnx.save(foreign_model("Identity"), path)
    with pytest.raises(InputFileError, match="not exported by share-neuro") as error:
        load_onnx(path)
    assert "SHaRe-SSM and LinOSS" in str(error.value)


def test_edited_graph_rejected(tmp_path):
    checkpoint = write_checkpoint(tmp_path / "model.pt")
    onnx_path = export_checkpoint(checkpoint, tmp_path / "model.onnx")
    model = onnx.load(onnx_path)
    greater = next(node for node in model.graph.node if node.op_type == "Greater")
    greater.input.reverse()
    onnx.save(model, onnx_path)
    with pytest.raises(InputFileError, match="graph differs"):
        load_onnx(onnx_path)


def test_edited_coefficients_rejected(tmp_path):
    checkpoint = write_checkpoint(tmp_path / "model.pt", scheme="imex")
    onnx_path = export_checkpoint(checkpoint, tmp_path / "model.onnx")
    model = onnx.load(onnx_path)
    tensor = next(t for t in model.graph.initializer if t.name == "blocks.0.hrf.coefficients.m12")
    values = onnx.numpy_helper.to_array(tensor) * 1.01
    tensor.CopyFrom(onnx.numpy_helper.from_array(values.astype(np.float32), tensor.name))
    onnx.save(model, onnx_path)
    with pytest.raises(InputFileError, match="coefficients blocks.0.hrf.coefficients.m12"):
        load_onnx(onnx_path)


@pytest.mark.parametrize("value", ['{"center": 1.0, "half_range": -2.0}', '{"center": 1.0}', '[1, 2]'])
def test_invalid_target_scaling_rejected(tmp_path, value):
    checkpoint = write_checkpoint(tmp_path / "model.pt", **CONFIGS[3])
    onnx_path = export_checkpoint(checkpoint, tmp_path / "model.onnx")
    model = onnx.load(onnx_path)
    entry = next(entry for entry in model.metadata_props if entry.key == "share_neuro.target_scaling")
    entry.value = value
    onnx.save(model, onnx_path)
    with pytest.raises(InputFileError, match="share_neuro.target_scaling"):
        load_onnx(onnx_path)


def test_edited_target_scaling_initializer_rejected(tmp_path):
    checkpoint = write_checkpoint(tmp_path / "model.pt", **CONFIGS[3])
    onnx_path = export_checkpoint(checkpoint, tmp_path / "model.onnx")
    model = onnx.load(onnx_path)
    tensor = next(t for t in model.graph.initializer if t.name == "target_scaling.center")
    tensor.CopyFrom(onnx.numpy_helper.from_array(np.asarray(0.0, dtype=np.float32), tensor.name))
    onnx.save(model, onnx_path)
    with pytest.raises(InputFileError, match="graph differs"):
        load_onnx(onnx_path)


def test_missing_parameter_rejected(tmp_path):
    checkpoint = write_checkpoint(tmp_path / "model.pt")
    onnx_path = export_checkpoint(checkpoint, tmp_path / "model.onnx")
    model = onnx.load(onnx_path)
    kept = [t for t in model.graph.initializer if t.name != "blocks.1.C"]
    del model.graph.initializer[:]
    model.graph.initializer.extend(kept)
    onnx.save(model, onnx_path)
    with pytest.raises(InputFileError, match="missing blocks.1.C"):
        load_onnx(onnx_path)


def test_truncated_and_missing_files(tmp_path):
    checkpoint = write_checkpoint(tmp_path / "model.pt")
    onnx_path = export_checkpoint(checkpoint, tmp_path / "model.onnx")
    data = onnx_path.read_bytes()
    onnx_path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputFileError, match="truncated or not ONNX"):
        load_onnx(onnx_path)
    with pytest.raises(InputFileError, match="not found"):
        load_onnx(tmp_path / "absent.onnx")


def run_cli(*arguments):
    command = Path(sys.executable).parent / "share-neuro"
    return subprocess.run([str(command), *arguments], capture_output=True, text=True)


def test_cli_export_and_errors(tmp_path):
    checkpoint = write_checkpoint(tmp_path / "model.pt", scheme="imex")
    result = run_cli("export", str(checkpoint), "--format", "onnx", "-o", str(tmp_path / "out.onnx"), "--length", "50")
    assert result.returncode == 0, result.stderr
    assert "out.onnx" in result.stdout
    exported = onnx.load(tmp_path / "out.onnx")
    assert exported.graph.input[0].type.tensor_type.shape.dim[1].dim_value == 50

    data = checkpoint.read_bytes()
    (tmp_path / "broken.pt").write_bytes(data[: len(data) // 2])
    result = run_cli("export", str(tmp_path / "broken.pt"), "-o", str(tmp_path / "broken.onnx"))
    assert result.returncode == 2
    assert "cannot read checkpoint" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "broken.onnx").exists()
    assert not list(tmp_path.glob(".broken.onnx.*"))


def test_supported_operators_are_those_exported():
    from share_neuro.onnx_io.export import export_module
    from share_neuro.onnx_io.graph_check import SUPPORTED_OPERATORS, graph_operators

    used = set()
    for model in ("share-ssm", "linoss"):
        for scheme in ("im", "imex", "imex-damped"):
            for task, time_channel in (("classification", True), ("regression", False)):
                config = make_config(model=model, scheme=scheme, task=task, time_channel=time_channel)
                module = build_model(config).eval()
                graph = export_module(module, {"mean": [0.0] * 6, "std": [1.0] * 6}, trace_outputs=True).graph
                used |= graph_operators(graph)
    assert used == SUPPORTED_OPERATORS
