"""`share-neuro demo`: the whole pipeline on one dataset, with every result in one folder."""

from __future__ import annotations

import sys
from pathlib import Path

import click

# Exit status of a process stopped by Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED_EXIT_CODE = 130


@click.command()
@click.option("--dataset", default="hapt", show_default=True,
              help="Dataset name (see `share-neuro datasets`) or the path of a .npz file.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("runs/demo"),
              show_default=True, help="Folder for the checkpoint, network, JSON results, plots and report.")
@click.option("--lava-samples", type=int, default=20, show_default=True,
              help="Test sequences run on Lava and compared spike for spike with the reference simulator.")
@click.option("--resume/--no-resume", default=True, show_default=True,
              help="Skip the stages an earlier run in --out completed; --no-resume starts over.")
@click.option("--preset", default=None,
              help="Training preset (default: the dataset's own small preset, else 'small').")
@click.option("--max-steps", type=int, default=None, help="Maximum optimiser steps; overrides the preset.")
@click.option("--seed", type=int, default=None, help="Seed for the split, initialisation and batch order "
                                                      "(default: the preset's first seed).")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder with the dataset files (the UEA sets: <Problem>_TRAIN.ts and _TEST.ts).")
@click.option("--threads", type=int, default=None, help="Torch CPU threads for training (default: torch's choice).")
@click.option("--no-progress", is_flag=True, help="Hide the progress bars.")
def demo(dataset, out, lava_samples, resume, preset, max_steps, seed, data_dir, threads, no_progress):
    """Train a SHaRe-SSM, convert it, run it on the reference simulator and on Lava, and estimate energy.

    Writes model.pt, network.h5, report.md, report.json, the JSON result of every stage
    and PNG plots to --out. An interrupted run resumes at the stage that did not finish
    when the same command runs again.
    """
    from share_neuro.demo import DemoOptions, run_demo

    options = DemoOptions(dataset=dataset, out=out, lava_samples=lava_samples, resume=resume, preset=preset,
                          max_steps=max_steps, seed=seed, data_dir=data_dir, threads=threads,
                          progress=not no_progress)
    try:
        run_demo(options)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(INTERRUPTED_EXIT_CODE)

    click.echo(f"Results in {out}: report.md, report.json, model.pt, network.h5 and the PNG plots.")
