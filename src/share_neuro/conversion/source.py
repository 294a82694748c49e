"""`FloatModel`: a trained SHaRe-SSM as plain numpy parameters, the converter's input.

A checkpoint (`FloatModel.from_checkpoint`) or an ONNX file can produce it. The fields
hold the physical parameters the forward pass uses (A = relu(A_raw), dt =
sigmoid(dt_raw), G = relu(G_raw)), so no reader of a `FloatModel` needs torch.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np

from share_neuro.conversion.errors import ConversionError
from share_neuro.errors import InputFileError
from share_neuro.hrf.coefficients import HrfCoefficients, hrf_coefficients


@dataclass
class FloatBlock:
    """One block: HRF layer (B, A, dt, G, a1, a2, theta_c), C stage (C, D, theta_d), linear stage."""

    B: np.ndarray  # (P, H)
    A: np.ndarray  # (P,), relu(A_raw), before the scheme's stability clamp
    dt: np.ndarray  # (P,), sigmoid(dt_raw)
    theta_c: np.ndarray  # (P,)
    C: np.ndarray  # (H, P)
    D: np.ndarray  # (H,)
    theta_d: np.ndarray  # (H,)
    linear_weight: np.ndarray  # (H, H)
    linear_bias: np.ndarray  # (H,)
    theta_l: np.ndarray  # (H,)
    G: Optional[np.ndarray] = None  # (P,), "imex-damped" only
    a1: Optional[np.ndarray] = None  # (P,), "im" only
    a2: Optional[np.ndarray] = None  # (P,), "im" only

    def coefficients(self, scheme: str) -> HrfCoefficients:
        """Return the float64 transition, gains and constants of this block's HRF neurons."""
        values = hrf_coefficients(scheme, self.A, self.dt, self.G, self.a1, self.a2, xp=np)
        return HrfCoefficients(*(np.asarray(value, dtype=np.float64) for value in values))


@dataclass
class FloatModel:
    """A trained SHaRe-SSM in float64 numpy arrays, with what the network file records about it."""

    config: dict  # ModelConfig.to_dict()
    normalization: dict  # {"mean": (C,) float64, "std": (C,) float64}
    encoder_weight: np.ndarray  # (H, N), N = input_size + 1 with the time channel
    encoder_bias: np.ndarray  # (H,)
    theta_enc: np.ndarray  # (H,)
    blocks: list  # FloatBlock per block
    readout_weight: np.ndarray  # (outputs, H)
    readout_bias: np.ndarray  # (outputs,)
    fir: Optional[np.ndarray] = None  # (K,), regression only; tap j delays by j steps
    dataset: str = ""
    source: dict = field(default_factory=dict)  # {"path", "sha256", "kind"}
    metrics: dict = field(default_factory=dict)  # the training metrics, for the report
    # Regression only: {"center", "half_range"}; the model predicts (y - center) / half_range.
    # None means the source recorded none, and outputs are taken as the dataset's units.
    target_scaling: Optional[dict] = None

    @property
    def task(self) -> str:
        return self.config["task"]

    @property
    def scheme(self) -> str:
        return self.config["scheme"]

    @property
    def hidden_size(self) -> int:
        return int(self.encoder_weight.shape[0])

    @property
    def time_channel(self) -> bool:
        return bool(self.config.get("time_channel", False))

    @property
    def encoder_inputs(self) -> int:
        """Number of encoder inputs: the dataset's channels plus the time channel, if any."""
        return int(self.encoder_weight.shape[1])

    @property
    def input_size(self) -> int:
        """Number of the dataset's channels (without the time channel)."""
        return self.encoder_inputs - int(self.time_channel)

    def to_dataset_units(self, outputs: np.ndarray) -> np.ndarray:
        """Return regression outputs `center + half_range * outputs`; other outputs unchanged."""
        outputs = np.asarray(outputs, dtype=np.float64)
        if self.task != "regression" or self.target_scaling is None:
            return outputs
        return float(self.target_scaling["center"]) + float(self.target_scaling["half_range"]) * outputs

    @property
    def output_size(self) -> int:
        return int(self.readout_weight.shape[0])

    @classmethod
    def from_checkpoint(cls, path) -> "FloatModel":
        """Read a share-neuro checkpoint (weights-only unpickling) into a FloatModel.

        Raises InputFileError for a missing, truncated, unsafe or foreign file, and
        ConversionError for a model kind the network format cannot express.
        """
        from share_neuro.model.checkpoint import load

        checkpoint = load(path)
        state = {name: tensor.detach().double().numpy() for name, tensor in checkpoint["state_dict"].items()}
        config = dict(checkpoint["config"])
        check_convertible(config, path)

        try:
            model = from_state_dict(config, state)
        except KeyError as error:
            raise InputFileError(
                f"checkpoint {path} lacks the parameter {error.args[0]!r} of a SHaRe-SSM model; "
                "pass a checkpoint written by `share-neuro train`"
            ) from None

        model.normalization = {
            "mean": np.asarray(checkpoint["normalization"]["mean"], dtype=np.float64),
            "std": np.asarray(checkpoint["normalization"]["std"], dtype=np.float64),
        }
        model.dataset = str(checkpoint["dataset"])
        model.metrics = dict(checkpoint.get("metrics") or {})
        model.target_scaling = read_target_scaling(checkpoint.get("target_scaling"), config, path)
        model.source = {"path": str(path), "sha256": file_sha256(path), "kind": "checkpoint"}
        return model


