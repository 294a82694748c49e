"""The demo pipeline: train, convert, simulate on the reference and on Lava, energy, report.

Each stage writes its files into a staging folder, renames them into the output folder
when it finishes and then writes its marker (see `state.py`). A later run with the same
options skips the completed stages, so an interrupted run resumes at the stage that did
not finish. When a stage runs again (its settings changed, or a file was removed), every
later stage runs again too.
"""

from __future__ import annotations

import difflib
import errno
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import click

from share_neuro.demo import options as defaults
from share_neuro.demo import stages
from share_neuro.demo.options import DemoOptions
from share_neuro.demo.state import RunState
from share_neuro.errors import ShareNeuroError


@dataclass(frozen=True)
class Stage:
    name: str
    title: str
    outputs: tuple
    run: Callable
    settings: Callable  # (options, seed, preset name) -> dict that decides whether a marker is still valid


STAGES = (
    Stage("train", "train SHaRe-SSM", ("model.pt", "train.json", "training_curve.png"), stages.run_train,
          lambda o, seed, preset: {"dataset": o.dataset, "preset": preset, "seed": seed,
                                   "max_steps": o.max_steps, "data_dir": str(o.data_dir or "")}),
    Stage("convert", "convert to a fixed-point network", ("network.h5", "convert.json"), stages.run_convert,
          lambda o, seed, preset: {"profile": o.profile, "calibration_samples": o.calibration_samples}),
    Stage("simulate_reference", "simulate the test split on the reference simulator",
          ("simulate_reference.json", "reference_activity.npz"), stages.run_simulate_reference,
          lambda o, seed, preset: {"split": "test"}),
    Stage("simulate_lava", "simulate a sample on Lava and compare spikes",
          ("simulate_lava.json", "lava_activity.npz"), stages.run_simulate_lava,
          lambda o, seed, preset: {"samples": o.lava_samples, "tag": defaults.LAVA_TAG}),
    Stage("energy", "estimate energy against LinOSS", ("energy.json", "energy_per_layer.png"), stages.run_energy,
          lambda o, seed, preset: {"baseline": defaults.BASELINE}),
    Stage("report", "write the report", ("spike_raster.png", "report.json", "report.md"), stages.run_report,
          lambda o, seed, preset: {}),
)

ALL_OUTPUTS = tuple(name for stage in STAGES for name in stage.outputs)


class DemoError(ShareNeuroError):
    """A demo stage that failed on bad input or a full disk; the message includes how to resume."""


@dataclass
class DemoResult:
    out: object
    markers: dict  # stage name -> marker dict
    ran: list  # names of the stages this run executed (the others were complete already)


def resolve_run(options: DemoOptions) -> tuple:
    """Check the options and return (seed, preset name) as the trainer resolves them.

    Creates no file and does not import torch, so bad options fail before the output
    folder exists.
    """
    from share_neuro.model.presets import default_preset_name, get_preset

    if options.lava_samples < 1:
        raise DemoError(f"--lava-samples must be at least 1, got {options.lava_samples}.")
    for flag, value in (("--max-steps", options.max_steps), ("--threads", options.threads)):
        if value is not None and value < 1:
            raise DemoError(f"{flag} must be at least 1, got {value}.")
    if options.data_dir is not None and not options.data_dir.is_dir():
        raise DemoError(f"--data-dir {options.data_dir} is not an existing folder; pass the folder with the "
                        "dataset files.")
    check_dataset_name(options.dataset)

    preset = get_preset(options.preset or default_preset_name(options.dataset))
    seed = preset.seeds[0] if options.seed is None else options.seed
    return seed, preset.name


def check_dataset_name(name: str) -> None:
    """Raise DemoError unless `name` is a registered dataset or an existing file, as `load_dataset` reads it."""
    from share_neuro.data.registry import DATASETS

    if str(name).endswith(".npz") or Path(name).is_file():
        if not Path(name).is_file():
            raise DemoError(f"--dataset {name}: file not found; pass an existing .npz file or a dataset name "
                            "(run `share-neuro datasets`).")
        return

    if str(name).lower() not in DATASETS:
        close = difflib.get_close_matches(str(name).lower(), DATASETS, n=1)
        hint = f"Did you mean {close[0]!r}? " if close else ""
        raise DemoError(f"Unknown dataset {name!r}. {hint}Choose one of {', '.join(DATASETS)}, or pass the "
                        "path of a .npz file (run `share-neuro datasets` for details).")


