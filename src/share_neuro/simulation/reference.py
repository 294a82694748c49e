"""The bit-exact numpy reference simulator of a deployable network.

Vectorised over samples and neurons, looping over steps. Each source node keeps a ring
buffer of its last outputs, deep enough for its longest outgoing delay. Synaptic sums
are float matrix products of integers, exact because validation bounds every partial
sum below the float's integer range (2**24 for float32, 2**53 for float64); they are
converted to int64 before any shift, so results match integer arithmetic bit for bit.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np

from share_neuro.errors import DataError
from share_neuro.fixedpoint.hrf_update import HRFParams, hrf_step
from share_neuro.fixedpoint.rounding import dense_shift, wrap_int32
from share_neuro.network.nodes import HRFPopulation, InputNode, Network, Readout, ThresholdPopulation
from share_neuro.network.validate import validate_network
from share_neuro.simulation.activity import Activity
from share_neuro.simulation.inputs import quantize_input

__all__ = ["check_inputs", "quantize_input", "regression_output_steps", "regression_values", "simulate"]

FLOAT32_EXACT = 1 << 24


@dataclass
class _SynapsePlan:
    name: str
    source: str
    target: str
    delays: np.ndarray  # int64 (D,), the distinct delays of the group
    weights: np.ndarray  # float (D, source size, target size): weights at each delay, transposed
    weight_exp: int
    graded: bool
    nonzero_per_source: np.ndarray  # int64 (source size,)


def check_inputs(network: Network, X) -> np.ndarray:
    """Return X as an array of shape (samples, length, channels), or raise DataError.

    `channels` excludes the time channel, which the host appends itself.
    """
    X = np.asarray(X)
    channels = network.input.data_channels
    if X.ndim != 3 or X.shape[2] != channels:
        raise DataError(f"input has shape {X.shape}, expected (samples, length, {channels}); "
                        "pass a dataset whose channels match the network's input node")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise DataError(f"input has shape {X.shape}; pass at least one sample of at least one step")
    if X.dtype.kind not in "fiu":
        raise DataError(f"input has dtype {X.dtype}; pass real numbers")
    if not np.all(np.isfinite(X)):
        raise DataError("input contains NaN or infinite values; clean or impute the dataset first")
    return X


def regression_output_steps(readout: Readout, length: int) -> np.ndarray:
    """Return the readout-relative steps at which a regression output is taken: output_step - 1, 2 output_step - 1, ..."""
    return np.arange(readout.output_step - 1, length, readout.output_step, dtype=np.int64)


def regression_values(readout: Readout, value) -> np.ndarray:
    """Return the regression outputs in the dataset's units for `value = current * scale + cumulative bias` (float64).

    `target_center + target_half_range * tanh(value)`: the inverse of the target
    scaling that training applied.
    """
    squashed = np.tanh(np.asarray(value, dtype=np.float64))
    return np.float64(readout.target_center) + np.float64(readout.target_half_range) * squashed


def simulate(network: Network, X, *, record_spikes: bool = False, batch_size: int = 256, progress: bool = True) -> Activity:
    """Simulate `network` on raw inputs X of shape (samples, length, channels).

    The input node normalises and quantises X itself (appending `t / L` first when it
    has a time channel), so X has the dataset's channels only. With `record_spikes`, every
    population's spike train is kept as bool (samples, steps, size); otherwise memory
    does not grow with the number of steps.
    """
    from tqdm import tqdm

    validate_network(network)
    X = check_inputs(network, X)
    samples, length, _ = X.shape
    steps = network.total_steps(length)
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")

    plans = _plan_synapses(network)
    activity = _empty_activity(network, samples, steps, length, record_spikes)
    source_nonzero = {node.name: np.zeros(node.size, dtype=np.int64) for node in network.nodes if not isinstance(node, Readout)}

    with _single_blas_thread(), tqdm(total=samples * steps, unit="sample-step", disable=not progress,
                                     desc="reference simulation") as bar:
        for begin in range(0, samples, batch_size):
            end = min(begin + batch_size, samples)
            _simulate_batch(network, plans, X[begin:end], begin, steps, activity, source_nonzero, bar)

    for plan in plans:
        events = int(source_nonzero[plan.source] @ plan.nonzero_per_source)
        activity.graded_events[plan.name] = events if plan.graded else 0
        activity.synaptic_events[plan.name] = 0 if plan.graded else events
    for population in network.populations:
        activity.spike_counts[population.name] = source_nonzero[population.name]
    return activity


def _single_blas_thread():
    """Limit BLAS to one thread: the per-step products are small, and threads made them about 3x slower (measured on 2 cores)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _plan_synapses(network: Network) -> list:
    plans = []
    for synapses in network.synapses:
        source = network.node(synapses.source)
        weight = np.asarray(synapses.weight, dtype=np.int64)
        delay = np.zeros(weight.shape, dtype=np.int64) if synapses.delay is None else np.asarray(synapses.delay, dtype=np.int64)
        delays = np.unique(delay)

        # Binary sources fit float32 exactly while size x max |weight| <= 2**24.
        exact32 = not synapses.graded and source.size * 256 <= FLOAT32_EXACT
        dtype = np.float32 if exact32 else np.float64
        stacked = np.stack([np.where(delay == d, weight, 0).T for d in delays]).astype(dtype)

        plans.append(_SynapsePlan(
            name=synapses.name,
            source=synapses.source,
            target=synapses.target,
            delays=delays,
            weights=stacked,
            weight_exp=int(synapses.weight_exp),
            graded=bool(synapses.graded),
            nonzero_per_source=np.count_nonzero(weight, axis=0).astype(np.int64),
        ))
    return plans


