"""`ModelConfig`: the sizes and options of a SHaRe-SSM or LinOSS model.

This module imports no torch, so the converter's numpy side and the presets can read
configurations from checkpoints and preset files.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Mapping

from share_neuro.errors import ShareNeuroError
from share_neuro.hrf.coefficients import SCHEMES

MODELS = ("share-ssm", "linoss")
TASKS = ("classification", "regression")
SPIKE_SIGNALS = ("position", "velocity")
SCAN_METHODS = ("parallel", "sequential")


class ModelConfigError(ShareNeuroError, ValueError):
    """An invalid model configuration value."""


@dataclass(kw_only=True)
class ModelConfig:
    """Sizes and options of one model; every field has a plain JSON type.

    `input_size` counts the dataset's channels; with `time_channel` the model appends
    `t / L` (t = 0 .. L-1) itself, so the encoder sees `input_size + 1` inputs.
    `output_size` is the number of classes, or the number of regression targets.
    `fir_taps`, `fir_alpha` and `output_step` apply to regression only.
    """

    input_size: int
    output_size: int
    model: str = "share-ssm"
    task: str = "classification"
    hidden_size: int = 128
    state_size: int = 64
    num_blocks: int = 2
    scheme: str = "im"
    spike_on: str = "position"
    heterogeneous: bool = True
    dropout: float = 0.0
    fir_taps: int = 16
    fir_alpha: float = 0.9
    output_step: int = 128
    time_channel: bool = False
    scan: str = "parallel"

    def __post_init__(self):
        self.validate()

    @property
    def encoder_inputs(self) -> int:
        """Number of encoder inputs: the channels plus the optional time channel."""
        return self.input_size + int(self.time_channel)

    def validate(self) -> None:
        """Raise ModelConfigError naming the first invalid field and its value."""
        choices = {
            "model": MODELS, "task": TASKS, "scheme": SCHEMES,
            "spike_on": SPIKE_SIGNALS, "scan": SCAN_METHODS,
        }
        for name, allowed in choices.items():
            value = getattr(self, name)
            if value not in allowed:
                raise ModelConfigError(
                    f"invalid model config: {name} = {value!r}; use one of {', '.join(allowed)}"
                )

        for name in ("input_size", "output_size", "hidden_size", "state_size", "num_blocks",
                     "fir_taps", "output_step"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ModelConfigError(
                    f"invalid model config: {name} = {value!r}; use a positive integer"
                )

        for name in ("heterogeneous", "time_channel"):
            if not isinstance(getattr(self, name), bool):
                raise ModelConfigError(
                    f"invalid model config: {name} = {getattr(self, name)!r}; use true or false"
                )

        if self.task == "classification" and self.output_size < 2:
            raise ModelConfigError(
                f"invalid model config: output_size = {self.output_size} for classification; "
                "use the number of classes (at least 2)"
            )

        _check_fraction("dropout", self.dropout, low_open=False)
        _check_fraction("fir_alpha", self.fir_alpha, low_open=True)

    def to_dict(self) -> dict:
        """Return the fields as a dict of plain Python types."""
        return asdict(self)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> "ModelConfig":
        """Build a config from `to_dict()` output; unknown or missing keys raise ModelConfigError."""
        if not isinstance(values, Mapping):
            raise ModelConfigError(
                f"invalid model config: expected a mapping of field names, got {type(values).__name__}"
            )

        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ModelConfigError(
                f"invalid model config: unknown field(s) {', '.join(map(repr, unknown))}; "
                f"known fields are {', '.join(sorted(known))}"
            )

        missing = [name for name in ("input_size", "output_size") if name not in values]
        if missing:
            raise ModelConfigError(f"invalid model config: missing field(s) {', '.join(missing)}")

        return cls(**dict(values))


def _check_fraction(name: str, value: Any, low_open: bool) -> None:
    valid = isinstance(value, (int, float)) and not isinstance(value, bool)
    if valid:
        valid = (0.0 < value < 1.0) if low_open else (0.0 <= value < 1.0)
    if not valid:
        interval = "(0, 1)" if low_open else "[0, 1)"
        raise ModelConfigError(f"invalid model config: {name} = {value!r}; use a number in {interval}")
