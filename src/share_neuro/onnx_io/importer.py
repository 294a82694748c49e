"""Read an ONNX file written by `share-neuro export` back into parameters or a `FloatModel`.

The exporter stores every float parameter as an initializer under its state-dict name,
unchanged, so the float32 values come back bit for bit. A file is accepted only when
its operators are the exporter's (`graph_check`), its metadata carries the share-neuro
format tag, its initializers are exactly the parameters its config calls for, and its
graph is the one the exporter writes for those parameters.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np
import onnx
from google.protobuf.message import DecodeError
from onnx import numpy_helper

from share_neuro.errors import InputFileError
from share_neuro.hrf.coefficients import hrf_coefficients
from share_neuro.model.config import ModelConfig, ModelConfigError
from share_neuro.onnx_io import metadata
from share_neuro.onnx_io.export import TARGET_SCALING_INITIALIZERS
from share_neuro.onnx_io.graph_check import check_operators
from share_neuro.onnx_io.parameters import (
    coefficient_names, expected_parameters, graph_initializers, hrf_layers, raw_hrf_parameters,
)

# Initializers that are no state-dict parameter. The graph check compares their values.
NON_PARAMETER_INITIALIZERS = ("normalization.mean", "normalization.std", *TARGET_SCALING_INITIALIZERS)
SUPPORTED = (
    "share-neuro imports ONNX files written by `share-neuro export` (metadata entry "
    f"{metadata.KEY_FORMAT} = {metadata.FORMAT_TAG}, format version {metadata.FORMAT_VERSION}) "
    "for SHaRe-SSM and LinOSS models"
)


@dataclass
class OnnxModel:
    """The contents of an exported file: config, state dict and what the checkpoint recorded."""

    config: dict  # ModelConfig.to_dict()
    state: dict  # state-dict name -> numpy array (float32; int64 for BatchNorm's counter)
    normalization: dict  # {"mean": [C floats], "std": [C floats]}, float64 as in the checkpoint
    target_scaling: Optional[dict]  # regression: {"center", "half_range"} floats, or None when not recorded
    dataset: str
    metrics: dict
    options: dict  # {"length": int or None, "trace_outputs": bool}
    coefficients: dict  # HRF coefficient initializer name -> float32 array, as the graph uses them
    source_sha256: str  # SHA-256 of the checkpoint it was exported from
    path: Path = field(default=None)


def load_onnx(path) -> OnnxModel:
    """Read and check an exported file; raise InputFileError naming what is wrong otherwise."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"ONNX file not found: {path}; pass a file written by `share-neuro export`")

    try:
        model = onnx.load(str(path))
    except (DecodeError, OSError, ValueError, RuntimeError) as error:
        raise InputFileError(
            f"cannot read {path} as an ONNX model ({type(error).__name__}: {error}); the file is "
            "truncated or not ONNX; export it again with `share-neuro export`"
        ) from None

    check_operators(model, path)
    props = {entry.key: entry.value for entry in model.metadata_props}
    _check_format(props, path)
    config, normalization, target_scaling, metrics, options, buffers, raw_hrf = _read_metadata(props, path)

    state, coefficients = _read_state(model, config, buffers, raw_hrf, path)
    result = OnnxModel(
        config=config, state=state, normalization=normalization, target_scaling=target_scaling,
        dataset=props[metadata.KEY_DATASET], metrics=metrics, options=options, coefficients=coefficients,
        source_sha256=props[metadata.KEY_SOURCE_SHA256], path=path,
    )
    _check_coefficients(result, path)
    _check_graph(model, result, path)
    return result


def float_model_from_onnx(path):
    """Return the converter's `FloatModel` for an exported SHaRe-SSM file.

    The result equals `FloatModel.from_checkpoint` of the checkpoint the file was
    exported from, except `source`, which names the ONNX file (kind "onnx") and records
    the checkpoint's SHA-256 as `checkpoint_sha256`.
    """
    from share_neuro.conversion.source import check_convertible, file_sha256, from_state_dict

    exported = load_onnx(path)
    config = dict(exported.config)
    check_convertible(config, path)

    state = {name: np.asarray(array).astype(np.float64) for name, array in exported.state.items()}
    model = from_state_dict(config, state)
    model.normalization = {
        key: np.asarray(exported.normalization[key], dtype=np.float64) for key in ("mean", "std")
    }
    model.target_scaling = None if exported.target_scaling is None else dict(exported.target_scaling)
    model.dataset = exported.dataset
    model.metrics = dict(exported.metrics)
    model.source = {
        "path": str(path), "sha256": file_sha256(path), "kind": "onnx",
        "checkpoint_sha256": exported.source_sha256,
    }
    return model


