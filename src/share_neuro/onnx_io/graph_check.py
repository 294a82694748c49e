"""The ONNX operators that share-neuro's exported graphs use, and the check against them.

The importer accepts only graphs written by `share-neuro export`; this check runs first
so that a foreign graph is rejected with the list of operators it would need.
"""

from __future__ import annotations

import onnx

from share_neuro.errors import InputFileError

# Every operator the exporter writes (main domain, opset 17), including the Scan body.
SUPPORTED_OPERATORS = frozenset({
    "Add", "BatchNormalization", "Cast", "Concat", "ConstantOfShape", "Conv", "Div", "Erf",
    "Expand", "Gather", "Gemm", "Greater", "Identity", "MatMul", "Mul", "Range", "ReduceMean",
    "Reshape", "Scan", "Shape", "Sigmoid", "Slice", "Squeeze", "Sub", "Tanh", "Tile",
    "Transpose", "Unsqueeze",
})


def graph_operators(graph: onnx.GraphProto) -> set:
    """Return the operators of `graph` and of every subgraph in it, as "domain::Op" or "Op"."""
    found = set()
    for node in graph.node:
        found.add(f"{node.domain}::{node.op_type}" if node.domain not in ("", "ai.onnx") else node.op_type)
        for attribute in node.attribute:
            if attribute.type == onnx.AttributeProto.GRAPH:
                found |= graph_operators(attribute.g)
            elif attribute.type == onnx.AttributeProto.GRAPHS:
                for subgraph in attribute.graphs:
                    found |= graph_operators(subgraph)
    return found


def unsupported_operators(model: onnx.ModelProto) -> list:
    """Return the sorted operators of `model` that share-neuro's graphs never contain."""
    return sorted(graph_operators(model.graph) - SUPPORTED_OPERATORS)


def check_operators(model: onnx.ModelProto, path) -> None:
    """Raise InputFileError listing the operators of `model` outside SUPPORTED_OPERATORS."""
    unsupported = unsupported_operators(model)
    if unsupported:
        raise InputFileError(
            f"{path} uses ONNX operators that share-neuro does not import: {', '.join(unsupported)}. "
            "share-neuro imports only SHaRe-SSM and LinOSS graphs written by `share-neuro export` "
            f"(operators {', '.join(sorted(SUPPORTED_OPERATORS))}); export the model's .pt "
            "checkpoint with `share-neuro export` or convert the checkpoint directly"
        )
