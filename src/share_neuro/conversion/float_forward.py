"""The float forward pass of a `FloatModel` in numpy (float64), with every intermediate.

It computes what `ShareSSM.trace` computes, so that calibration works the same for a
model read from a checkpoint or from ONNX, without torch. The HRF recurrence runs step
by step with the coefficients of `share_neuro.hrf.coefficients`.
"""

from __future__ import annotations

import numpy as np

from share_neuro.conversion.source import FloatModel


def normalize(model: FloatModel, X: np.ndarray) -> np.ndarray:
    """Return the encoder input for raw X (N, L, C): `(X - mean) / std` in float64, then `t / L` when the model has a time channel.

    The time channel is appended after normalisation, as `ShareSSM.encoder_input` does.
    """
    mean = np.asarray(model.normalization["mean"], dtype=np.float64)
    std = np.asarray(model.normalization["std"], dtype=np.float64)
    x = (np.asarray(X, dtype=np.float64) - mean) / std
    if not model.time_channel:
        return x
    samples, length, _ = x.shape
    time = np.arange(length, dtype=np.float64) / np.float64(length)
    return np.concatenate([x, np.broadcast_to(time[None, :, None], (samples, length, 1))], axis=-1)


def hrf_states(coefficients, current: np.ndarray) -> tuple:
    """Run `x_n = M x_{n-1} + g i_n + c` from `x_{-1} = 0`; return velocities and positions (N, L, P)."""
    m11, m12, m21, m22, g1, g2, c1, c2 = coefficients
    samples, length, neurons = current.shape
    u = np.zeros((samples, neurons))
    v = np.zeros((samples, neurons))
    velocity = np.empty_like(current)
    position = np.empty_like(current)

    for n in range(length):
        i_n = current[:, n]
        u, v = m11 * u + m12 * v + g1 * i_n + c1, m21 * u + m22 * v + g2 * i_n + c2
        velocity[:, n] = u
        position[:, n] = v

    return velocity, position


def causal_fir(q: np.ndarray, taps: np.ndarray) -> np.ndarray:
    """Return `r_n = sum_j taps[j] q_{n-j}` (zero before the start) for q (N, L, outputs)."""
    filtered = np.zeros_like(q)
    for lag, tap in enumerate(taps):
        if lag == 0:
            filtered += tap * q
        else:
            filtered[:, lag:] += tap * q[:, :-lag]
    return filtered


def trace(model: FloatModel, X: np.ndarray) -> dict:
    """Return every intermediate for raw input X (N, L, C), like `ShareSSM.trace`.

    Keys: `input` (normalised, with the time channel if any), `encoder_current`, `encoder_spikes`, `blocks` (per
    block: `hrf_current`, `hrf_velocity`, `hrf_position`, `hrf_spikes`, `c_current`,
    `c_spikes`, `linear_current`, `linear_spikes`, `stream`), `readout_current` and
    `output` (logits, or regression outputs (N, L // output_step, outputs)).
    `readout_current` is the head's input current per step without the bias, and for
    regression after the FIR.
    """
    x = normalize(model, X)
    encoder_current = x @ model.encoder_weight.T + model.encoder_bias
    stream = (encoder_current > model.theta_enc).astype(np.float64)
    result = {"input": x, "encoder_current": encoder_current, "encoder_spikes": stream, "blocks": []}

    for block in model.blocks:
        hrf_current = stream @ block.B.T
        velocity, position = hrf_states(block.coefficients(model.scheme), hrf_current)
        signal = position if model.config["spike_on"] == "position" else velocity
        hrf_spikes = (signal > block.theta_c).astype(np.float64)

        c_current = hrf_spikes @ block.C.T + block.D * stream
        c_spikes = (c_current > block.theta_d).astype(np.float64)
        linear_current = c_spikes @ block.linear_weight.T + block.linear_bias
        linear_spikes = (linear_current > block.theta_l).astype(np.float64)
        stream = stream + linear_spikes

        result["blocks"].append({
            "hrf_current": hrf_current, "hrf_velocity": velocity, "hrf_position": position,
            "hrf_spikes": hrf_spikes, "c_current": c_current, "c_spikes": c_spikes,
            "linear_current": linear_current, "linear_spikes": linear_spikes, "stream": stream,
        })

    head_current = stream @ model.readout_weight.T
    if model.task == "classification":
        result["readout_current"] = head_current
        result["output"] = head_current.mean(axis=1) + model.readout_bias
        return result

    filtered = causal_fir(head_current + model.readout_bias, model.fir)
    result["readout_current"] = causal_fir(head_current, model.fir)
    step = int(model.config["output_step"])
    result["output"] = np.tanh(filtered[:, step - 1::step])
    return result


def predict(model: FloatModel, X: np.ndarray, batch_size: int = 64) -> np.ndarray:
    """Return the float model's outputs for X, computed in batches."""
    outputs = [trace(model, X[start:start + batch_size])["output"] for start in range(0, len(X), batch_size)]
    return np.concatenate(outputs, axis=0)
