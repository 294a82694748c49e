"""The ONNX graphs of SHaRe-SSM and LinOSS (eval mode), built from a state dict.

Both take the raw input `x` (batch, L, channels), apply the checkpoint's normalisation
`(x - mean) / std` in float32 (as `share_neuro.training.normalization` does before
training and evaluation), append the `t / L` channel when the config has one, and
follow `share_neuro.model.share_ssm` / `share_neuro.model.linoss` operation by
operation. `trace` names intermediate values that the exporter can add as extra
outputs for debugging and parity tests.
"""

from __future__ import annotations

import math

import numpy as np

from share_neuro.onnx_io import hrf_graph
from share_neuro.onnx_io.builder import FLOAT, INT64_MAX, GraphBuilder
from share_neuro.onnx_io.parameters import coefficient_names

INPUT_NAME = "x"


def encoder_input(graph: GraphBuilder, config: dict, mean: str, std: str) -> str:
    """Return the normalised input, with the time channel appended when configured."""
    x = graph.div(graph.sub(INPUT_NAME, mean), std, "normalized")
    if not config["time_channel"]:
        return x

    # t / L for t = 0 .. L-1, computed in float32 like torch.arange(L) / L.
    length = graph.op("Squeeze", [graph.dimension(x, 1, "length"), graph.constant([0], np.int64)], "length.scalar")
    steps = graph.op("Range", [graph.constant(0, np.int64), length, graph.constant(1, np.int64)], "time.steps")
    time = graph.div(graph.op("Cast", [steps], to=FLOAT), graph.op("Cast", [length], to=FLOAT), "time")
    time = graph.op("Unsqueeze", [time, graph.constant([0, 2], np.int64)], "time.column")
    column_shape = graph.op("Concat", [graph.dimension(x, 0, "batch"), graph.dimension(x, 1, "length"),
                                       graph.constant([1], np.int64)], "time.shape", axis=0)
    time = graph.op("Expand", [time, column_shape], "time.channel")
    return graph.op("Concat", [x, time], "encoder_input", axis=-1)


def share_ssm(graph: GraphBuilder, config: dict, x: str, trace: dict) -> str:
    """Add the SHaRe-SSM encoder and blocks; return the final stream s (batch, L, H)."""
    current = graph.linear(x, "encoder.weight", "encoder.bias", "encoder")
    s = graph.spikes(current, "theta_enc", "encoder.spikes")
    trace["encoder_current"], trace["encoder_spikes"] = current, s

    for index in range(int(config["num_blocks"])):
        p = f"blocks.{index}."
        hrf_current = graph.linear(s, p + "hrf.B", hint=p + "hrf.current")
        coefficients = hrf_graph.coefficients(coefficient_names(config, p + "hrf."))
        signal = hrf_graph.scan(graph, coefficients, hrf_current, config["spike_on"], hint=p + "hrf")
        hrf_spikes = graph.spikes(signal, p + "hrf.theta_c", p + "hrf.spikes")

        c_current = graph.add(graph.linear(hrf_spikes, p + "C", hint=p + "c"), graph.mul(p + "D", s), p + "c.current")
        c_spikes = graph.spikes(c_current, p + "theta_d", p + "c.spikes")
        linear_current = graph.linear(c_spikes, p + "linear.weight", p + "linear.bias", p + "linear.current")
        linear_spikes = graph.spikes(linear_current, p + "theta_l", p + "linear.spikes")
        s = graph.add(s, linear_spikes, p + "stream")

        trace.update({
            p + "hrf_signal": signal, p + "hrf_spikes": hrf_spikes,
            p + "c_current": c_current, p + "c_spikes": c_spikes,
            p + "linear_current": linear_current, p + "linear_spikes": linear_spikes,
            p + "stream": s,
        })
    return s


