"""Save and load share-neuro checkpoints.

A checkpoint is `torch.save` of a dict of plain types and tensors:
`{"format": "share-neuro-checkpoint", "version": 1, "config": ModelConfig.to_dict(),
"state_dict": ..., "dataset": name, "normalization": {"mean": [C floats], "std":
[C floats]}, "metrics": {...}, "history": [...]}`. Loading uses
`torch.load(weights_only=True)`, which unpickles tensors and plain containers only, so
a file that would run code when unpickled is rejected instead of executed.
"""

from __future__ import annotations

import pickle
import zipfile
from pathlib import Path
from typing import Any, Mapping, Sequence

import torch

from share_neuro.atomic import write_atomic
from share_neuro.errors import InputFileError
from share_neuro.model.config import ModelConfig, ModelConfigError

CHECKPOINT_FORMAT = "share-neuro-checkpoint"
CHECKPOINT_VERSION = 1

# File signatures (magic numbers) used to name the kind of a file that is not a checkpoint.
ZIP_SIGNATURE = b"PK\x03\x04"
PICKLE_SIGNATURE = b"\x80"
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
HDF5_SIGNATURE_SEARCH = 4096


def save(path, model: torch.nn.Module, config: ModelConfig, *, dataset: str,
         normalization: Mapping[str, Sequence[float]], metrics: Mapping[str, Any] | None = None,
         history: Sequence[Any] | None = None) -> Path:
    """Write a checkpoint to `path` atomically (a temporary file, then a rename)."""
    path = Path(path)
    checkpoint = {
        "format": CHECKPOINT_FORMAT,
        "version": CHECKPOINT_VERSION,
        "config": config.to_dict(),
        "state_dict": {name: tensor.detach().cpu() for name, tensor in model.state_dict().items()},
        "dataset": str(dataset),
        "normalization": {
            "mean": [float(value) for value in normalization["mean"]],
            "std": [float(value) for value in normalization["std"]],
        },
        "metrics": dict(metrics or {}),
        "history": list(history or []),
    }
    _validate(path, checkpoint)

    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, lambda temporary: torch.save(checkpoint, temporary))
    return path


def load(path) -> dict:
    """Read and validate a checkpoint; raise InputFileError naming the path otherwise."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(
            f"checkpoint not found: {path}; pass the .pt file written by `share-neuro train`"
        )

    _check_file_type(path)
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        if "weights only" in str(error).lower():
            raise InputFileError(
                f"unsafe checkpoint rejected: {path} contains objects other than tensors and "
                "plain values, which could run code when loaded; use a checkpoint written by "
                "`share-neuro train`"
            ) from None
        raise _corrupt(path, error) from None
    except (RuntimeError, EOFError, OSError, ValueError, zipfile.BadZipFile) as error:
        raise _corrupt(path, error) from None

    _validate(path, checkpoint)
    return checkpoint


def load_model(path) -> tuple[torch.nn.Module, dict]:
    """Load a checkpoint and return (model in eval mode, checkpoint dict)."""
    from share_neuro.model.build import build_model

    checkpoint = load(path)
    config = ModelConfig.from_dict(checkpoint["config"])
    model = build_model(config)
    try:
        model.load_state_dict(checkpoint["state_dict"])
    except RuntimeError as error:
        raise InputFileError(
            f"checkpoint {path} does not match its own model config ({error}); "
            "retrain or use the original checkpoint file"
        ) from None
    model.eval()
    return model, checkpoint


def _check_file_type(path: Path) -> None:
    """Raise InputFileError for a file that is neither a zip archive nor a pickle.

    torch.save writes a zip archive (local file header b"PK\\x03\\x04"); files from
    torch before 1.6 are a bare pickle (protocol 2+ starts with b"\\x80"). A truncated
    zip archive keeps its header, so it still reaches torch.load and gets the
    "truncated" message. An empty file does too.
    """
    try:
        with open(path, "rb") as handle:
            head = handle.read(HDF5_SIGNATURE_SEARCH + len(HDF5_SIGNATURE))
    except OSError:
        return  # torch.load raises the same error, and load() reports it
    if not head or head.startswith((ZIP_SIGNATURE, PICKLE_SIGNATURE)) or zipfile.is_zipfile(path):
        return

    if _is_hdf5(head):
        kind = "it is an HDF5 file, e.g. a network written by `share-neuro convert`"
    else:
        kind = f"it starts with the bytes {head[:8]!r}, not a zip archive or a pickle"
    raise InputFileError(
        f"{path} is not a torch checkpoint ({kind}); pass the .pt file written by `share-neuro train`"
    )


def _is_hdf5(head: bytes) -> bool:
    # The HDF5 superblock sits at byte 0, 512, 1024, 2048, ... (after an optional user block).
    offsets = [0] + [512 * 2**power for power in range(4)]
    return any(head[offset:offset + len(HDF5_SIGNATURE)] == HDF5_SIGNATURE for offset in offsets)


def _corrupt(path: Path, error: Exception) -> InputFileError:
    return InputFileError(
        f"cannot read checkpoint {path}: the file is truncated or not a torch checkpoint "
        f"({type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}); "
        "copy it again or retrain"
    )


def _validate(path: Path, checkpoint: Any) -> None:
    """Raise InputFileError unless `checkpoint` has the share-neuro layout."""
    if not isinstance(checkpoint, dict) or checkpoint.get("format") != CHECKPOINT_FORMAT:
        raise InputFileError(
            f"{path} is not a share-neuro checkpoint (no \"format\": \"{CHECKPOINT_FORMAT}\" "
            "entry); pass a checkpoint written by `share-neuro train`"
        )

    if checkpoint.get("version") != CHECKPOINT_VERSION:
        raise InputFileError(
            f"checkpoint {path} has version {checkpoint.get('version')!r}, but this share-neuro "
            f"reads version {CHECKPOINT_VERSION}; use the share-neuro release that wrote it"
        )

    missing = [key for key in ("config", "state_dict", "dataset", "normalization", "metrics", "history")
               if key not in checkpoint]
    if missing:
        raise InputFileError(f"checkpoint {path} lacks the entries {', '.join(missing)}; retrain to rewrite it")

    try:
        config = ModelConfig.from_dict(checkpoint["config"])
    except ModelConfigError as error:
        raise InputFileError(f"checkpoint {path} contains an invalid model config: {error}") from None

    state_dict = checkpoint["state_dict"]
    if not isinstance(state_dict, Mapping) or not all(isinstance(v, torch.Tensor) for v in state_dict.values()):
        raise InputFileError(f"checkpoint {path} has a state_dict that is not a mapping of tensors; retrain")

    normalization = checkpoint["normalization"]
    for key in ("mean", "std"):
        values = normalization.get(key) if isinstance(normalization, Mapping) else None
        if not isinstance(values, (list, tuple)) or len(values) != config.input_size:
            raise InputFileError(
                f"checkpoint {path} has normalization {key!r} = {values!r}; expected a list of "
                f"{config.input_size} floats (one per input channel)"
            )


# Longer names for `from share_neuro.model import ...`.
save_checkpoint = save
load_checkpoint = load
