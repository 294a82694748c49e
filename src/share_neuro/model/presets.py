"""Named training presets: model config overrides plus optimiser and stopping settings.

The paper presets reproduce the per-dataset settings of SHaRe-SSM (Agrawal et al.,
arXiv 2510.14386, 2025), which reuses the LinOSS protocol (Rusch & Rus, ICLR 2025;
Walker et al., 2024). That protocol uses Adam with a constant learning rate and
validates every 1,000 steps. It stops after 10 evaluations without improvement or at
100,000 steps, runs seeds 2345, 3456, 4567, 5678 and 6789, and does not normalise
inputs. The small presets train on two CPU cores in minutes, and `share-neuro train
DATASET` uses them unless `--preset` names another.

This module imports no torch.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Mapping

from share_neuro.errors import ShareNeuroError

PAPER_SEEDS = (2345, 3456, 4567, 5678, 6789)


@dataclass(frozen=True)
class Preset:
    """Settings for one training run, apart from the dataset and the seed.

    `model` holds `ModelConfig` field overrides (for example `num_blocks`, `scheme`);
    the trainer fills in `model`, `task`, `input_size` and `output_size` from the
    dataset and the command line. `dataset` is the dataset the preset was tuned for,
    or None for a preset that fits any dataset. `dataset_options` are keyword options
    for that dataset's reader (for example `window` and `stride` for `hapt`).
    """

    name: str
    dataset: str | None
    description: str
    model: Mapping[str, Any]
    lr: float
    batch_size: int
    eval_every: int
    patience: int
    max_steps: int
    weight_decay: float = 0.0
    normalize: bool = True
    seeds: tuple[int, ...] = (PAPER_SEEDS[0],)
    eval_batch_size: int = 256
    dataset_options: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "model", MappingProxyType(dict(self.model)))
        object.__setattr__(self, "dataset_options", MappingProxyType(dict(self.dataset_options)))
        object.__setattr__(self, "extra", MappingProxyType(dict(self.extra)))

    def with_overrides(self, **changes) -> "Preset":
        """Return a copy with the given fields replaced (for example `max_steps`)."""
        return replace(self, **changes)

    def to_dict(self) -> dict:
        """Return the preset as plain types, for checkpoints and metrics JSON."""
        return {
            "name": self.name,
            "dataset": self.dataset,
            "model": dict(self.model),
            "lr": self.lr,
            "batch_size": self.batch_size,
            "eval_every": self.eval_every,
            "patience": self.patience,
            "max_steps": self.max_steps,
            "weight_decay": self.weight_decay,
            "normalize": self.normalize,
            "seeds": list(self.seeds),
            "eval_batch_size": self.eval_batch_size,
            "dataset_options": dict(self.dataset_options),
        }


def _paper_preset(name, dataset, scheme, lr, blocks, hidden, state, time_channel, dropout,
                  batch, **model_extra) -> Preset:
    model = {
        "scheme": scheme,
        "num_blocks": blocks,
        "hidden_size": hidden,
        "state_size": state,
        "time_channel": time_channel,
        "dropout": dropout,
        **model_extra,
    }
    return Preset(
        name=name,
        dataset=dataset,
        description=(
            f"SHaRe-SSM paper settings for {dataset}: {scheme.upper()}, lr {lr:g}, "
            f"{blocks}x{hidden}x{state}, batch {batch}"
        ),
        model=model,
        lr=lr,
        batch_size=batch,
        eval_every=1000,
        patience=10,
        max_steps=100_000,
        normalize=False,
        seeds=PAPER_SEEDS,
        # Sequences are long (up to 49,920 steps), so evaluation uses the training batch size.
        eval_batch_size=batch,
    )


# Per-dataset settings from the authors' configs (kartikay24/HRF-SSM):
# scheme, lr, blocks x H x P, time channel, dropout, batch.
_PAPER = [
    _paper_preset("eigenworms", "eigenworms", "im", 1e-3, 2, 128, 64, False, 0.0, 4),
    _paper_preset("ethanolconcentration", "ethanolconcentration", "imex", 1e-3, 6, 128, 16,
                  True, 0.05, 32),
    _paper_preset("heartbeat", "heartbeat", "im", 1e-3, 2, 16, 256, True, 0.05, 32),
    _paper_preset("motorimagery", "motorimagery", "im", 1e-5, 2, 128, 16, False, 0.0, 32),
    _paper_preset("selfregulationscp1", "selfregulationscp1", "im", 1e-4, 6, 128, 256, True,
                  0.0, 32),
    _paper_preset("selfregulationscp2", "selfregulationscp2", "im", 1e-5, 6, 64, 64, True,
                  0.0, 32),
    _paper_preset("ppg-dalia", "ppg-dalia", "imex", 1e-3, 6, 128, 256, False, 0.0, 4,
                  fir_taps=16, fir_alpha=0.9, output_step=128),
]

_SMALL = [
    Preset(
        name="hapt-small",
        dataset="hapt",
        description="HAPT activity, 256-step windows (5.12 s); a few minutes on two CPU cores",
        model={"scheme": "imex", "num_blocks": 2, "hidden_size": 48, "state_size": 32,
               "time_channel": False, "dropout": 0.0},
        lr=1e-3,
        batch_size=32,
        eval_every=100,
        patience=6,
        max_steps=1500,
        eval_batch_size=512,
    ),
    Preset(
        name="forda-small",
        dataset="forda",
        description="FordA engine noise, 500 steps; about five minutes on one CPU core",
        model={"scheme": "imex", "num_blocks": 2, "hidden_size": 48, "state_size": 64,
               "time_channel": False, "dropout": 0.0},
        lr=2e-3,
        batch_size=32,
        eval_every=100,
        patience=10,
        max_steps=2000,
        eval_batch_size=512,
    ),
    Preset(
        name="forda-linoss-small",
        dataset="forda",
        description="FordA engine noise with `--model linoss`; about five minutes on one CPU core",
        model={"scheme": "imex", "num_blocks": 2, "hidden_size": 32, "state_size": 32,
               "time_channel": False, "dropout": 0.0},
        lr=3e-3,
        batch_size=32,
        eval_every=100,
        patience=10,
        max_steps=2000,
        eval_batch_size=512,
    ),
    Preset(
        name="basicmotions-small",
        dataset="basicmotions",
        description="BasicMotions (UEA), 100 steps; about a minute on two CPU cores",
        model={"scheme": "imex", "num_blocks": 2, "hidden_size": 32, "state_size": 32,
               "time_channel": True, "dropout": 0.0},
        lr=3e-3,
        batch_size=16,
        eval_every=25,
        patience=8,
        max_steps=600,
    ),
    Preset(
        name="tecator-small",
        dataset="tecator",
        description="Tecator fat content regression, 100 steps; about a minute on two CPU cores",
        model={"scheme": "imex", "num_blocks": 2, "hidden_size": 32, "state_size": 32,
               "time_channel": True, "dropout": 0.0, "output_step": 1, "fir_taps": 16,
               "fir_alpha": 0.9},
        lr=3e-3,
        batch_size=16,
        eval_every=25,
        patience=8,
        max_steps=600,
    ),
    Preset(
        name="small",
        dataset=None,
        description="Generic small model for datasets without a preset of their own",
        model={"scheme": "imex", "num_blocks": 2, "hidden_size": 32, "state_size": 32,
               "time_channel": True, "dropout": 0.0},
        lr=3e-3,
        batch_size=32,
        eval_every=100,
        patience=6,
        max_steps=1000,
    ),
    Preset(
        name="tiny",
        dataset=None,
        description="Smallest model, a few steps; for tests and smoke runs (seconds)",
        model={"scheme": "imex", "num_blocks": 1, "hidden_size": 8, "state_size": 8,
               "time_channel": False, "dropout": 0.0},
        lr=1e-2,
        batch_size=8,
        eval_every=2,
        patience=3,
        max_steps=6,
    ),
]

PRESETS: Mapping[str, Preset] = MappingProxyType({p.name: p for p in _PAPER + _SMALL})

# Dataset name -> preset used when `--preset` is not given.
DEFAULT_PRESETS: Mapping[str, str] = MappingProxyType({
    **{p.dataset: p.name for p in _PAPER},
    "hapt": "hapt-small",
    "forda": "forda-small",
    "basicmotions": "basicmotions-small",
    "tecator": "tecator-small",
})

FALLBACK_PRESET = "small"


class PresetError(ShareNeuroError):
    """An unknown preset name."""


def get_preset(name: str) -> Preset:
    """Return the preset called `name`, or raise PresetError listing the known names."""
    try:
        return PRESETS[name]
    except KeyError:
        known = ", ".join(sorted(PRESETS))
        raise PresetError(
            f"Unknown preset {name!r}. Choose one of: {known}."
        ) from None


def default_preset_name(dataset: str) -> str:
    """Return the preset name for `dataset`: its own preset, else the generic `small`."""
    return DEFAULT_PRESETS.get(dataset.lower(), FALLBACK_PRESET)
