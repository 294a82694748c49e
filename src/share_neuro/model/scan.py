"""The linear HRF recurrence over a whole sequence: a chunked parallel scan and the
sequential loop that serves as its test oracle.

Every neuron runs `x_n = M x_{n-1} + g i_n + c` with `x = [u, v]`, `x_{-1} = 0`, a
constant 2x2 matrix M and constant vectors g, c (see `share_neuro.hrf.coefficients`).
Inputs `current` have shape (batch, length, neurons); coefficients have shape
(neurons,). Both functions return the velocities `u` and positions `v`, each shaped
like `current`.

The parallel scan splits time into chunks of T steps (T from `chunk_size`). First it
scans every chunk from a zero state, in T steps vectorised over all chunks. Then it
propagates the chunk end states with the matrix M**T, which is the same scan (applied
recursively) over length / T chunks. Last, it adds `M**(t+1) x_start` to step t of
every chunk. This needs about 2 T + length / T vectorised steps instead of `length`,
and no power of M beyond M**T, so it neither overflows for IMEX (|eigenvalue| = 1) nor
underflows for IM (which decays).

Its backward pass is a second scan: the adjoint `lambda_n = dL/dx_n + M^T lambda_{n+1}`
runs backwards in time with the transposed matrix, and the gradients of M, g and c are
sums of products of the adjoint with the saved states and inputs. Only the input and the
two state sequences are kept for the backward pass.
"""

from __future__ import annotations

import functools

import torch

from share_neuro.hrf.coefficients import HrfCoefficients
from share_neuro.model.denormals import flush_denormals

# Steps per chunk for long sequences, at every level of the recursion. Timings of the
# scan alone at shape (4, 17984, 64) on a shared 2-core CPU put 32, 48, 64 and 96
# within 15% of each other. 64 keeps the rounding that the ONNX parity test of
# 17,984-step LinOSS expects: with 32, one logit moved past its 1e-4 tolerance.
# NOTE: not re-tuned on other machines.
LONG_CHUNK = 64

# Below this length the per-operation overhead of the scan's many small steps
# dominates, so the chunk size is chosen per level to minimise the number of steps,
# from MIN_CHUNK to MAX_CHUNK. At 1000 steps this halves the steps (64 against 117)
# and the scan's time.
LONG_SCAN = LONG_CHUNK * LONG_CHUNK
MIN_CHUNK = 24
MAX_CHUNK = 64

SCAN_METHODS = ("parallel", "sequential")


def scan_sequential(coefficients: HrfCoefficients, current: torch.Tensor):
    """Run the recurrence one step at a time (the oracle; autograd records every step)."""
    m11, m12, m21, m22, g1, g2, c1, c2 = coefficients
    batch, length, neurons = current.shape
    u = current.new_zeros(batch, neurons)
    v = current.new_zeros(batch, neurons)
    velocities, positions = [], []

    # unbind, not current[:, n], because the backward of one indexing op per step would
    # allocate a full-size gradient each time, which is quadratic in the length.
    for i_n in current.unbind(1):
        u, v = (
            m11 * u + m12 * v + g1 * i_n + c1,
            m21 * u + m22 * v + g2 * i_n + c2,
        )
        velocities.append(u)
        positions.append(v)

    return torch.stack(velocities, 1), torch.stack(positions, 1)


def scan_parallel(coefficients: HrfCoefficients, current: torch.Tensor, chunk: int | None = None):
    """Run the recurrence with the chunked scan; gradients come from the reverse scan."""
    m11, m12, m21, m22, g1, g2, c1, c2 = (_as_vector(c, current) for c in coefficients)
    return _HrfScan.apply(current, m11, m12, m21, m22, g1, g2, c1, c2, chunk)


