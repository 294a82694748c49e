"""Data preparation and model configuration for a training run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from share_neuro.model.presets import Preset
from share_neuro.training.normalization import apply_normalization, fit_normalization
from share_neuro.training.targets import (
    fit_target_scaling,
    regression_outputs_needed,
    scale_targets,
)

# ModelConfig fields that the trainer sets from the dataset; a preset cannot override them.
DATASET_FIELDS = ("model", "task", "input_size", "output_size")


@dataclass
class TrainingData:
    """The dataset as tensors, normalised, with the statistics that produced them."""

    dataset: object
    normalization: dict
    target_scaling: dict | None
    train_x: torch.Tensor
    train_y: torch.Tensor
    val_x: torch.Tensor
    val_y: torch.Tensor
    test_x: torch.Tensor
    test_y: torch.Tensor

    @property
    def target_half_range(self) -> float:
        return 1.0 if self.target_scaling is None else float(self.target_scaling["half_range"])


def prepare_data(name: str, seed: int, preset: Preset, data_dir: Path | None) -> TrainingData:
    """Load and validate the dataset (raising DataError before any training) and
    convert it to tensors: inputs normalised, regression targets scaled."""
    from share_neuro.data import load_dataset

    # Reader options such as hapt's `window` fit only the dataset the preset was tuned for.
    options = dict(preset.dataset_options) if name.lower() == preset.dataset else {}
    if data_dir is not None:
        options["data_dir"] = Path(data_dir)
    dataset = load_dataset(name, seed=seed, **options)

    normalization = fit_normalization(dataset.train.X, enabled=preset.normalize)
    target_scaling = None
    if dataset.task == "regression":
        target_scaling = fit_target_scaling(dataset.train.y)

    def inputs(split) -> torch.Tensor:
        return torch.from_numpy(apply_normalization(split.X, normalization))

    def targets(split) -> torch.Tensor:
        if target_scaling is None:
            return torch.from_numpy(np.asarray(split.y, dtype=np.int64))
        return torch.from_numpy(scale_targets(split.y, target_scaling))

    return TrainingData(
        dataset=dataset, normalization=normalization, target_scaling=target_scaling,
        train_x=inputs(dataset.train), train_y=targets(dataset.train),
        val_x=inputs(dataset.val), val_y=targets(dataset.val),
        test_x=inputs(dataset.test), test_y=targets(dataset.test),
    )


def build_config(request, preset: Preset, data: TrainingData):
    """Return the ModelConfig: preset overrides, then dataset sizes, then CLI options."""
    from share_neuro.model.config import ModelConfig

    dataset = data.dataset
    overrides = {key: value for key, value in preset.model.items() if key not in DATASET_FIELDS}
    if dataset.task == "classification":
        for key in ("fir_taps", "fir_alpha", "output_step"):
            overrides.pop(key, None)
    if request.scheme is not None:
        overrides["scheme"] = request.scheme
    if request.spike_on is not None:
        overrides["spike_on"] = request.spike_on
    if request.homogeneous:
        overrides["heterogeneous"] = False

    config = ModelConfig(
        model=request.model,
        task=dataset.task,
        input_size=dataset.channels,
        output_size=dataset.num_classes if dataset.task == "classification" else 1,
        **overrides,
    )

    if dataset.task == "regression":
        regression_outputs_needed(dataset.train.y.shape, dataset.length, config.output_step,
                                  dataset.name)
    return config
