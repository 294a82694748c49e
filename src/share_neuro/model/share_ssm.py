"""SHaRe-SSM: a deep state-space model of spiking harmonic resonate-and-fire neurons
(Agrawal et al., arXiv 2510.14386, 2025).

    E  = encoder(X)                         Linear(N -> H), real-valued input
    s  = H(E - theta_enc)
    per block:
        Z  = H(HRF(B s) - theta_c)           HrfLayer, (L, P)
        S1 = H(C Z + D * s - theta_d)        C (H, P), D (H,)
        S2 = H(linear(S1) - theta_l)         Linear(H -> H) with bias
        s  = s + S2                          the stream carries integer spike counts
    readout (see share_neuro.model.readout)

H is the Heaviside step with H(0) = 0 and a surrogate gradient. Dropout, when
configured, drops S1 and S2 spikes and keeps them binary.

State-dict names, which the converter reads:

- `encoder.weight` (H, N), `encoder.bias` (H,), `theta_enc` (H,).
- Per block k: `blocks.k.hrf.{B, A_raw, dt_raw, G_raw, a1, a2, theta_c}` (see
  share_neuro.model.hrf_layer), `blocks.k.C` (H, P), `blocks.k.D` (H,),
  `blocks.k.theta_d` (H,), `blocks.k.linear.weight` (H, H), `blocks.k.linear.bias` (H,),
  `blocks.k.theta_l` (H,).
- `readout.head.weight` (outputs, H), `readout.head.bias` (outputs,), and for
  regression `readout.fir` (K,).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from share_neuro.model.config import ModelConfig
from share_neuro.model.hrf_layer import HOMOGENEOUS_THRESHOLD, HrfLayer
from share_neuro.model.readout import Readout, append_time_channel
from share_neuro.model.surrogate import spike, spike_dropout


def uses_work_buffers(training: bool, dropout: float) -> bool:
    """Return True when `forward` may take the in-place path: no autograd and no dropout."""
    return not torch.is_grad_enabled() and not (training and dropout > 0.0)


class WorkBuffers:
    """Named work tensors that one no-grad pass reuses across the blocks of the model.

    Two stream tensors alternate, because a block reads the incoming stream while it
    writes the outgoing one.
    """

    def __init__(self):
        self.named = {}
        self.streams = []

    def get(self, name: str, shape: tuple, like: torch.Tensor) -> torch.Tensor:
        """Return the buffer `name`, allocated on first use with the dtype and device of `like`."""
        buffer = self.named.get(name)
        if buffer is None or buffer.shape != shape:
            buffer = self.named[name] = like.new_empty(shape)
        return buffer

    def free_stream(self, shape: tuple, busy: torch.Tensor) -> torch.Tensor:
        """Return a stream tensor of `shape` that does not share memory with `busy`."""
        for stream in self.streams:
            if stream.shape == shape and stream.data_ptr() != busy.data_ptr():
                return stream
        stream = busy.new_empty(shape)
        self.streams.append(stream)
        return stream


def _threshold(size: int, heterogeneous: bool) -> nn.Parameter:
    """Return a threshold vector: U(0, 1) and learned, or 1 and frozen (homogeneous)."""
    if heterogeneous:
        return nn.Parameter(torch.rand(size))
    return nn.Parameter(torch.full((size,), HOMOGENEOUS_THRESHOLD), requires_grad=False)


class ShareBlock(nn.Module):
    """One SHaRe-SSM block: HRF layer, C stage with D skip, linear stage, residual."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        H, P = config.hidden_size, config.state_size
        self.dropout = config.dropout

        self.hrf = HrfLayer(H, P, config.scheme, config.spike_on, config.heterogeneous, config.scan)
        bound = 1.0 / math.sqrt(P)
        self.C = nn.Parameter(torch.empty(H, P).uniform_(-bound, bound))
        self.D = nn.Parameter(torch.randn(H))
        self.theta_d = _threshold(H, config.heterogeneous)
        self.linear = nn.Linear(H, H)
        self.theta_l = _threshold(H, config.heterogeneous)

    def forward(self, s: torch.Tensor) -> torch.Tensor:
        if uses_work_buffers(self.training, self.dropout):
            return self.forward_into(s, WorkBuffers())

        hrf_spikes = self.hrf(s)
        c_spikes = spike(torch.addcmul(hrf_spikes @ self.C.t(), self.D, s), self.theta_d)
        c_spikes = spike_dropout(c_spikes, self.dropout, self.training)
        linear_spikes = spike(self.linear(c_spikes), self.theta_l)
        linear_spikes = spike_dropout(linear_spikes, self.dropout, self.training)
        return s + linear_spikes

    def forward_into(self, s: torch.Tensor, buffers: "WorkBuffers") -> torch.Tensor:
        """Run the block without autograd or dropout, writing into `buffers`.

        Returns the new stream, which is one of the buffers' stream tensors and never `s`.
        Every stage overwrites a buffer in place (the comparison `gt_` turns a current
        into its 0/1 spikes), so a pass over the model allocates its large tensors once.
        """
        batch, length, hidden = s.shape
        state = self.hrf.B.shape[0]
        position = buffers.get("position", (batch, length, state), s)
        velocity = buffers.get("velocity", (batch, length, state), s)
        hrf_spikes = self.hrf.spikes_into(s, position, velocity)

        c_spikes = buffers.get("c_current", (batch, length, hidden), s)
        torch.mm(hrf_spikes.view(-1, state), self.C.t(), out=c_spikes.view(-1, hidden))
        c_spikes.addcmul_(s, self.D).gt_(self.theta_d)

        stream = buffers.free_stream((batch, length, hidden), s)
        torch.addmm(self.linear.bias, c_spikes.view(-1, hidden), self.linear.weight.t(),
                    out=stream.view(-1, hidden))
        return stream.gt_(self.theta_l).add_(s)

    def trace(self, s: torch.Tensor) -> dict:
        """Return every intermediate of the block, without dropout."""
        hrf = self.hrf.trace(s)
        c_current = torch.addcmul(hrf["spikes"] @ self.C.t(), self.D, s)
        c_spikes = spike(c_current, self.theta_d)
        linear_current = self.linear(c_spikes)
        linear_spikes = spike(linear_current, self.theta_l)
        return {
            "input": s,
            "hrf_current": hrf["current"],
            "hrf_velocity": hrf["velocity"],
            "hrf_position": hrf["position"],
            "hrf_spikes": hrf["spikes"],
            "c_current": c_current,
            "c_spikes": c_spikes,
            "linear_current": linear_current,
            "linear_spikes": linear_spikes,
            "stream": s + linear_spikes,
        }