def scan_parallel_in_place(coefficients: HrfCoefficients, current: torch.Tensor, velocity: torch.Tensor,
                           chunk: int | None = None) -> None:
    """Run the chunked scan without autograd: overwrite `current` with the positions.

    `velocity`, contiguous and shaped like `current`, receives the velocities. This is
    the inference path: writing into buffers that the caller reuses avoids allocating
    and first touching two fresh (batch, length, neurons) tensors per layer.
    """
    m11, m12, m21, m22, g1, g2, c1, c2 = (_as_vector(c, current) for c in coefficients)
    with torch.no_grad(), flush_denormals():
        torch.addcmul(c1, g1, current, out=velocity)
        torch.addcmul(c2, g2, current, out=current)
        _scan_in_place(m11, m12, m21, m22, velocity, current, chunk)


def hrf_scan(coefficients: HrfCoefficients, current: torch.Tensor, method: str = "parallel"):
    """Run the recurrence with `method` ("parallel" or "sequential")."""
    if method == "parallel":
        return scan_parallel(coefficients, current)
    if method == "sequential":
        return scan_sequential(coefficients, current)
    raise ValueError(f"unknown scan method {method!r}: use one of {', '.join(SCAN_METHODS)}")


def _as_vector(value, current: torch.Tensor) -> torch.Tensor:
    value = torch.as_tensor(value, dtype=current.dtype, device=current.device)
    return value.expand(current.shape[-1])


def _matrix_powers(m11, m12, m21, m22, count: int):
    """Return M**1 .. M**count as four tensors of shape (count, neurons)."""
    powers = [[m11], [m12], [m21], [m22]]
    p11, p12, p21, p22 = m11, m12, m21, m22

    for _ in range(count - 1):
        p11, p12, p21, p22 = (
            m11 * p11 + m12 * p21, m11 * p12 + m12 * p22,
            m21 * p11 + m22 * p21, m21 * p12 + m22 * p22,
        )
        powers[0].append(p11)
        powers[1].append(p12)
        powers[2].append(p21)
        powers[3].append(p22)

    return [torch.stack(p) for p in powers]


@functools.lru_cache(maxsize=None)
def _scan_cost(length: int) -> tuple:
    """Return (sequential steps, chunk size) of the cheapest scan plan for `length` steps.

    A chunked level costs T - 1 local steps, the scan of its length // T chunk end
    states, one fix-up and length % T steps for the remainder. The plain loop costs
    length - 1 steps. Each step is a few small vectorised operations, so for short
    sequences the per-operation overhead dominates and the step count is what to minimise.
    """
    best = (max(length - 1, 0), None)
    for chunk in range(MIN_CHUNK, MAX_CHUNK + 1):
        count = length // chunk
        if count < 2:
            break
        steps = (chunk - 1) + _scan_cost(count)[0] + 1 + length % chunk
        if steps < best[0]:
            best = (steps, chunk)
    return best


def chunk_size(length: int) -> int | None:
    """Return the steps per chunk for a scan over `length` steps, or None for the plain loop."""
    if length >= LONG_SCAN:
        return LONG_CHUNK
    return _scan_cost(length)[1]


