"""`GraphBuilder`: a thin layer over `onnx.helper` that names values and collects nodes.

Every value gets a unique name from a hint and a counter, so the same model always
produces the same graph, byte for byte; the importer relies on that to check that a
file's graph is the one `share-neuro export` writes for its parameters.
"""

from __future__ import annotations

import numpy as np
from onnx import TensorProto, helper, numpy_helper

FLOAT = TensorProto.FLOAT
INT64_MAX = np.iinfo(np.int64).max
INT64_MIN = np.iinfo(np.int64).min


class GraphBuilder:
    """Nodes and initializers of one ONNX graph (or of a loop body, with `prefix`)."""

    def __init__(self, prefix: str = ""):
        self.prefix = prefix
        self.nodes = []
        self.initializers = []
        self._counter = 0
        self._constants = {}

    def unique(self, hint: str) -> str:
        """Return a new value name built from `hint`."""
        self._counter += 1
        return f"{self.prefix}{hint}.{self._counter}"

    def op(self, op_type: str, inputs, hint: str = None, *, outputs: int = 1, output_names=None, **attributes):
        """Append one node; return its output name (or the list of names when outputs > 1)."""
        if output_names is None:
            output_names = [self.unique(hint or op_type.lower()) for _ in range(outputs)]
        node = helper.make_node(op_type, list(inputs), list(output_names), name=output_names[0], **attributes)
        self.nodes.append(node)
        return output_names[0] if len(output_names) == 1 else list(output_names)

    def initializer(self, name: str, array: np.ndarray) -> str:
        """Add a named initializer (a parameter) holding exactly `array`."""
        self.initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def constant(self, value, dtype=np.float32) -> str:
        """Return the name of a constant initializer, shared between equal constants."""
        array = np.asarray(value, dtype=dtype)
        key = (array.dtype.str, array.shape, array.tobytes())
        if key not in self._constants:
            name = f"{self.prefix}const.{len(self._constants)}"
            self.initializers.append(numpy_helper.from_array(array, name))
            self._constants[key] = name
        return self._constants[key]

    # Arithmetic shorthands; each appends one node.
    def add(self, a, b, hint=None):
        return self.op("Add", [a, b], hint)

    def sub(self, a, b, hint=None):
        return self.op("Sub", [a, b], hint)

    def mul(self, a, b, hint=None):
        return self.op("Mul", [a, b], hint)

    def div(self, a, b, hint=None):
        return self.op("Div", [a, b], hint)

    def linear(self, x: str, weight: str, bias: str = None, hint: str = "linear") -> str:
        """Return x @ weight.T (+ bias) for x of any rank, as torch's nn.Linear computes it."""
        transposed = self.op("Transpose", [weight], f"{hint}.weight_t", perm=[1, 0])
        product = self.op("MatMul", [x, transposed], hint)
        return product if bias is None else self.add(product, bias, hint)

    def spikes(self, signal: str, threshold: str, hint: str) -> str:
        """Return 1.0 where signal > threshold and 0.0 elsewhere (H(0) = 0, strict)."""
        above = self.op("Greater", [signal, threshold], f"{hint}.above")
        return self.op("Cast", [above], hint, to=FLOAT)

    def slice(self, x: str, start: int, end: int, axis: int, step: int = 1, hint: str = "slice") -> str:
        return self.op("Slice", [
            x, self.constant([start], np.int64), self.constant([end], np.int64),
            self.constant([axis], np.int64), self.constant([step], np.int64),
        ], hint)

    def dimension(self, x: str, axis: int, hint: str = "dim") -> str:
        """Return the size of `axis` of x as a 1-element int64 tensor."""
        shape = self.op("Shape", [x], f"{hint}.shape")
        return self.op("Gather", [shape, self.constant([axis], np.int64)], hint, axis=0)