def linoss(graph: GraphBuilder, config: dict, x: str, trace: dict) -> str:
    """Add the LinOSS encoder and blocks; return the final hidden sequence (batch, L, H)."""
    x = graph.linear(x, "encoder.weight", "encoder.bias", "encoder")
    trace["encoder_current"] = x

    for index in range(int(config["num_blocks"])):
        p = f"blocks.{index}."

        # BatchNorm1d in eval mode normalises the channel axis with the running statistics.
        channels_first = graph.op("Transpose", [x], p + "norm.input", perm=[0, 2, 1])
        normalized = graph.op(
            "BatchNormalization",
            [channels_first, p + "norm.weight", p + "norm.bias", p + "norm.running_mean", p + "norm.running_var"],
            p + "norm", epsilon=1e-5,
        )
        y = graph.op("Transpose", [normalized], p + "norm.output", perm=[0, 2, 1])

        # The real and imaginary parts of B y run through one scan, stacked along the batch.
        coefficients = hrf_graph.coefficients(coefficient_names(config, p + "layer."))
        current = graph.op("Concat", [graph.linear(y, p + "layer.B_real", hint=p + "layer.current_real"),
                                      graph.linear(y, p + "layer.B_imag", hint=p + "layer.current_imag")],
                           p + "layer.current", axis=0)
        position = hrf_graph.scan(graph, coefficients, current, "position", hint=p + "layer")
        batch = graph.dimension(y, 0, p + "batch")
        start, end = graph.constant([0], np.int64), graph.constant([INT64_MAX], np.int64)
        axis = graph.constant([0], np.int64)
        real = graph.op("Slice", [position, start, batch, axis], p + "layer.position_real")
        imag = graph.op("Slice", [position, batch, end, axis], p + "layer.position_imag")
        layer = graph.sub(graph.linear(real, p + "layer.C_real", hint=p + "layer.out_real"),
                          graph.linear(imag, p + "layer.C_imag", hint=p + "layer.out_imag"))
        layer = graph.add(layer, graph.mul(p + "layer.D", y), p + "layer.output")

        # Exact GELU, x * 0.5 * (1 + erf(x / sqrt(2))), as torch's default computes it.
        erf = graph.op("Erf", [graph.mul(layer, graph.constant(1.0 / math.sqrt(2.0)))])
        gelu = graph.mul(graph.mul(layer, graph.constant(0.5)), graph.add(erf, graph.constant(1.0)), p + "gelu")

        hidden = int(config["hidden_size"])
        glu_input = graph.linear(gelu, p + "glu.weight", p + "glu.bias", p + "glu.input")
        value = graph.slice(glu_input, 0, hidden, axis=-1, hint=p + "glu.value")
        gate = graph.op("Sigmoid", [graph.slice(glu_input, hidden, 2 * hidden, axis=-1, hint=p + "glu.gate")])
        x = graph.add(x, graph.mul(value, gate, p + "glu"), p + "stream")
        trace[p + "layer_output"] = layer
        trace[p + "stream"] = x
    return x


def readout(graph: GraphBuilder, config: dict, s: str, output_name: str) -> str:
    """Add the classification or regression head (see share_neuro.model.readout)."""
    if config["task"] == "classification":
        pooled = graph.op("ReduceMean", [s], "readout.pooled", axes=[1], keepdims=0)
        return graph.op("Gemm", [pooled, "readout.head.weight", "readout.head.bias"],
                        output_names=[output_name], transB=1)

    outputs, taps = int(config["output_size"]), int(config["fir_taps"])
    projection = graph.linear(s, "readout.head.weight", "readout.head.bias", "readout.projection")

    # Conv is a cross-correlation, so the kernel holds the taps in reverse order; the
    # K - 1 zeros of left padding make the filter causal. One group per output.
    reversed_taps = graph.slice("readout.fir", -1, -(taps + 1), axis=0, step=-1, hint="readout.fir_reversed")
    kernel = graph.op("Reshape", [reversed_taps, graph.constant([1, 1, taps], np.int64)], "readout.kernel")
    kernel = graph.op("Tile", [kernel, graph.constant([outputs, 1, 1], np.int64)], "readout.kernels")
    channels_first = graph.op("Transpose", [projection], "readout.fir_input", perm=[0, 2, 1])
    filtered = graph.op("Conv", [channels_first, kernel], "readout.filtered",
                        group=outputs, pads=[taps - 1, 0], kernel_shape=[taps])
    filtered = graph.op("Transpose", [filtered], "readout.filtered_t", perm=[0, 2, 1])

    step = int(config["output_step"])
    sampled = graph.slice(filtered, step - 1, INT64_MAX, axis=1, step=step, hint="readout.sampled")
    return graph.op("Tanh", [sampled], output_names=[output_name])
