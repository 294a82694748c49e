"""The Heaviside spike with a double-Gaussian surrogate gradient.

Forward: `H(x) = 1 if x > 0 else 0` (so H(0) = 0, the strict comparison that the
fixed-point network also uses). Backward: the derivative is replaced by

    gamma * ((1 + p) N(x; 0, s1) - 2 p N(x; 0, s2))

with N the Gaussian density, p = 0.15, s1 = 0.5, s2 = 3.0, gamma = 0.5, as in
SHaRe-SSM (Agrawal et al., arXiv 2510.14386, 2025).
"""

from __future__ import annotations

import math

import torch

from share_neuro.model.denormals import flush_denormals

SURROGATE_P = 0.15
SURROGATE_S1 = 0.5
SURROGATE_S2 = 3.0
SURROGATE_GAMMA = 0.5


def gaussian_density(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """Return the density of N(0, sigma**2) at x."""
    return torch.exp(-0.5 * (x / sigma) ** 2) / (sigma * math.sqrt(2.0 * math.pi))


def surrogate_derivative(x: torch.Tensor) -> torch.Tensor:
    """Return the double-Gaussian surrogate of dH/dx at x."""
    # In-place steps, because this runs on every spike tensor in the backward pass. The
    # result equals the formula in the module docstring.
    p = SURROGATE_P
    narrow_scale = SURROGATE_GAMMA * (1.0 + p) / (SURROGATE_S1 * math.sqrt(2.0 * math.pi))
    wide_scale = SURROGATE_GAMMA * 2.0 * p / (SURROGATE_S2 * math.sqrt(2.0 * math.pi))

    square = x * x
    wide = torch.mul(square, -0.5 / SURROGATE_S2**2).exp_().mul_(wide_scale)
    narrow = square.mul_(-0.5 / SURROGATE_S1**2).exp_().mul_(narrow_scale)
    return narrow.sub_(wide)


class SpikeFunction(torch.autograd.Function):
    """H(x - threshold) forward, double-Gaussian surrogate backward.

    Comparing x with the threshold directly saves materialising x - threshold, a full
    pass over the largest tensors of the model, in the forward pass.
    """

    @staticmethod
    def forward(ctx, x, threshold):
        ctx.save_for_backward(x, threshold)

        # Comparing straight into a float tensor skips a bool temporary and its conversion.
        spikes = x.new_empty(torch.broadcast_shapes(x.shape, threshold.shape))
        return torch.gt(x, threshold, out=spikes)

    @staticmethod
    def backward(ctx, grad_output):
        x, threshold = ctx.saved_tensors
        with flush_denormals():
            grad_x = surrogate_derivative(x - threshold).mul_(grad_output)

        grad_threshold = None
        if ctx.needs_input_grad[1]:
            leading = grad_x.dim() - threshold.dim()
            grad_threshold = -grad_x.sum(tuple(range(leading))).sum_to_size(threshold.shape)
        return grad_x, grad_threshold


def spike(x: torch.Tensor, threshold=None) -> torch.Tensor:
    """Return 1.0 where x > threshold (default 0) and 0.0 elsewhere, with the surrogate gradient.

    `threshold` is a scalar or a tensor that broadcasts against the trailing dims of x.
    """
    if threshold is None:
        threshold = 0.0
    if not isinstance(threshold, torch.Tensor):
        threshold = torch.tensor(threshold, dtype=x.dtype, device=x.device)
    return SpikeFunction.apply(x, threshold)


def spike_dropout(spikes: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    """Drop spikes with probability p and keep the survivors at exactly 1.

    Inverted dropout scales survivors by 1 / (1 - p). As in the authors' code, the result
    is rounded back to 0/1, and a straight-through estimator keeps the dropout gradient.
    """
    if not training or p == 0.0:
        return spikes

    dropped = torch.nn.functional.dropout(spikes, p, training=True)
    return dropped + ((dropped > 0).to(dropped.dtype) - dropped).detach()
