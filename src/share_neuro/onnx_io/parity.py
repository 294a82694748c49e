"""Compare an exported graph, run by ONNX Runtime, with the torch model it came from.

Each stage of a SHaRe-SSM is compared on the same input: the torch module recomputes
the stage from the spikes that ONNX Runtime produced upstream (teacher forcing), so a
rounding difference in one stage cannot spread into the next. A stage passes when its
pre-threshold values agree within `atol + rtol * |value|`, and every spike that differs
lies at an element whose torch value is within that tolerance of the threshold.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from share_neuro.onnx_io.export import TRACE_PREFIX, output_name


@dataclass
class StageComparison:
    """Agreement of one stage's pre-threshold values and spikes."""

    stage: str
    elements: int
    max_abs_difference: float
    tolerance_exceeded: int  # values farther apart than atol + rtol * |torch value|
    spikes: int  # torch spikes in the stage
    spike_mismatches: int  # spikes that differ between the runtimes
    mismatches_off_threshold: int  # differing spikes whose torch value is not within tolerance of the threshold

    def to_dict(self) -> dict:
        return asdict(self)


def run_onnx(model_bytes: bytes, X: np.ndarray, threads: int = 1) -> dict:
    """Return {output name: array} of the graph for raw input X (batch, L, channels)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    session = onnxruntime.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])
    names = [output.name for output in session.get_outputs()]
    return dict(zip(names, session.run(names, {"x": np.asarray(X, dtype=np.float32)})))


def compare_stage(stage: str, onnx_value, torch_value, threshold=None, onnx_spikes=None,
                  rtol: float = 1e-5, atol: float = 1e-5) -> StageComparison:
    """Compare one stage; `threshold` and `onnx_spikes` apply to thresholded stages."""
    onnx_value = np.asarray(onnx_value, dtype=np.float64)
    torch_value = np.asarray(torch_value, dtype=np.float64)
    tolerance = atol + rtol * np.abs(torch_value)
    difference = np.abs(onnx_value - torch_value)

    spikes = mismatches = off_threshold = 0
    if threshold is not None:
        torch_spikes = torch_value > np.asarray(threshold, dtype=np.float64)
        differ = torch_spikes != np.asarray(onnx_spikes).astype(bool)
        spikes, mismatches = int(torch_spikes.sum()), int(differ.sum())
        near = np.abs(torch_value - np.asarray(threshold, dtype=np.float64)) <= tolerance
        off_threshold = int((differ & ~near).sum())

    return StageComparison(
        stage=stage, elements=int(difference.size), max_abs_difference=float(difference.max(initial=0.0)),
        tolerance_exceeded=int((difference > tolerance).sum()), spikes=spikes,
        spike_mismatches=mismatches, mismatches_off_threshold=off_threshold,
    )


def compare_share_ssm(module, onnx_outputs: dict, x_normalized: np.ndarray, *, rtol: float = 1e-5,
                      atol: float = 1e-5, hrf_scan: str = "sequential", hrf_tolerance: float = None) -> list:
    """Compare every stage of a ShareSSM with the `trace.*` outputs of its graph.

    `x_normalized` is the normalised input that the torch module takes. The HRF stage
    runs with torch's `hrf_scan` method: "sequential" is the step-by-step loop that the
    graph's Scan follows operation by operation; "parallel" sums in another order.
    With `hrf_tolerance`, the HRF stage is compared with the absolute tolerance
    `hrf_tolerance * max(1, max |signal|)` instead of rtol and atol, because the
    parallel scan's rounding grows with the length of the sequence, not with each value.
    """
    import torch

    def onnx(name):
        return onnx_outputs[TRACE_PREFIX + name]

    def tensor(array):
        return torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32))

    comparisons = []
    with torch.no_grad():
        encoder = module.encoder(module.encoder_input(tensor(x_normalized))).numpy()
        comparisons.append(compare_stage("encoder", onnx("encoder_current"), encoder,
                                         module.theta_enc.numpy(), onnx("encoder_spikes"), rtol, atol))
        stream = onnx("encoder_spikes")

        for index, block in enumerate(module.blocks):
            p = f"blocks.{index}."
            configured, block.hrf.scan = block.hrf.scan, hrf_scan
            try:
                states = block.hrf.trace(tensor(stream))
            finally:
                block.hrf.scan = configured
            signal = states["position"] if block.hrf.spike_on == "position" else states["velocity"]
            signal = signal.numpy()
            hrf_rtol, hrf_atol = rtol, atol
            if hrf_tolerance is not None:
                hrf_rtol, hrf_atol = 0.0, hrf_tolerance * max(1.0, float(np.abs(signal).max()))
            comparisons.append(compare_stage(p + "hrf", onnx(p + "hrf_signal"), signal,
                                             block.hrf.theta_c.numpy(), onnx(p + "hrf_spikes"), hrf_rtol, hrf_atol))

            c_current = tensor(onnx(p + "hrf_spikes")) @ block.C.t() + block.D * tensor(stream)
            comparisons.append(compare_stage(p + "c", onnx(p + "c_current"), c_current.numpy(),
                                             block.theta_d.numpy(), onnx(p + "c_spikes"), rtol, atol))

            linear_current = block.linear(tensor(onnx(p + "c_spikes")))
            comparisons.append(compare_stage(p + "linear", onnx(p + "linear_current"), linear_current.numpy(),
                                             block.theta_l.numpy(), onnx(p + "linear_spikes"), rtol, atol))

            comparisons.append(compare_stage(p + "stream", onnx(p + "stream"), stream + onnx(p + "linear_spikes"),
                                             rtol=0.0, atol=0.0))
            stream = onnx(p + "stream")

        readout = module.readout(tensor(stream)).numpy()
    comparisons.append(compare_stage("readout", onnx_outputs[output_name(module.config.to_dict())], readout, rtol=rtol, atol=atol))
    return comparisons
