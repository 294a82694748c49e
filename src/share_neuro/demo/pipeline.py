"""The demo pipeline: train, convert, simulate on the reference and on Lava, energy, report.

Each stage writes its files into a staging folder, renames them into the output folder
when it finishes and then writes its marker (see `state.py`). A later run with the same
options skips the completed stages, so an interrupted run resumes at the stage that did
not finish. When a stage runs again (its settings changed, or a file was removed), every
later stage runs again too.
"""

from __future__ import annotations

import errno
import time
from dataclasses import dataclass
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
    """Return (seed, preset name) as the trainer resolves them, without importing torch."""
    from share_neuro.model.presets import default_preset_name, get_preset

    if options.lava_samples < 1:
        raise DemoError(f"--lava-samples must be at least 1, got {options.lava_samples}.")
    preset = get_preset(options.preset or default_preset_name(options.dataset))
    seed = preset.seeds[0] if options.seed is None else options.seed
    return seed, preset.name


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
    the files of completed stages.
    """
    seed, preset = resolve_run(options)
    try:
        options.out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DemoError(f"Cannot create the output folder {options.out}: {error.strerror or error}. "
                        "Choose another --out.") from None
    state = RunState(options.out)
    if not options.resume:
        state.clear(ALL_OUTPUTS)

    started = time.perf_counter()
    markers = {}
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