def check_convertible(config: dict, path) -> None:
    """Raise ConversionError for a model the deployable network cannot express."""
    if config.get("model") != "share-ssm":
        raise ConversionError(
            f"{path} contains a {config.get('model')!r} model, which cannot be converted: only "
            "'share-ssm' models map onto a spiking network (LinOSS has no spikes)"
        )


def read_target_scaling(value, config: dict, path) -> Optional[dict]:
    """Return the checkpoint's target scaling as floats, None for classification or when absent."""
    if config.get("task") != "regression" or value is None:
        return None
    try:
        center = float(value["center"])
        half_range = float(value["half_range"])
    except (KeyError, TypeError, ValueError):
        raise InputFileError(
            f"checkpoint {path} has an invalid target_scaling {value!r}, expected "
            "{'center': number, 'half_range': number > 0}; train the model again with `share-neuro train`"
        ) from None
    if not (np.isfinite(center) and np.isfinite(half_range) and half_range > 0.0):
        raise InputFileError(
            f"checkpoint {path} has target_scaling center {center} and half_range {half_range}, expected "
            "finite values with half_range > 0; train the model again with `share-neuro train`"
        )
    return {"center": center, "half_range": half_range}


def from_state_dict(config: dict, state: dict) -> FloatModel:
    """Build a FloatModel from a ShareSSM state dict of float64 numpy arrays."""
    scheme = config["scheme"]

    def sigmoid(values):
        return 1.0 / (1.0 + np.exp(-values))

    blocks = []
    for index in range(int(config["num_blocks"])):
        prefix = f"blocks.{index}."
        blocks.append(FloatBlock(
            B=state[prefix + "hrf.B"],
            A=np.maximum(state[prefix + "hrf.A_raw"], 0.0),
            dt=sigmoid(state[prefix + "hrf.dt_raw"]),
            theta_c=state[prefix + "hrf.theta_c"],
            C=state[prefix + "C"],
            D=state[prefix + "D"],
            theta_d=state[prefix + "theta_d"],
            linear_weight=state[prefix + "linear.weight"],
            linear_bias=state[prefix + "linear.bias"],
            theta_l=state[prefix + "theta_l"],
            G=np.maximum(state[prefix + "hrf.G_raw"], 0.0) if scheme == "imex-damped" else None,
            a1=state[prefix + "hrf.a1"] if scheme == "im" else None,
            a2=state[prefix + "hrf.a2"] if scheme == "im" else None,
        ))

    channels = int(config["input_size"])
    expected = channels + int(bool(config.get("time_channel", False)))
    if state["encoder.weight"].shape[1] != expected:
        raise InputFileError(
            f"the encoder takes {state['encoder.weight'].shape[1]} inputs but the config (input_size {channels}, "
            f"time_channel {bool(config.get('time_channel', False))}) implies {expected}; "
            "pass an unmodified checkpoint written by `share-neuro train`"
        )
    return FloatModel(
        config=config,
        normalization={"mean": np.zeros(channels), "std": np.ones(channels)},
        encoder_weight=state["encoder.weight"],
        encoder_bias=state["encoder.bias"],
        theta_enc=state["theta_enc"],
        blocks=blocks,
        readout_weight=state["readout.head.weight"],
        readout_bias=state["readout.head.bias"],
        fir=state["readout.fir"] if config["task"] == "regression" else None,
    )


def file_sha256(path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
