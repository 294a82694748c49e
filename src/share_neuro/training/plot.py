"""Training-curve PNG: training loss and the validation metric against steps."""

from __future__ import annotations

from pathlib import Path

from share_neuro.training.files import write_atomic


def plot_training_curve(path: Path, history: list, metric: str, title: str) -> None:
    """Write a two-panel PNG (loss; validation metric) to `path` atomically."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [entry["step"] for entry in history]
    figure, (loss_axes, metric_axes) = plt.subplots(1, 2, figsize=(10, 4))

    loss_axes.plot(steps, [entry["loss"] for entry in history], marker=".", label="train")
    loss_axes.plot(steps, [entry["val_loss"] for entry in history], marker=".",
                   label="validation")
    loss_axes.set_xlabel("step")
    loss_axes.set_ylabel("loss")
    loss_axes.legend()

    metric_axes.plot(steps, [entry[f"val_{metric}"] for entry in history], marker=".",
                     color="tab:orange")
    best = [entry for entry in history if entry.get("improved")]
    if best:
        metric_axes.scatter([best[-1]["step"]], [best[-1][f"val_{metric}"]], color="black",
                            zorder=3, label="best (checkpoint)")
        metric_axes.legend()
    metric_axes.set_xlabel("step")
    metric_axes.set_ylabel(f"validation {metric}")

    figure.suptitle(title)
    figure.tight_layout()

    def write(temporary: str) -> None:
        figure.savefig(temporary, format="png", dpi=100)

    try:
        write_atomic(Path(path), write)
    finally:
        plt.close(figure)