def resume_hint(options: DemoOptions, stage: Stage, markers: dict) -> str:
    """Return how to continue after `stage` failed; `markers` contains the stages completed before it."""
    if not markers:
        return "No stage has completed yet. Fix the cause and run the same command again."
    return (f"Completed stages are kept in {options.out}. Run the same command again to resume at stage "
            f"'{stage.name}'; add --no-resume to start over.")


def run_demo(options: DemoOptions, echo=click.echo) -> DemoResult:
    """Run every stage that is not complete yet in `options.out`; return the markers.

    Raises DemoError (a ShareNeuroError) for bad input or a full disk. Ctrl-C and other
    errors propagate after a note on how to resume. In every case the folder holds only
    the files of completed stages, and a folder this run created is removed again when
    no stage completed.
    """
    seed, preset = resolve_run(options)
    created = _first_missing_folder(options.out)
    try:
        options.out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DemoError(f"Cannot create the output folder {options.out}: {error.strerror or error}. "
                        "Choose another --out.") from None

    markers = {}
    try:
        return _run_stages(options, seed, preset, markers, echo)
    except BaseException:
        # A folder this run created that contains no completed stage has nothing to resume from.
        if created is not None and not markers:
            shutil.rmtree(created, ignore_errors=True)
        raise


def _first_missing_folder(folder: Path):
    """Return the outermost folder that `folder.mkdir(parents=True)` would create, or None if it exists."""
    folder = folder.absolute()
    if folder.exists():
        return None
    while not folder.parent.exists():
        folder = folder.parent
    return folder


def _run_stages(options: DemoOptions, seed: int, preset: str, markers: dict, echo) -> DemoResult:
    """Run the stages in order; fill `markers` (stage name -> marker) as each one completes or is skipped."""
    state = RunState(options.out)
    if not options.resume:
        state.clear(ALL_OUTPUTS)

    started = time.perf_counter()
    ran = []
    for index, stage in enumerate(STAGES, start=1):
        settings = stage.settings(options, seed, preset)
        if not ran:
            done, reason = state.completed(stage.name, settings)
            if done:
                markers[stage.name] = state.read_marker(stage.name)
                echo(f"[{index}/{len(STAGES)}] {stage.title}: complete, skipped")
                continue
            if state.read_marker(stage.name) is not None:
                echo(f"[{index}/{len(STAGES)}] {stage.title}: running again because {reason}")
            for later in STAGES[index - 1:]:
                state.forget(later.name, later.outputs)

        elapsed = time.strftime("%H:%M:%S", time.gmtime(time.perf_counter() - started))
        echo(f"\n=== [{index}/{len(STAGES)}] {stage.title} (elapsed {elapsed}) ===")
        markers[stage.name] = _run_stage(stage, settings, state, options, seed, markers, echo)
        ran.append(stage.name)

    elapsed = time.strftime("%H:%M:%S", time.gmtime(time.perf_counter() - started))
    echo(f"\nDemo finished in {elapsed}. Report: {options.out / 'report.md'}")
    return DemoResult(out=options.out, markers=markers, ran=ran)


def _run_stage(stage: Stage, settings: dict, state: RunState, options: DemoOptions, seed: int,
               markers: dict, echo) -> dict:
    staging = state.staging(stage.name)
    context = stages.StageContext(options=options, seed=seed, staging=staging, echo=echo, markers=markers)
    began = time.perf_counter()
    try:
        summary = stage.run(context)
        return state.commit(stage.name, stage.outputs, settings, time.perf_counter() - began, summary)
    except ShareNeuroError as error:
        raise DemoError(f"{error}\nStage '{stage.name}' did not finish. {resume_hint(options, stage, markers)}") from error
    except OSError as error:
        raise DemoError(_os_error_message(error, stage, options, markers)) from error
    except BaseException:
        # Ctrl-C or an unexpected error: the caller reports it, so only add how to resume.
        echo(f"\nStage '{stage.name}' did not finish. {resume_hint(options, stage, markers)}", err=True)
        raise
    finally:
        state.discard_staging(stage.name)


def _os_error_message(error: OSError, stage: Stage, options: DemoOptions, markers: dict) -> str:
    where = f" ({error.filename})" if error.filename else ""
    if error.errno == errno.ENOSPC:
        cause = f"The disk is full{where}. Free some space"
    else:
        cause = f"A file operation failed{where}: {error.strerror or error}. Fix the cause"
    return f"{cause}, then resume.\nStage '{stage.name}' did not finish. {resume_hint(options, stage, markers)}"
