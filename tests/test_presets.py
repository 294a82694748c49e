"""The preset table: paper settings, small presets and defaults per dataset."""

import dataclasses
import importlib

import pytest

from share_neuro.model.presets import (
    DEFAULT_PRESETS,
    PAPER_SEEDS,
    PRESETS,
    PresetError,
    default_preset_name,
    get_preset,
)

# dataset: (scheme, lr, blocks, H, P, time channel, dropout, batch), from the SHaRe-SSM
# authors' configs.
PAPER_TABLE = {
    "eigenworms": ("im", 1e-3, 2, 128, 64, False, 0.0, 4),
    "ethanolconcentration": ("imex", 1e-3, 6, 128, 16, True, 0.05, 32),
    "heartbeat": ("im", 1e-3, 2, 16, 256, True, 0.05, 32),
    "motorimagery": ("im", 1e-5, 2, 128, 16, False, 0.0, 32),
    "selfregulationscp1": ("im", 1e-4, 6, 128, 256, True, 0.0, 32),
    "selfregulationscp2": ("im", 1e-5, 6, 64, 64, True, 0.0, 32),
    "ppg-dalia": ("imex", 1e-3, 6, 128, 256, False, 0.0, 4),
}

SMALL_PRESETS = ("hapt-small", "forda-small", "basicmotions-small", "tecator-small", "tiny")


@pytest.mark.parametrize("name", sorted(PAPER_TABLE))
def test_paper_preset_matches_table(name):
    scheme, lr, blocks, hidden, state, time_channel, dropout, batch = PAPER_TABLE[name]
    preset = get_preset(name)

    assert preset.model["scheme"] == scheme
    assert preset.lr == lr
    assert preset.model["num_blocks"] == blocks
    assert preset.model["hidden_size"] == hidden
    assert preset.model["state_size"] == state
    assert preset.model["time_channel"] is time_channel
    assert preset.model["dropout"] == dropout
    assert preset.batch_size == batch


@pytest.mark.parametrize("name", sorted(PAPER_TABLE))
def test_paper_protocol(name):
    preset = get_preset(name)

    assert preset.eval_every == 1000
    assert preset.patience == 10
    assert preset.max_steps == 100_000
    assert preset.seeds == PAPER_SEEDS == (2345, 3456, 4567, 5678, 6789)
    assert preset.weight_decay == 0.0
    assert preset.normalize is False


def test_ppg_regression_head():
    preset = get_preset("ppg-dalia")

    assert preset.model["fir_taps"] == 16
    assert preset.model["fir_alpha"] == 0.9
    assert preset.model["output_step"] == 128


@pytest.mark.parametrize("name", SMALL_PRESETS)
def test_small_preset_is_small(name):
    preset = get_preset(name)

    assert preset.max_steps <= 2000
    assert preset.eval_every <= preset.max_steps
    assert preset.model["hidden_size"] <= 64
    assert preset.model["num_blocks"] <= 2
    assert preset.lr > 0


def test_tecator_emits_output_every_step():
    # Tecator series have 100 steps and one target, so the PPG-DaLiA output_step of 128
    # would leave the regression head without any output.
    assert get_preset("tecator-small").model["output_step"] <= 100


def test_model_overrides_are_config_fields():
    from share_neuro.model.config import ModelConfig

    fields = {field.name for field in dataclasses.fields(ModelConfig)}

    for preset in PRESETS.values():
        unknown = set(preset.model) - fields
        assert not unknown, f"preset {preset.name} sets unknown ModelConfig fields {unknown}"


def test_defaults_per_dataset():
    assert default_preset_name("hapt") == "hapt-small"
    assert default_preset_name("forda") == "forda-small"
    assert default_preset_name("basicmotions") == "basicmotions-small"
    assert default_preset_name("tecator") == "tecator-small"
    assert default_preset_name("EigenWorms") == "eigenworms"
    assert default_preset_name("some-npz-file") == "small"
    for preset_name in DEFAULT_PRESETS.values():
        assert preset_name in PRESETS


def test_unknown_preset_lists_names():
    with pytest.raises(PresetError, match="Choose one of: .*hapt-small"):
        get_preset("hapt-big")


def test_presets_are_immutable():
    preset = get_preset("tiny")

    with pytest.raises(TypeError):
        preset.model["hidden_size"] = 1024
    with pytest.raises(dataclasses.FrozenInstanceError):
        preset.lr = 1.0


def test_override_keeps_original():
    preset = get_preset("tiny")
    changed = preset.with_overrides(max_steps=3)

    assert changed.max_steps == 3
    assert preset.max_steps == get_preset("tiny").max_steps


def test_cli_help_lists_every_preset():
    cli_train = importlib.import_module("share_neuro.cli.train")

    assert sorted(cli_train.PRESET_NAMES) == sorted(PRESETS)
