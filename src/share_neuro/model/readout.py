"""Input time channel and output heads shared by SHaRe-SSM and LinOSS.

Classification: `logits = Linear(H -> classes)(mean over time of s)`.
Regression: `q = Linear(H -> outputs)(s)`, then a trained causal FIR
`r_n = sum_j fir[j] q_{n-j}` with K taps initialised to `(1 - alpha) alpha**j`, then
`y = tanh(r)` sampled at steps `output_step - 1, 2 output_step - 1, ...`, which gives
`L // output_step` outputs per sequence. The SHaRe-SSM authors' code (kartikay24/HRF-SSM,
`LILinear`) stores the same initial kernel in cross-correlation order, so there the
largest initial weight multiplies the oldest sample; here tap j is the delay j.
"""

from __future__ import annotations

import torch
from torch import nn

from share_neuro.model.config import ModelConfig


def append_time_channel(x: torch.Tensor) -> torch.Tensor:
    """Return x (batch, L, C) with a last channel t / L for t = 0 .. L-1."""
    batch, length, _ = x.shape
    time = torch.arange(length, dtype=x.dtype, device=x.device) / length
    return torch.cat([x, time.view(1, length, 1).expand(batch, length, 1)], dim=-1)


def fir_initial_taps(taps: int, alpha: float) -> torch.Tensor:
    """Return the taps (1 - alpha) alpha**j for j = 0 .. taps-1."""
    return (1.0 - alpha) * alpha ** torch.arange(taps, dtype=torch.float32)


def causal_fir(q: torch.Tensor, taps: torch.Tensor) -> torch.Tensor:
    """Return r_n = sum_j taps[j] q_{n-j} (zero before the start) for q (batch, L, outputs)."""
    batch, length, outputs = q.shape
    signal = q.transpose(1, 2).reshape(batch * outputs, 1, length)
    signal = nn.functional.pad(signal, (taps.shape[0] - 1, 0))

    # conv1d is a cross-correlation, so the kernel is reversed to put tap 0 on sample n.
    filtered = nn.functional.conv1d(signal, taps.flip(0).view(1, 1, -1))
    return filtered.view(batch, outputs, length).transpose(1, 2)


class Readout(nn.Module):
    """The output head: `head` (Linear H -> outputs) and, for regression, `fir` (K,)."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.task = config.task
        self.output_step = config.output_step
        self.head = nn.Linear(config.hidden_size, config.output_size)
        if config.task == "regression":
            self.fir = nn.Parameter(fir_initial_taps(config.fir_taps, config.fir_alpha))

    def forward(self, s: torch.Tensor) -> torch.Tensor:
        return self.trace(s)["output"]

    def trace(self, s: torch.Tensor) -> dict:
        """Return the head's intermediates and its `output`."""
        if self.task == "classification":
            pooled = s.mean(dim=1)
            return {"pooled": pooled, "output": self.head(pooled)}

        projection = self.head(s)
        filtered = causal_fir(projection, self.fir)
        step = self.output_step
        output = torch.tanh(filtered[:, step - 1::step])
        return {"projection": projection, "filtered": filtered, "output": output}
