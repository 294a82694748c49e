"""`build_model`: the torch module for a `ModelConfig`."""

from __future__ import annotations

from torch import nn

from share_neuro.model.config import ModelConfig
from share_neuro.model.linoss import Linoss
from share_neuro.model.share_ssm import ShareSSM


def build_model(config: ModelConfig) -> nn.Module:
    """Return a freshly initialised ShareSSM or Linoss for `config` (torch's global RNG seeds it)."""
    config.validate()
    if config.model == "share-ssm":
        return ShareSSM(config)
    return Linoss(config)
