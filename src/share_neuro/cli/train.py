"""`share-neuro train`: train a SHaRe-SSM or LinOSS model on a dataset."""

from __future__ import annotations

from pathlib import Path

import click

# Spelled out here because importing share_neuro.model may import torch.
PRESET_NAMES = ("hapt-small", "forda-small", "forda-linoss-small", "basicmotions-small",
                "tecator-small", "small", "tiny", "eigenworms", "ethanolconcentration",
                "heartbeat", "motorimagery", "selfregulationscp1", "selfregulationscp2",
                "ppg-dalia")

@click.command()
@click.argument("dataset")
@click.option("--model", "model_name", type=click.Choice(["share-ssm", "linoss"]),
              default="share-ssm", show_default=True, help="Model family to train.")
@click.option("--preset", default=None,
              help="Training preset (model size, lr, batch, steps). Defaults to the "
                   f"dataset's own preset, else 'small'. Known: {', '.join(PRESET_NAMES)}.")
@click.option("--scheme", type=click.Choice(["im", "imex", "imex-damped"]), default=None,
              help="HRF discretisation; overrides the preset.")
@click.option("--seed", type=int, default=None,
              help="Seed for the split, initialisation and batch order "
                   "(default: the preset's first seed, 2345).")
@click.option("--max-steps", type=int, default=None,
              help="Maximum optimiser steps; overrides the preset.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Checkpoint file to write (the best model by validation score).")
@click.option("--metrics-json", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Write test/val metrics, step count, wall time and "
                                 "history to this JSON file.")
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write a training-curve PNG to this file.")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Directory with dataset files (for datasets read from disk).")
@click.option("--spike-on", type=click.Choice(["position", "velocity"]), default=None,
              help="HRF signal that is thresholded; overrides the preset.")
@click.option("--homogeneous", is_flag=True,
              help="Ablation: identical, frozen HRF neurons (A = 1/P, dt = 1e-3).")
@click.option("--threads", type=int, default=None,
              help="Torch CPU threads for this process (default: torch's choice).")
@click.option("--ddp", is_flag=True,
              help="Train with DistributedDataParallel; run under torchrun.")
@click.option("--no-progress", is_flag=True, help="Hide the progress bar.")
def train(dataset, model_name, preset, scheme, seed, max_steps, out, metrics_json, plot,
          data_dir, spike_on, homogeneous, threads, ddp, no_progress):
    """Train a model on DATASET and save the best checkpoint by validation score."""
    from share_neuro.training.loop import TrainRequest
    from share_neuro.training.loop import train as run_training

    request = TrainRequest(
        dataset=dataset, model=model_name, preset=preset, scheme=scheme, seed=seed,
        max_steps=max_steps, out=out, metrics_json=metrics_json, plot=plot,
        data_dir=data_dir, spike_on=spike_on, homogeneous=homogeneous, threads=threads,
        ddp=ddp, progress=not no_progress,
    )
    result = run_training(request)

    metrics = result.metrics
    if metrics["world_size"] > 1 and not _is_rank_zero():
        return
    headline = metrics["metric"]
    click.echo(
        f"{metrics['dataset']}: test {headline} {metrics['test'][headline]:.4f}, "
        f"val {headline} {metrics['val'][headline]:.4f} at step {metrics['best_step']} "
        f"({metrics['train_steps']} steps, {metrics['wall_time_s']:.1f} s, "
        f"stopped by {metrics['stop_reason']})"
    )
    if out is not None:
        click.echo(f"checkpoint: {out}")


def _is_rank_zero() -> bool:
    import os

    return os.environ.get("RANK", "0") == "0"
