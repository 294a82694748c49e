"""The float models (torch): SHaRe-SSM, the LinOSS baseline, their scan and checkpoints.

`share_neuro.model.config` and `share_neuro.model.presets` import no torch; the names
below that need torch are imported on first use, so `from share_neuro.model.config
import ModelConfig` works without torch.
"""

from share_neuro.model.config import ModelConfig, ModelConfigError

_LAZY = {
    "build_model": "share_neuro.model.build",
    "ShareSSM": "share_neuro.model.share_ssm",
    "Linoss": "share_neuro.model.linoss",
    "HrfLayer": "share_neuro.model.hrf_layer",
    "save_checkpoint": "share_neuro.model.checkpoint",
    "load_checkpoint": "share_neuro.model.checkpoint",
    "load_model": "share_neuro.model.checkpoint",
}

__all__ = ["ModelConfig", "ModelConfigError", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'share_neuro.model' has no attribute {name!r}")
