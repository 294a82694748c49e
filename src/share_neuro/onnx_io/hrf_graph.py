"""The HRF recurrence in ONNX: the per-neuron coefficients and a `Scan` over time.

The coefficients are initializers holding the float32 values that torch computes from
the raw parameters (A_raw, dt_raw, G_raw, a1, a2). Computing them in the graph instead
changes them by an ulp (ONNX Runtime's Sigmoid rounds differently from torch's), and
with IMEX, whose eigenvalues have modulus 1, such an ulp in dt moved the positions of a
17,984-step sequence by 0.02. The `Scan` body runs
`u_n = m11 u + m12 v + g1 i_n + c1`, `v_n = m21 u + m22 v + g2 i_n + c2` in the order of
the sequential loop `share_neuro.model.scan.scan_sequential`, one time step per
iteration, so the sequence length is a run-time dimension.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from onnx import helper

from share_neuro.onnx_io.builder import FLOAT, GraphBuilder


class Coefficients(NamedTuple):
    """Value names of the eight coefficient vectors; c1, c2 are None when they are zero."""

    m11: str
    m12: str
    m21: str
    m22: str
    g1: str
    g2: str
    c1: str = None
    c2: str = None


def coefficients(names: dict) -> Coefficients:
    """Return the coefficient value names of one layer from {coefficient: initializer name}."""
    return Coefficients(**names)


def scan(graph: GraphBuilder, coefficients: Coefficients, current: str, signal: str, hint: str = "hrf") -> str:
    """Add a Scan over the time axis of `current` (batch, L, P); return the `signal` sequence.

    `signal` is "position" (v) or "velocity" (u). The state starts at zero.
    """
    body = GraphBuilder(prefix=f"{hint}.body.")
    u, v, i = f"{hint}.body.u_in", f"{hint}.body.v_in", f"{hint}.body.current"
    c = coefficients

    def update(m_u, m_v, gain, offset, name):
        total = body.add(body.add(body.mul(m_u, u), body.mul(m_v, v)), body.mul(gain, i))
        return body.add(total, offset, name) if offset is not None else body.op("Identity", [total], name)

    u_next = update(c.m11, c.m12, c.g1, c.c1, "u")
    v_next = update(c.m21, c.m22, c.g2, c.c2, "v")
    emitted = body.op("Identity", [v_next if signal == "position" else u_next], signal)

    def value(name):
        return helper.make_tensor_value_info(name, FLOAT, None)

    body_graph = helper.make_graph(
        body.nodes, f"{hint}.step",
        inputs=[value(u), value(v), value(i)],
        outputs=[value(u_next), value(v_next), value(emitted)],
        initializer=body.initializers,
    )

    # Zero state of shape (batch, P): the current without its time axis.
    shape = graph.op("Shape", [current], f"{hint}.current_shape")
    state_shape = graph.op("Gather", [shape, graph.constant([0, 2], np.int64)], f"{hint}.state_shape", axis=0)
    zeros = graph.op("ConstantOfShape", [state_shape], f"{hint}.zero_state",
                     value=helper.make_tensor("zero", FLOAT, [1], [0.0]))

    _, _, sequence = graph.op(
        "Scan", [zeros, zeros, current], f"{hint}.scan", outputs=3,
        body=body_graph, num_scan_inputs=1, scan_input_axes=[1], scan_output_axes=[1],
    )
    return sequence