class ShareSSM(nn.Module):
    """The SHaRe-SSM network; `forward(x)` takes x of shape (batch, L, input_size)."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        H = config.hidden_size
        self.encoder = nn.Linear(config.encoder_inputs, H)
        self.theta_enc = _threshold(H, config.heterogeneous)
        self.blocks = nn.ModuleList(ShareBlock(config) for _ in range(config.num_blocks))
        self.readout = Readout(config)

    def encoder_input(self, x: torch.Tensor) -> torch.Tensor:
        """Return x, with the time channel appended when `time_channel` is set."""
        if x.dim() != 3 or x.shape[-1] != self.config.input_size:
            raise ValueError(
                f"expected input of shape (batch, length, {self.config.input_size}), "
                f"got {tuple(x.shape)}"
            )
        return append_time_channel(x) if self.config.time_channel else x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return logits (batch, classes) or regression outputs (batch, L // output_step, outputs)."""
        if uses_work_buffers(self.training, self.config.dropout):
            return self.forward_into(x, WorkBuffers())

        s = spike(self.encoder(self.encoder_input(x)), self.theta_enc)
        for block in self.blocks:
            s = block(s)
        return self.readout(s)

    def forward_into(self, x: torch.Tensor, buffers: "WorkBuffers") -> torch.Tensor:
        """Run `forward` without autograd or dropout; large intermediates go into `buffers`."""
        encoder_input = self.encoder_input(x)
        batch, length, inputs = encoder_input.shape
        hidden = self.config.hidden_size

        s = buffers.free_stream((batch, length, hidden), encoder_input)
        torch.addmm(self.encoder.bias, encoder_input.reshape(-1, inputs), self.encoder.weight.t(),
                    out=s.view(-1, hidden))
        s.gt_(self.theta_enc)

        for block in self.blocks:
            s = block.forward_into(s, buffers)
        return self.readout(s)

    @torch.no_grad()
    def trace(self, x: torch.Tensor) -> dict:
        """Return every intermediate, without gradients or dropout.

        Keys: `input` (encoder input, with the time channel if any), `encoder_current`,
        `encoder_spikes`, `blocks` (one dict per block, see `ShareBlock.trace`),
        `readout` (see `Readout.trace`) and `output` (what `forward` returns).
        """
        encoder_input = self.encoder_input(x)
        encoder_current = self.encoder(encoder_input)
        s = spike(encoder_current, self.theta_enc)
        result = {"input": encoder_input, "encoder_current": encoder_current, "encoder_spikes": s}

        blocks = []
        for block in self.blocks:
            blocks.append(block.trace(s))
            s = blocks[-1]["stream"]
        result["blocks"] = blocks

        result["readout"] = self.readout.trace(s)
        result["output"] = result["readout"]["output"]
        return result
