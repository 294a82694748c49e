"""LinOSS (Rusch & Rus, "Oscillatory State-Space Models", ICLR 2025): the non-spiking
baseline with the sizes of a SHaRe-SSM model.

    x = encoder(X)                            Linear(N -> H)
    per block:
        y = LinOSS(BatchNorm(x))              complex B (P, H), C (H, P), real D (H,)
        y = dropout(GELU(y))
        y = dropout(GLU(y))                   Linear(H -> 2H), then a * sigmoid(b)
        x = x + y
    readout as in SHaRe-SSM (see share_neuro.model.readout)

The LinOSS layer runs the same HRF recurrence and coefficients as SHaRe-SSM (no a1, a2
offsets) on the real and imaginary parts of `B x` (two real scans, stacked along the
batch) and outputs `Re(C v) + D x` from the positions v.

State-dict names: `encoder.*`; per block k: `blocks.k.norm.*` (BatchNorm1d),
`blocks.k.layer.{A_raw, dt_raw, G_raw, B_real, B_imag, C_real, C_imag, D}`,
`blocks.k.glu.*`; `readout.*` as in SHaRe-SSM.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from share_neuro.hrf.coefficients import hrf_coefficients
from share_neuro.model.config import ModelConfig
from share_neuro.model.readout import Readout, append_time_channel
from share_neuro.model.scan import hrf_scan


class LinossLayer(nn.Module):
    """P complex oscillators driven by and read out to H real channels."""

    def __init__(self, hidden_size: int, state_size: int, scheme: str = "im", scan: str = "parallel"):
        super().__init__()
        self.scheme = scheme
        self.scan = scan
        P, H = state_size, hidden_size

        self.A_raw = nn.Parameter(torch.rand(P))
        self.dt_raw = nn.Parameter(torch.rand(P))
        if scheme == "imex-damped":
            self.G_raw = nn.Parameter(torch.rand(P))
        b_bound, c_bound = 1.0 / math.sqrt(H), 1.0 / math.sqrt(P)
        self.B_real = nn.Parameter(torch.empty(P, H).uniform_(-b_bound, b_bound))
        self.B_imag = nn.Parameter(torch.empty(P, H).uniform_(-b_bound, b_bound))
        self.C_real = nn.Parameter(torch.empty(H, P).uniform_(-c_bound, c_bound))
        self.C_imag = nn.Parameter(torch.empty(H, P).uniform_(-c_bound, c_bound))
        self.D = nn.Parameter(torch.randn(H))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch = x.shape[0]
        G = torch.relu(self.G_raw) if self.scheme == "imex-damped" else None
        coefficients = hrf_coefficients(self.scheme, torch.relu(self.A_raw), torch.sigmoid(self.dt_raw), G)

        current = torch.cat([x @ self.B_real.t(), x @ self.B_imag.t()])
        _, position = hrf_scan(coefficients, current, self.scan)
        real, imag = position[:batch], position[batch:]
        return real @ self.C_real.t() - imag @ self.C_imag.t() + self.D * x


class LinossBlock(nn.Module):
    """BatchNorm, LinOSS layer, GELU, GLU and a residual connection."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        H = config.hidden_size
        self.norm = nn.BatchNorm1d(H)
        self.layer = LinossLayer(H, config.state_size, config.scheme, config.scan)
        self.glu = nn.Linear(H, 2 * H)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.norm(x.transpose(1, 2)).transpose(1, 2)
        y = self.dropout(nn.functional.gelu(self.layer(y)))
        y = self.dropout(nn.functional.glu(self.glu(y), dim=-1))
        return x + y


class Linoss(nn.Module):
    """The LinOSS network; `forward(x)` takes x of shape (batch, L, input_size)."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        self.encoder = nn.Linear(config.encoder_inputs, config.hidden_size)
        self.blocks = nn.ModuleList(LinossBlock(config) for _ in range(config.num_blocks))
        self.readout = Readout(config)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return logits (batch, classes) or regression outputs (batch, L // output_step, outputs)."""
        if x.dim() != 3 or x.shape[-1] != self.config.input_size:
            raise ValueError(
                f"expected input of shape (batch, length, {self.config.input_size}), "
                f"got {tuple(x.shape)}"
            )
        if self.config.time_channel:
            x = append_time_channel(x)

        x = self.encoder(x)
        for block in self.blocks:
            x = block(x)
        return self.readout(x)
