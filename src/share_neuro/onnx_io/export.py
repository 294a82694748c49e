"""Export a share-neuro checkpoint to ONNX.

The graph is built with `onnx.helper` (see `network_graph`), not with `torch.onnx`:
torch 2.13's dynamo exporter traces the scan's Python loop at the example length and
unrolls it, so the sequence length would be fixed (and a 50-step model already took
48 s to export). Here the HRF recurrence is an ONNX `Scan`, the thresholds are
`Greater` then `Cast`, and batch and length are run-time dimensions.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import onnx
from onnx import helper

from share_neuro.atomic import write_atomic
from share_neuro.errors import InputFileError
from share_neuro.onnx_io import metadata, network_graph
from share_neuro.onnx_io.builder import FLOAT, GraphBuilder
from share_neuro.onnx_io.parameters import (
    coefficient_names, expected_parameters, hrf_layers, raw_hrf_parameters,
)

TRACE_PREFIX = "trace."
# Regression only: `outputs` mapped back to the dataset's units with the target scaling.
PREDICTIONS_NAME = "predictions"
TARGET_SCALING_INITIALIZERS = ("target_scaling.center", "target_scaling.half_range")


def output_name(config: dict) -> str:
    """Return the name of the model's main output: "logits" or "outputs" (regression)."""
    return "logits" if config["task"] == "classification" else "outputs"


def build_onnx_model(config: dict, state: dict, normalization: dict, coefficients: dict, *,
                     target_scaling: dict = None, dataset: str = "", metrics: dict = None, length: int = None,
                     trace_outputs: bool = False, source_sha256: str = "") -> onnx.ModelProto:
    """Return the ONNX model of the share-neuro model `config` with parameters `state`.

    `state` maps state-dict names to numpy arrays; each float32 array becomes an
    initializer of that name, unchanged, except the raw HRF parameters and the int64
    scalars (BatchNorm's counter), which go to the metadata. `coefficients` maps the
    names of `parameters.graph_initializers` for the HRF coefficients to the float32
    values that torch computes (see `torch_coefficients`). `target_scaling`
    ({"center", "half_range"}, regression only, ignored for classification) sets the
    `predictions` output, center + half_range * outputs; None means outputs are
    already in the dataset's units (center 0, half_range 1). `length` fixes the
    sequence length in the input and output shapes (None keeps it a run-time dimension).
    `trace_outputs` adds every intermediate (currents, pre-threshold values, spikes)
    as an extra output named `trace.<name>`.
    """
    _check_state(config, state)
    graph = GraphBuilder()
    raw_names = set(raw_hrf_parameters(config))
    buffers, raw_hrf = {}, {}
    for name, array in state.items():
        if np.asarray(array).dtype == np.int64:
            buffers[name] = int(array)
        elif name in raw_names:
            raw_hrf[name] = np.asarray(array).tolist()
        else:
            graph.initializer(name, array)
    for prefix in hrf_layers(config):
        for name in coefficient_names(config, prefix).values():
            graph.initializer(name, np.asarray(coefficients[name], dtype=np.float32))

    # float32 statistics, as share_neuro.training.normalization applies them.
    mean = graph.initializer("normalization.mean", np.asarray(normalization["mean"], dtype=np.float32))
    std = graph.initializer("normalization.std", np.asarray(normalization["std"], dtype=np.float32))

    trace = {}
    x = network_graph.encoder_input(graph, config, mean, std)
    build_blocks = network_graph.share_ssm if config["model"] == "share-ssm" else network_graph.linoss
    s = build_blocks(graph, config, x, trace)
    output = network_graph.readout(graph, config, s, output_name(config))

    time = length if length is not None else "length"
    inputs = [helper.make_tensor_value_info(network_graph.INPUT_NAME, FLOAT, ["batch", time, int(config["input_size"])])]
    if config["task"] == "classification":
        output_shape = ["batch", int(config["output_size"])]
    else:
        steps = length // int(config["output_step"]) if length is not None else "output_steps"
        output_shape = ["batch", steps, int(config["output_size"])]
    outputs = [helper.make_tensor_value_info(output, FLOAT, output_shape)]

    if config["task"] == "classification":
        target_scaling = None
    else:
        predictions = _predictions(graph, output, target_scaling)
        outputs.append(helper.make_tensor_value_info(predictions, FLOAT, output_shape))

    if trace_outputs:
        for name, value in trace.items():
            graph.op("Identity", [value], output_names=[TRACE_PREFIX + name])
            outputs.append(helper.make_tensor_value_info(TRACE_PREFIX + name, FLOAT, ["batch", time, None]))

    onnx_graph = helper.make_graph(graph.nodes, f"share_neuro_{config['model'].replace('-', '_')}",
                                   inputs, outputs, initializer=graph.initializers)
    model = helper.make_model(
        onnx_graph, producer_name=metadata.PRODUCER, producer_version=_package_version(),
        opset_imports=[helper.make_opsetid("", metadata.OPSET)], ir_version=metadata.IR_VERSION,
        doc_string=f"{config['model']} {config['task']} model exported by share-neuro",
    )
    options = {"length": length, "trace_outputs": bool(trace_outputs)}
    props = metadata.encode_metadata(config=config, normalization=normalization, target_scaling=target_scaling,
                                     dataset=dataset, metrics=metrics or {}, options=options,
                                     source_sha256=source_sha256, buffers=buffers, raw_hrf=raw_hrf)
    helper.set_model_props(model, props)
    return model