def _empty_activity(network: Network, samples: int, steps: int, length: int, record_spikes: bool) -> Activity:
    readout = network.readout
    if readout.task == "classification":
        outputs = np.zeros((samples, readout.size), dtype=np.float64)
    else:
        outputs = np.zeros((samples, len(regression_output_steps(readout, length))), dtype=np.float64)
    activity = Activity(
        samples=samples,
        steps=steps,
        length=length,
        outputs=outputs,
        predictions=np.zeros(samples, dtype=np.int64) if readout.task == "classification" else None,
    )
    for population in network.populations:
        if record_spikes:
            activity.spikes[population.name] = np.zeros((samples, steps, population.size), dtype=bool)
        activity.neuron_updates[population.name] = population.size * max(0, steps - population.start_step) * samples
        activity.saturations[population.name] = 0
        activity.current_overflows[population.name] = 0
    activity.neuron_updates[readout.name] = readout.size * length * samples
    activity.current_overflows[readout.name] = 0
    return activity


def _simulate_batch(network, plans, X, offset, steps, activity, source_nonzero, bar):
    batch, length, _ = X.shape
    input_node = network.input
    readout = network.readout
    payload = quantize_input(input_node, X)  # int64 (batch, length, channels)

    # Ring buffers: slot t % depth contains a source's output at step t, in the float
    # dtype its synapse products use.
    depth = {}
    buffer_dtype = {}
    for plan in plans:
        depth[plan.source] = max(depth.get(plan.source, 1), int(plan.delays.max()) + 1)
        if plan.weights.dtype == np.float64 or plan.source not in buffer_dtype:
            buffer_dtype[plan.source] = plan.weights.dtype
    buffers = {name: np.zeros((depth[name], batch, network.node(name).size), dtype=buffer_dtype[name]) for name in depth}
    incoming = {node.name: [plan for plan in plans if plan.target == node.name] for node in network.nodes}

    states = {}
    hrf_params = {}
    for population in network.populations:
        if isinstance(population, HRFPopulation):
            states[population.name] = (np.zeros((batch, population.size), np.int64), np.zeros((batch, population.size), np.int64))
            hrf_params[population.name] = (
                HRFParams(population.scheme, population.spike_on, population.threshold.astype(np.int64),
                          int(population.state_bits), int(population.coef_frac_bits)),
                {key: np.asarray(value, dtype=np.int64) for key, value in population.coefficients.items()},
            )

    accumulator = np.zeros((batch, readout.size), dtype=np.int64)
    output_steps = regression_output_steps(readout, length) if readout.task == "regression" else None
    if readout.task == "regression":
        cumulative_bias = np.cumsum(np.asarray(readout.bias_taps, dtype=np.float64))
    report_every = 64

    for t in range(steps):
        # Phase 1: every current at step t depends only on outputs of steps before t.
        currents = {}
        for node in network.nodes:
            if isinstance(node, InputNode) or t < node.start_step:
                continue
            currents[node.name] = _current(node, incoming[node.name], buffers, t, batch, activity)

        # Phase 2: update nodes and store their outputs at step t.
        for node in network.nodes:
            if isinstance(node, Readout):
                if node.name in currents:
                    _update_readout(node, currents[node.name], t, length, accumulator, output_steps,
                                    cumulative_bias if node.task == "regression" else None, activity, offset)
                continue

            if isinstance(node, InputNode):
                relative = t - node.start_step
                output = payload[:, relative] if 0 <= relative < length else np.zeros((batch, node.size), np.int64)
            elif t < node.start_step:
                output = np.zeros((batch, node.size), dtype=bool)
            elif isinstance(node, ThresholdPopulation):
                output = currents[node.name] > node.threshold.astype(np.int64)
            else:
                u, v = states[node.name]
                params, coefficients = hrf_params[node.name]
                u, v, output, clipped = hrf_step(u, v, currents[node.name], coefficients, params)
                states[node.name] = (u, v)
                activity.saturations[node.name] += clipped

            source_nonzero[node.name] += np.count_nonzero(output, axis=0).astype(np.int64)
            if node.name in activity.spikes:
                activity.spikes[node.name][offset:offset + batch, t] = output
            if node.name in buffers:
                buffers[node.name][t % depth[node.name]] = output

        if (t + 1) % report_every == 0 or t + 1 == steps:
            bar.update(batch * ((t % report_every) + 1))

    if readout.task == "classification":
        scores = accumulator.astype(np.float64) * np.float64(readout.scale) + np.float64(length) * readout.bias.astype(np.float64)
        activity.outputs[offset:offset + batch] = scores
        activity.predictions[offset:offset + batch] = np.argmax(scores, axis=1).astype(np.int64)


