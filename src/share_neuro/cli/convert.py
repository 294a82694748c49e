"""`share-neuro convert`: turn a trained checkpoint into a fixed-point network file."""

from __future__ import annotations

import json
from pathlib import Path

import click

from share_neuro.atomic import write_text_atomic

DEFAULT_PROFILE = "loihi2"
# Calibration samples are drawn with this seed, so repeated conversions give the same file.
SAMPLE_SEED = 0


@click.command()
@click.argument("model_path", metavar="MODEL.pt", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Network file to write (default: MODEL.h5 beside the checkpoint).")
@click.option("--profile", "profile_name", default=DEFAULT_PROFILE, show_default=True,
              help="Hardware profile to check the network against: a bundled name or a TOML file path.")
@click.option("--calibrate", "dataset_name", default=None,
              help="Dataset whose train split calibrates the scales (default: the checkpoint's dataset).")
@click.option("--calibration-samples", type=click.IntRange(min=1), default=256, show_default=True,
              help="Number of train sequences drawn for calibration and for the float/fixed comparison.")
@click.option("--weight-bits", type=click.IntRange(2, 8), default=8, show_default=True,
              help="Weight bits of Lava's Dense (num_weight_bits); fewer bits give a coarser grid.")
@click.option("--input-bits", type=click.IntRange(2, 24), default=16, show_default=True,
              help="Signed width of the graded input payloads.")
@click.option("--coef-frac-bits", type=click.IntRange(14, 24), default=16, show_default=True,
              help="Fraction bits of the HRF coefficients (raised automatically when a neuron needs more to stay stable).")
@click.option("--report-json", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the conversion report as JSON to this file.")
@click.option("--no-progress", is_flag=True, help="Hide the progress bars.")
def convert(model_path, out_path, profile_name, dataset_name, calibration_samples, weight_bits, input_bits,
            coef_frac_bits, report_json, no_progress):
    """Convert the checkpoint MODEL.pt into a fixed-point network file for Lava and the reference simulator."""
    from share_neuro.conversion import FloatModel
    from share_neuro.conversion import convert as convert_model
    from share_neuro.conversion.report import format_report
    from share_neuro.energy.profiles import load_profile
    from share_neuro.network.hdf5 import save_network

    profile = load_profile(profile_name)
    if model_path.suffix.lower() == ".onnx":
        from share_neuro.onnx_io.importer import float_model_from_onnx

        float_model = float_model_from_onnx(model_path)
    else:
        float_model = FloatModel.from_checkpoint(model_path)
    X, y, dataset_label = calibration_data(float_model, dataset_name, calibration_samples)

    network, report = convert_model(
        float_model, X, y, profile=profile, weight_bits=weight_bits, input_bits=input_bits,
        coef_frac_bits=coef_frac_bits, progress=not no_progress,
    )
    network.metadata["calibration_dataset"] = dataset_label
    report["calibration_dataset"] = dataset_label

    out_path = out_path or model_path.with_suffix(".h5")
    save_network(network, out_path)
    report["network"] = str(out_path)
    if report_json is not None:
        try:
            write_json(report_json, report)
        except BaseException:
            # A network without its requested report counts as a failed conversion.
            out_path.unlink(missing_ok=True)
            raise

    click.echo(format_report(report))
    click.echo(f"network: {out_path}")


def calibration_data(float_model, dataset_name, samples: int) -> tuple:
    """Return (X, y, label) of up to `samples` train sequences, drawn with a fixed seed."""
    import numpy as np

    from share_neuro.data import load_dataset
    from share_neuro.errors import DataError

    name = dataset_name or float_model.dataset
    seed = float_model.metrics.get("seed")
    dataset = load_dataset(name, seed=seed) if isinstance(seed, int) else load_dataset(name)
    if dataset.channels != float_model.input_size:
        raise DataError(
            f"calibration dataset {name!r} has {dataset.channels} channel{'' if dataset.channels == 1 else 's'} "
            f"but the model takes {float_model.input_size}; pass the dataset the model was trained on with --calibrate"
        )
    if dataset.task != float_model.task:
        raise DataError(
            f"calibration dataset {name!r} is a {dataset.task} task but the model does {float_model.task}; "
            "pass the dataset the model was trained on with --calibrate"
        )

    split = dataset.train
    count = min(samples, len(split))
    chosen = np.sort(np.random.default_rng(SAMPLE_SEED).choice(len(split), size=count, replace=False))
    return split.X[chosen], split.y[chosen], f"{dataset.name} train ({count} of {len(split)} sequences)"


def plain_number(value):
    """Return numpy scalars as Python numbers for json.dump."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"report value {value!r} is not JSON serialisable")


def write_json(path: Path, report: dict) -> None:
    """Write `report` to `path` atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps(report, indent=2, sort_keys=True, default=plain_number) + "\n")