def export_checkpoint(checkpoint_path, output_path, *, length: int = None, trace_outputs: bool = False) -> Path:
    """Write the ONNX file of a share-neuro checkpoint; return the output path.

    Raises InputFileError for an unreadable checkpoint or an invalid `target_scaling` in it.
    The file is checked with `onnx.checker.check_model(full_check=True)` and written
    atomically, so a failed export leaves no file behind.
    """
    from share_neuro.conversion.source import read_target_scaling
    from share_neuro.model.checkpoint import load

    checkpoint_path, output_path = Path(checkpoint_path), Path(output_path)
    if length is not None and length < 1:
        raise InputFileError(f"invalid --length {length}; use a positive number of time steps or omit it")

    checkpoint = load(checkpoint_path)
    state = {name: tensor.detach().cpu().numpy() for name, tensor in checkpoint["state_dict"].items()}
    config = dict(checkpoint["config"])
    target_scaling = read_target_scaling(checkpoint.get("target_scaling"), config, checkpoint_path)
    model = build_onnx_model(
        config, state, checkpoint["normalization"], torch_coefficients(config, state),
        target_scaling=target_scaling, dataset=checkpoint["dataset"],
        metrics=checkpoint["metrics"], length=length, trace_outputs=trace_outputs,
        source_sha256=_sha256(checkpoint_path),
    )
    onnx.checker.check_model(model, full_check=True)
    return write_model(model, output_path)


def export_module(module, normalization: dict, **options) -> onnx.ModelProto:
    """Return the ONNX model of a ShareSSM or Linoss module; `options` as for `build_onnx_model`."""
    config = module.config.to_dict()
    state = {name: tensor.detach().cpu().numpy() for name, tensor in module.state_dict().items()}
    return build_onnx_model(config, state, normalization, torch_coefficients(config, state), **options)


def torch_coefficients(config: dict, state: dict) -> dict:
    """Return {coefficient initializer name: float32 array} as the torch model computes them."""
    import torch

    from share_neuro.hrf.coefficients import hrf_coefficients
    from share_neuro.model.build import build_model
    from share_neuro.model.config import ModelConfig

    module = build_model(ModelConfig.from_dict(config))
    module.load_state_dict({name: torch.from_numpy(np.array(array)) for name, array in state.items()})

    result = {}
    with torch.no_grad():
        for block, prefix in zip(module.blocks, hrf_layers(config)):
            if config["model"] == "share-ssm":
                values = block.hrf.coefficients()
            else:
                # NOTE: repeats LinossLayer.forward, which has no coefficients() method.
                layer = block.layer
                G = torch.relu(layer.G_raw) if layer.scheme == "imex-damped" else None
                values = hrf_coefficients(layer.scheme, torch.relu(layer.A_raw), torch.sigmoid(layer.dt_raw), G)
            for coefficient, name in coefficient_names(config, prefix).items():
                value = getattr(values, coefficient).expand(int(config["state_size"]))
                result[name] = value.detach().numpy().astype(np.float32)
    return result


def write_model(model: onnx.ModelProto, path: Path) -> Path:
    """Write `model` to `path` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)

    def write(temporary: str) -> None:
        with open(temporary, "wb") as file:
            file.write(model.SerializeToString())

    return write_atomic(path, write)


def _predictions(graph: GraphBuilder, outputs: str, target_scaling: dict) -> str:
    """Add `predictions = center + half_range * outputs`, computed in float32."""
    scaling = target_scaling or {"center": 0.0, "half_range": 1.0}
    center_name, half_range_name = TARGET_SCALING_INITIALIZERS
    center = graph.initializer(center_name, np.asarray(scaling["center"], dtype=np.float32))
    half_range = graph.initializer(half_range_name, np.asarray(scaling["half_range"], dtype=np.float32))
    scaled = graph.mul(outputs, half_range, "predictions.scaled")
    return graph.op("Add", [scaled, center], output_names=[PREDICTIONS_NAME])


def _check_state(config: dict, state: dict) -> None:
    expected = expected_parameters(config)
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        raise InputFileError(
            f"the state dict does not match its {config['model']} config: missing "
            f"{', '.join(missing) or 'none'}; unexpected {', '.join(unexpected) or 'none'}; "
            "export a checkpoint written by `share-neuro train`"
        )
    for name, (shape, dtype) in expected.items():
        array = np.asarray(state[name])
        if array.shape != shape or array.dtype != dtype:
            raise InputFileError(
                f"parameter {name} has shape {array.shape} and dtype {array.dtype}; the config "
                f"expects shape {shape} and dtype {dtype}"
            )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("share-neuro")
    except PackageNotFoundError:
        return "unknown"
