"""The metrics record of a training run, written as JSON and stored in the checkpoint.

Keys that other tools read: `test` and `val` (each {"accuracy", "loss"} for
classification or {"mse", "loss"} for regression, at the best validation evaluation),
`train_steps`, `wall_time_s` and `history` (one entry per evaluation: `step`, `loss`
(mean training loss since the previous evaluation), `val_loss` and `val_accuracy` or
`val_mse`).
"""

from __future__ import annotations

from pathlib import Path

from share_neuro.training.files import write_json_atomic


def metric_name(task: str) -> str:
    """Return the headline metric: accuracy for classification, mse for regression."""
    return "accuracy" if task == "classification" else "mse"


def history_entry(step: int, train_loss: float, val: dict, improved: bool,
                  elapsed_s: float) -> dict:
    entry = {"step": step, "loss": train_loss, "val_loss": val["loss"]}
    for key, value in val.items():
        if key != "loss":
            entry[f"val_{key}"] = value
    entry["improved"] = improved
    entry["elapsed_s"] = round(elapsed_s, 3)
    return entry


def write_metrics_json(path: Path, metrics: dict, history: list) -> None:
    """Write `metrics` plus `history` to `path` atomically."""
    write_json_atomic(path, {**metrics, "history": history})
