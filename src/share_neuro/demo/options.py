"""Options of a demo run and the defaults it shares with the single commands."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

DEFAULT_DATASET = "hapt"
DEFAULT_LAVA_SAMPLES = 20
# The same defaults as `share-neuro convert`, so that the demo's network equals the one
# the command writes for the same checkpoint.
DEFAULT_PROFILE = "loihi2"
DEFAULT_CALIBRATION_SAMPLES = 256
LAVA_TAG = "fixed_pt"
BASELINE = "linoss"
# Batch size of the reference simulator, as in `share-neuro simulate`; it changes speed and memory, not results.
SIMULATE_BATCH = 256


@dataclass
class DemoOptions:
    """Settings of one demo run; None means the dataset's preset or the library default."""

    dataset: str = DEFAULT_DATASET
    out: Path = Path("runs/demo")
    lava_samples: int = DEFAULT_LAVA_SAMPLES
    resume: bool = True
    preset: Optional[str] = None
    max_steps: Optional[int] = None
    seed: Optional[int] = None
    data_dir: Optional[Path] = None
    profile: str = DEFAULT_PROFILE
    calibration_samples: int = DEFAULT_CALIBRATION_SAMPLES
    threads: Optional[int] = None
    progress: bool = True

    def __post_init__(self):
        self.out = Path(self.out)
        if self.data_dir is not None:
            self.data_dir = Path(self.data_dir)

    def dataset_options(self) -> dict:
        """Keyword options for `load_dataset` besides the seed."""
        return {} if self.data_dir is None else {"data_dir": self.data_dir}