def _scan_in_place(m11, m12, m21, m22, u, v, chunk: int | None):
    """Overwrite u, v (batch, time, neurons), holding f_n, with x_n = M x_{n-1} + f_n."""
    length = u.shape[1]
    if chunk is None and length >= LONG_SCAN:
        chunk = LONG_CHUNK

    # A fixed chunk size applies at every level of the recursion, a chosen one per level.
    if chunk is None:
        level_chunk = chunk_size(length)
        chunked = level_chunk is not None
    else:
        level_chunk, chunked = chunk, length > 2 * chunk
    if not chunked:
        _scan_loop_in_place(m11, m12, m21, m22, u, v)
        return

    count = length // level_chunk
    body = count * level_chunk
    batch, _, neurons = u.shape

    # (batch, chunks, T, neurons) views: the local scans of all chunks run side by side.
    chunk_u = u[:, :body].view(batch, count, level_chunk, neurons)
    chunk_v = v[:, :body].view(batch, count, level_chunk, neurons)
    _scan_loop_in_place(m11, m12, m21, m22, chunk_u, chunk_v, dim=2)

    # True state at the end of each chunk: X_k = M**T X_{k-1} + (local end state of chunk k).
    p11, p12, p21, p22 = _matrix_powers(m11, m12, m21, m22, level_chunk)
    end_u = chunk_u[:, :, -1].clone()
    end_v = chunk_v[:, :, -1].clone()
    _scan_in_place(p11[-1], p12[-1], p21[-1], p22[-1], end_u, end_v, chunk)

    # Step t of chunk k > 0 gets M**(t+1) X_{k-1}.
    start_u = end_u[:, :-1].unsqueeze(2)
    start_v = end_v[:, :-1].unsqueeze(2)
    chunk_u[:, 1:].addcmul_(p11, start_u).addcmul_(p12, start_v)
    chunk_v[:, 1:].addcmul_(p21, start_u).addcmul_(p22, start_v)

    # The last length % T steps continue from the final chunk end state.
    if body < length:
        u[:, body].addcmul_(m11, end_u[:, -1]).addcmul_(m12, end_v[:, -1])
        v[:, body].addcmul_(m21, end_u[:, -1]).addcmul_(m22, end_v[:, -1])
        _scan_loop_in_place(m11, m12, m21, m22, u[:, body:], v[:, body:])


def _scan_loop_in_place(m11, m12, m21, m22, u, v, dim: int = 1):
    """Overwrite u, v step by step along `dim`, vectorised over the other dims."""
    for n in range(1, u.shape[dim]):
        previous_u = u.select(dim, n - 1)
        previous_v = v.select(dim, n - 1)
        u.select(dim, n).addcmul_(m11, previous_u).addcmul_(m12, previous_v)
        v.select(dim, n).addcmul_(m21, previous_u).addcmul_(m22, previous_v)


class _HrfScan(torch.autograd.Function):
    @staticmethod
    def forward(ctx, current, m11, m12, m21, m22, g1, g2, c1, c2, chunk):
        with torch.no_grad(), flush_denormals():
            u = torch.addcmul(c1, g1, current).contiguous()
            v = torch.addcmul(c2, g2, current).contiguous()
            _scan_in_place(m11, m12, m21, m22, u, v, chunk)

        ctx.save_for_backward(current, u, v, m11, m12, m21, m22, g1, g2)
        ctx.chunk = chunk
        return u, v

    @staticmethod
    def backward(ctx, grad_u, grad_v):
        current, u, v, m11, m12, m21, m22, g1, g2 = ctx.saved_tensors

        # Adjoint: lambda_n = grad_n + M^T lambda_{n+1}, a scan backwards in time.
        with torch.no_grad(), flush_denormals():
            adj_u = grad_u.flip(1).contiguous()
            adj_v = grad_v.flip(1).contiguous()
            _scan_in_place(m11, m21, m12, m22, adj_u, adj_v, ctx.chunk)
            adj_u = adj_u.flip(1)
            adj_v = adj_v.flip(1)

        grad_current = None
        if ctx.needs_input_grad[0]:
            grad_current = (adj_u * g1).addcmul_(adj_v, g2)

        # dL/dM = sum_n lambda_n x_{n-1}^T, with x_{-1} = 0.
        def dot(a, b):
            return (a * b).sum((0, 1))

        previous_u, previous_v = u[:, :-1], v[:, :-1]
        later_u, later_v = adj_u[:, 1:], adj_v[:, 1:]
        return (
            grad_current,
            dot(later_u, previous_u), dot(later_u, previous_v),
            dot(later_v, previous_u), dot(later_v, previous_v),
            dot(adj_u, current), dot(adj_v, current),
            adj_u.sum((0, 1)), adj_v.sum((0, 1)),
            None,
        )
