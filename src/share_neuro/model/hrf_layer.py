"""A layer of harmonic resonate-and-fire neurons: input projection, linear
recurrence (one of three discretisations) and threshold.

Parameters (names are read by the converter):

- `B` (P, H): input projection, `i_n = B s_n`, init U(-1/sqrt(H), 1/sqrt(H)).
- `A_raw` (P,): stiffness `A = relu(A_raw)`, init U(0, 1).
- `dt_raw` (P,): step `dt = sigmoid(dt_raw)`, init U(0, 1).
- `G_raw` (P,), scheme "imex-damped" only: damping `G = relu(G_raw)`, init U(0, 1).
- `a1`, `a2` (P,), scheme "im" only: offsets of the implicit-Euler right-hand side, init 0.
- `theta_c` (P,): spike threshold on the chosen signal, init U(0, 1).

Homogeneous layers set every neuron to A = 1/P, dt = 1e-3, threshold 1 (G_raw 0.5,
a1 = a2 = 0) and freeze all of these, so only B learns.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from share_neuro.hrf.coefficients import HrfCoefficients, hrf_coefficients
from share_neuro.model.scan import hrf_scan, scan_parallel_in_place
from share_neuro.model.surrogate import spike

HOMOGENEOUS_DT = 1e-3
HOMOGENEOUS_THRESHOLD = 1.0
HOMOGENEOUS_G_RAW = 0.5


class HrfLayer(nn.Module):
    """P HRF neurons driven by H input channels; returns their spikes."""

    def __init__(self, hidden_size: int, state_size: int, scheme: str = "im",
                 spike_on: str = "position", heterogeneous: bool = True, scan: str = "parallel"):
        super().__init__()
        self.scheme = scheme
        self.spike_on = spike_on
        self.scan = scan
        self.heterogeneous = heterogeneous
        P, H = state_size, hidden_size

        bound = 1.0 / math.sqrt(H)
        self.B = nn.Parameter(torch.empty(P, H).uniform_(-bound, bound))
        self.A_raw = nn.Parameter(torch.rand(P), requires_grad=heterogeneous)
        self.dt_raw = nn.Parameter(torch.rand(P), requires_grad=heterogeneous)
        if scheme == "imex-damped":
            self.G_raw = nn.Parameter(torch.rand(P), requires_grad=heterogeneous)
        if scheme == "im":
            self.a1 = nn.Parameter(torch.zeros(P), requires_grad=heterogeneous)
            self.a2 = nn.Parameter(torch.zeros(P), requires_grad=heterogeneous)
        self.theta_c = nn.Parameter(torch.rand(P), requires_grad=heterogeneous)

        if not heterogeneous:
            with torch.no_grad():
                self.A_raw.fill_(1.0 / P)
                self.dt_raw.fill_(math.log(HOMOGENEOUS_DT / (1.0 - HOMOGENEOUS_DT)))
                self.theta_c.fill_(HOMOGENEOUS_THRESHOLD)
                if scheme == "imex-damped":
                    self.G_raw.fill_(HOMOGENEOUS_G_RAW)

    def stiffness(self) -> torch.Tensor:
        """Return A = relu(A_raw), before the stability clamp of the scheme."""
        return torch.relu(self.A_raw)

    def step(self) -> torch.Tensor:
        """Return dt = sigmoid(dt_raw)."""
        return torch.sigmoid(self.dt_raw)

    def damping(self):
        """Return G = relu(G_raw) for "imex-damped", None otherwise."""
        return torch.relu(self.G_raw) if self.scheme == "imex-damped" else None

    def coefficients(self) -> HrfCoefficients:
        """Return the per-neuron transition, gains and constant terms (differentiable)."""
        a1 = self.a1 if self.scheme == "im" else None
        a2 = self.a2 if self.scheme == "im" else None
        return hrf_coefficients(self.scheme, self.stiffness(), self.step(), self.damping(), a1, a2)

    def states(self, s: torch.Tensor):
        """Return the input current, velocities and positions for input s (batch, L, H)."""
        current = s @ self.B.t()
        velocity, position = hrf_scan(self.coefficients(), current, self.scan)
        return current, velocity, position

    def signal(self, velocity: torch.Tensor, position: torch.Tensor) -> torch.Tensor:
        """Return the thresholded signal: position or velocity, per `spike_on`."""
        return position if self.spike_on == "position" else velocity

    def forward(self, s: torch.Tensor) -> torch.Tensor:
        """Return the spikes (batch, L, P) for input s (batch, L, H)."""
        _, velocity, position = self.states(s)
        return spike(self.signal(velocity, position), self.theta_c)

    def spikes_into(self, s: torch.Tensor, position: torch.Tensor, velocity: torch.Tensor) -> torch.Tensor:
        """Compute the spikes for input s (batch, L, H) without autograd, in work buffers.

        `position` and `velocity` are contiguous (batch, L, P) buffers that this call
        overwrites. Returns the spikes, which are stored in one of the two buffers. Gives
        the same values as `forward`, in fewer passes over memory and with no new
        (batch, L, P) tensors for the parallel scan.
        """
        if self.scan != "parallel":
            _, fresh_velocity, fresh_position = self.states(s)
            return torch.gt(self.signal(fresh_velocity, fresh_position), self.theta_c, out=position)

        torch.mm(s.reshape(-1, s.shape[-1]), self.B.t(), out=position.view(-1, position.shape[-1]))
        scan_parallel_in_place(self.coefficients(), position, velocity)
        return self.signal(velocity, position).gt_(self.theta_c)

    def trace(self, s: torch.Tensor) -> dict:
        """Return current, velocity, position and spikes, each (batch, L, P)."""
        current, velocity, position = self.states(s)
        spikes = spike(self.signal(velocity, position), self.theta_c)
        return {"current": current, "velocity": velocity, "position": position, "spikes": spikes}