def model_from_onnx(path):
    """Return (torch module in eval mode, OnnxModel) for an exported file."""
    import torch

    from share_neuro.model.build import build_model

    exported = load_onnx(path)
    module = build_model(ModelConfig.from_dict(exported.config))
    module.load_state_dict({name: torch.from_numpy(np.array(array)) for name, array in exported.state.items()})
    module.eval()
    return module, exported


def _check_format(props: dict, path: Path) -> None:
    tag = props.get(metadata.KEY_FORMAT)
    if tag != metadata.FORMAT_TAG:
        raise InputFileError(
            f"{path} was not exported by share-neuro (its metadata has no entry "
            f"{metadata.KEY_FORMAT} = {metadata.FORMAT_TAG}); {SUPPORTED}. Export the model's .pt "
            "checkpoint with `share-neuro export MODEL.pt --format onnx` or use the checkpoint directly"
        )

    version = props.get(metadata.KEY_VERSION)
    if version != metadata.FORMAT_VERSION:
        raise InputFileError(
            f"{path} has share-neuro ONNX format version {version!r}, but this share-neuro reads "
            f"version {metadata.FORMAT_VERSION}; export the checkpoint again with this release"
        )

    missing = [key for key in metadata.REQUIRED_KEYS if key not in props]
    if missing:
        raise InputFileError(
            f"{path} lacks the metadata entries {', '.join(missing)}; export the checkpoint again"
        )


def _read_metadata(props: dict, path: Path) -> tuple:
    try:
        decoded = {key: json.loads(props[key]) for key in (
            metadata.KEY_CONFIG, metadata.KEY_NORMALIZATION, metadata.KEY_TARGET_SCALING, metadata.KEY_METRICS,
            metadata.KEY_OPTIONS, metadata.KEY_BUFFERS, metadata.KEY_RAW_HRF)}
    except json.JSONDecodeError as error:
        raise InputFileError(f"{path} has a metadata entry that is not valid JSON ({error}); export it again") from None

    try:
        config = ModelConfig.from_dict(decoded[metadata.KEY_CONFIG]).to_dict()
    except ModelConfigError as error:
        raise InputFileError(f"{path} contains an invalid model config: {error}") from None

    normalization = decoded[metadata.KEY_NORMALIZATION]
    for key in ("mean", "std"):
        values = normalization.get(key) if isinstance(normalization, dict) else None
        if not isinstance(values, list) or len(values) != config["input_size"]:
            raise InputFileError(
                f"{path} has normalization {key!r} = {values!r}; expected {config['input_size']} floats"
            )
    target_scaling = _read_target_scaling(decoded[metadata.KEY_TARGET_SCALING], config, path)
    return (config, normalization, target_scaling, decoded[metadata.KEY_METRICS], decoded[metadata.KEY_OPTIONS],
            decoded[metadata.KEY_BUFFERS], decoded[metadata.KEY_RAW_HRF])


def _read_target_scaling(value, config: dict, path: Path) -> Optional[dict]:
    """Return the metadata's target scaling as floats; raise InputFileError for an invalid entry."""
    if value is None:
        return None

    if config["task"] != "regression" or not _valid_target_scaling(value):
        raise InputFileError(
            f"{path} has {metadata.KEY_TARGET_SCALING} = {json.dumps(value)} for a {config['task']} model; "
            'expected null, or for regression {"center": finite number, "half_range": finite number > 0}; '
            "export the checkpoint again with `share-neuro export`"
        )
    return {"center": float(value["center"]), "half_range": float(value["half_range"])}


def _valid_target_scaling(value) -> bool:
    if not isinstance(value, dict) or set(value) != {"center", "half_range"}:
        return False

    for number in value.values():
        if isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(number):
            return False
    return value["half_range"] > 0