def _current(node, plans, buffers, t, batch, activity) -> np.ndarray:
    """Return the int32-wrapped input current of `node` at step t, as int64 (batch, size)."""
    total = np.zeros((batch, node.size), dtype=np.int64)
    for plan in plans:
        buffer = buffers[plan.source]
        slots = (t - 1 - plan.delays) % buffer.shape[0]
        if len(slots) == 1:
            products = (buffer[slots[0]] @ plan.weights[0])[None]
        else:
            products = np.matmul(buffer[slots], plan.weights)
        # Lava shifts each (group, delay) accumulation separately, before summing.
        total += dense_shift(products.astype(np.int64), plan.weight_exp).sum(axis=0)
    wrapped, overflows = wrap_int32(total)
    activity.current_overflows[node.name] += overflows
    return wrapped


def _update_readout(node, current, t, length, accumulator, output_steps, cumulative_bias, activity, offset):
    relative = t - node.start_step
    if not 0 <= relative < length:
        return
    if node.task == "classification":
        accumulator += current
        return

    position = np.searchsorted(output_steps, relative)
    if position < len(output_steps) and output_steps[position] == relative:
        bias = cumulative_bias[min(relative, len(cumulative_bias) - 1)]
        value = regression_values(node, current[:, 0].astype(np.float64) * np.float64(node.scale) + bias)
        activity.outputs[offset:offset + len(current), position] = value
