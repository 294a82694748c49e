"""The parameter names and shapes of SHaRe-SSM and LinOSS, derived from a config without torch.

The exporter stores every state-dict tensor as an ONNX initializer under its state-dict
name, so the importer can check a file's initializers against this list and rebuild
the state dict bit for bit. `tests/test_onnx_parameters.py` checks the list against the
state dicts of the torch modules.
"""

from __future__ import annotations

import numpy as np


def expected_parameters(config: dict) -> dict:
    """Return {state-dict name: (shape, numpy dtype)} of the model that `config` describes."""
    H, P = int(config["hidden_size"]), int(config["state_size"])
    inputs = int(config["input_size"]) + int(bool(config["time_channel"]))
    outputs = int(config["output_size"])
    scheme = config["scheme"]
    f32 = np.dtype(np.float32)

    parameters = {"encoder.weight": ((H, inputs), f32), "encoder.bias": ((H,), f32)}
    if config["model"] == "share-ssm":
        parameters["theta_enc"] = ((H,), f32)

    for index in range(int(config["num_blocks"])):
        prefix = f"blocks.{index}."
        if config["model"] == "share-ssm":
            names = {"hrf.B": (P, H), "hrf.A_raw": (P,), "hrf.dt_raw": (P,)}
            if scheme == "imex-damped":
                names["hrf.G_raw"] = (P,)
            if scheme == "im":
                names["hrf.a1"] = (P,)
                names["hrf.a2"] = (P,)
            names.update({
                "hrf.theta_c": (P,), "C": (H, P), "D": (H,), "theta_d": (H,),
                "linear.weight": (H, H), "linear.bias": (H,), "theta_l": (H,),
            })
        else:
            names = {
                "norm.weight": (H,), "norm.bias": (H,), "norm.running_mean": (H,),
                "norm.running_var": (H,), "layer.A_raw": (P,), "layer.dt_raw": (P,),
            }
            if scheme == "imex-damped":
                names["layer.G_raw"] = (P,)
            names.update({
                "layer.B_real": (P, H), "layer.B_imag": (P, H), "layer.C_real": (H, P),
                "layer.C_imag": (H, P), "layer.D": (H,),
                "glu.weight": (2 * H, H), "glu.bias": (2 * H,),
            })
        for name, shape in names.items():
            parameters[prefix + name] = (shape, f32)
        if config["model"] == "linoss":
            parameters[prefix + "norm.num_batches_tracked"] = ((), np.dtype(np.int64))

    parameters["readout.head.weight"] = ((outputs, H), f32)
    parameters["readout.head.bias"] = ((outputs,), f32)
    if config["task"] == "regression":
        parameters["readout.fir"] = ((int(config["fir_taps"]),), f32)
    return parameters


COEFFICIENTS = ("m11", "m12", "m21", "m22", "g1", "g2", "c1", "c2")


def hrf_layers(config: dict) -> list:
    """Return the state-dict prefix of every HRF layer ("blocks.k.hrf." or "blocks.k.layer.")."""
    layer = "hrf." if config["model"] == "share-ssm" else "layer."
    return [f"blocks.{index}.{layer}" for index in range(int(config["num_blocks"]))]


def raw_hrf_parameters(config: dict) -> list:
    """Return the names of the raw HRF parameters that the graph stores folded into coefficients."""
    names = ["A_raw", "dt_raw"]
    if config["scheme"] == "imex-damped":
        names.append("G_raw")
    if config["scheme"] == "im" and config["model"] == "share-ssm":
        names += ["a1", "a2"]
    return [prefix + name for prefix in hrf_layers(config) for name in names]


def coefficient_names(config: dict, prefix: str) -> dict:
    """Return {coefficient: initializer name} of one HRF layer; c1, c2 only where they can be non-zero."""
    with_offsets = config["scheme"] == "im" and config["model"] == "share-ssm"
    kept = COEFFICIENTS if with_offsets else COEFFICIENTS[:6]
    return {name: f"{prefix}coefficients.{name}" for name in kept}


def graph_initializers(config: dict) -> dict:
    """Return {initializer name: (shape, dtype)} of the parameters an exported graph holds.

    These are the state-dict parameters except the raw HRF parameters and the integer
    buffers (both stored in the metadata), plus the coefficients of every HRF layer.
    """
    raw = set(raw_hrf_parameters(config))
    parameters = {name: spec for name, spec in expected_parameters(config).items()
                  if name not in raw and spec[1] != np.int64}
    P = int(config["state_size"])
    for prefix in hrf_layers(config):
        for name in coefficient_names(config, prefix).values():
            parameters[name] = ((P,), np.dtype(np.float32))
    return parameters