def _read_state(model: onnx.ModelProto, config: dict, buffers: dict, raw_hrf: dict, path: Path) -> tuple:
    """Return (state dict, coefficients); the state lists the graph's parameters in file order first."""
    expected = expected_parameters(config)
    in_graph = graph_initializers(config)
    raw_names = set(raw_hrf_parameters(config))
    integer_names = {name for name, (_, dtype) in expected.items() if dtype == np.int64}

    initializers = {tensor.name: tensor for tensor in model.graph.initializer}
    found = {name for name in initializers if not name.startswith("const.") and name not in NON_PARAMETER_INITIALIZERS}
    missing = sorted((set(in_graph) - found) | (raw_names - set(raw_hrf)) | (integer_names - set(buffers)))
    unexpected = sorted((found - set(in_graph)) | (set(raw_hrf) - raw_names) | (set(buffers) - integer_names))
    if missing or unexpected:
        raise InputFileError(
            f"{path} does not hold the parameters of its {config['model']} config: missing "
            f"{', '.join(missing) or 'none'}; unexpected {', '.join(unexpected) or 'none'}; "
            "export the checkpoint again with `share-neuro export`"
        )

    state, coefficients = {}, {}
    for name, tensor in initializers.items():
        if name not in in_graph:
            continue
        array = numpy_helper.to_array(tensor)
        _check_array(name, array, *in_graph[name], path)
        if name in expected:
            state[name] = array
        else:
            coefficients[name] = array

    for name in sorted(raw_names):
        try:
            array = np.asarray(raw_hrf[name], dtype=np.float32)
            exact = np.array_equal(array.astype(np.float64), np.asarray(raw_hrf[name], dtype=np.float64))
        except (TypeError, ValueError):
            exact = False
        if not exact:
            raise InputFileError(f"{path}: metadata value of {name} is not a list of float32 numbers; export it again")
        _check_array(name, array, *expected[name], path)
        state[name] = array

    for name in sorted(integer_names):
        state[name] = np.asarray(buffers[name], dtype=np.int64)
    return state, coefficients


def _check_array(name: str, array: np.ndarray, shape: tuple, dtype, path: Path) -> None:
    if array.shape != shape or array.dtype != dtype:
        raise InputFileError(
            f"{path}: parameter {name} has shape {array.shape} and dtype {array.dtype}; its "
            f"config expects shape {shape} and dtype {dtype}"
        )


def _check_coefficients(exported: OnnxModel, path: Path) -> None:
    """Raise InputFileError unless the graph's coefficients follow from the raw HRF parameters."""
    config, state = exported.config, exported.state
    for prefix in hrf_layers(config):
        def raw(name):
            key = prefix + name
            return state[key].astype(np.float64) if key in state else None

        G = raw("G_raw")
        expected = hrf_coefficients(
            config["scheme"], np.maximum(raw("A_raw"), 0.0), 1.0 / (1.0 + np.exp(-raw("dt_raw"))),
            None if G is None else np.maximum(G, 0.0), raw("a1"), raw("a2"), xp=np,
        )
        for coefficient, name in coefficient_names(config, prefix).items():
            stored = exported.coefficients[name].astype(np.float64)
            wanted = np.broadcast_to(np.asarray(getattr(expected, coefficient), dtype=np.float64), stored.shape)
            # float32 rounding of a few operations; an edited value is far outside this.
            if not np.allclose(stored, wanted, rtol=1e-5, atol=1e-6):
                raise InputFileError(
                    f"{path}: the HRF coefficients {name} do not follow from the raw parameters in its "
                    "metadata (the file was edited after export); export the checkpoint again"
                )


def _check_graph(model: onnx.ModelProto, exported: OnnxModel, path: Path) -> None:
    """Raise InputFileError unless the graph equals the exporter's graph for these parameters."""
    from share_neuro.onnx_io.export import build_onnx_model

    options = exported.options if isinstance(exported.options, dict) else {}
    expected = build_onnx_model(
        exported.config, exported.state, exported.normalization, exported.coefficients,
        target_scaling=exported.target_scaling, dataset=exported.dataset,
        metrics=exported.metrics, length=options.get("length"),
        trace_outputs=bool(options.get("trace_outputs")), source_sha256=exported.source_sha256,
    ).graph
    if expected.SerializeToString(deterministic=True) == model.graph.SerializeToString(deterministic=True):
        return

    raise InputFileError(
        f"{path} carries the share-neuro format tag, but its graph differs from the one "
        f"`share-neuro export` writes for its parameters ({_first_difference(expected, model.graph)}); "
        "the file was edited after export or written by another release; export the checkpoint again"
    )


def _first_difference(expected: onnx.GraphProto, actual: onnx.GraphProto) -> str:
    for index, (want, have) in enumerate(zip(expected.node, actual.node)):
        if want != have:
            return f"node {index}: expected {want.op_type} {want.name!r}, found {have.op_type} {have.name!r}"
    if len(expected.node) != len(actual.node):
        return f"{len(actual.node)} nodes instead of {len(expected.node)}"
    for kind in ("initializer", "input", "output"):
        want, have = getattr(expected, kind), getattr(actual, kind)
        names = [item.name for item in want], [item.name for item in have]
        if names[0] != names[1]:
            return f"{kind}s {names[1]} instead of {names[0]}"
        for item_want, item_have in zip(want, have):
            if item_want != item_have:
                return f"{kind} {item_have.name!r} has other contents"
    return "graph attributes differ"
