"""Random deployable networks shaped like SHaRe-SSM, for tests and benchmarks.

`random_network` draws valid networks (they pass `validate_network`) with every
feature the Lava backend must reproduce: graded input, threshold and HRF
populations of all three schemes, several synapse groups into one population,
per-synapse delays, positive and negative `weight_exp`, start steps and both
readout tasks. Thresholds sit inside the typical current range so that neurons spike.
"""

from __future__ import annotations

import numpy as np
from share_neuro.network.nodes import (
    DenseSynapses,
    HRFPopulation,
    InputNode,
    Network,
    Readout,
    ThresholdPopulation,
)

COEF_FRAC_BITS = 14


def _weights(rng, target: int, source: int, density: float = 0.7) -> np.ndarray:
    values = rng.integers(-128, 128, size=(target, source)) * 2
    values[rng.random((target, source)) > density] = 0
    return values.astype(np.int16)


def _hrf_coefficients(rng, scheme: str, size: int) -> tuple:
    """Return (integer coefficients, float coefficients) of a stable HRF population."""
    one = 1 << COEF_FRAC_BITS
    dt = rng.uniform(0.05, 0.4, size)
    stiffness = rng.uniform(0.5, 4.0, size)
    if scheme == "imex":
        floats = {"k_a": -dt * stiffness, "k_i": dt, "k_dt": dt}
    else:
        shrink = 1.0 / (1.0 + dt**2 * stiffness) if scheme == "im" else 1.0 / (1.0 + dt * rng.uniform(0.1, 1.0, size))
        floats = {"m11": shrink, "m12": -dt * stiffness * shrink, "m21": dt * shrink, "m22": shrink,
                  "g1": dt * shrink, "g2": dt**2 * shrink,
                  "c1": rng.uniform(-0.5, 0.5, size), "c2": rng.uniform(-0.5, 0.5, size)}
    integers = {key: np.round(value * one).astype(np.int32) for key, value in floats.items()}
    return integers, {key: np.asarray(value, dtype=np.float64) for key, value in floats.items()}


def _synapses(rng, name, source, target, *, graded=False, delays=0, weight_exp=None) -> DenseSynapses:
    weight = _weights(rng, target.size, source.size)
    delay = None
    if delays:
        delay = rng.integers(0, delays + 1, size=weight.shape).astype(np.uint8)
    exponent = int(rng.integers(-6, 2)) if weight_exp is None else weight_exp
    return DenseSynapses(name=name, source=source.name, target=target.name, weight=weight,
                         weight_exp=exponent, delay=delay, graded=graded,
                         weight_float=(weight.astype(np.float64) * 2.0**exponent).astype(np.float32))


def random_network(seed: int, *, channels: int = 3, hidden: int = 6, state: int = 5, classes: int = 3,
                   task: str = "classification", scheme: str = "imex", max_delay: int = 3,
                   input_bits: int = 12) -> Network:
    """Draw a network: input -> encoder -> HRF -> c_stage -> linear -> readout, with a delayed skip."""
    rng = np.random.default_rng(seed)
    frac_bits = input_bits - 4
    node_in = InputNode(name="input", size=channels, mean=rng.normal(0, 1, channels),
                        std=rng.uniform(0.5, 2.0, channels), frac_bits=frac_bits, bits=input_bits)

    def threshold_population(name, size, start, scale):
        threshold = rng.integers(-scale // 4, scale, size=size).astype(np.int32)
        return ThresholdPopulation(name=name, size=size, threshold=threshold, start_step=start, role="encoder",
                                   threshold_float=threshold.astype(np.float32))

    input_scale = 1 << frac_bits
    encoder = threshold_population("encoder", hidden, int(rng.integers(0, 3)), input_scale)
    integers, floats = _hrf_coefficients(rng, scheme, state)
    hrf_threshold = rng.integers(0, 200, size=state).astype(np.int32)
    hrf = HRFPopulation(name="hrf", size=state, scheme=scheme, spike_on=str(rng.choice(["position", "velocity"])),
                        threshold=hrf_threshold, coefficients=integers, start_step=encoder.start_step + 1,
                        coef_frac_bits=COEF_FRAC_BITS, threshold_float=hrf_threshold.astype(np.float32),
                        coefficients_float=floats)
    c_stage = threshold_population("c_stage", hidden, hrf.start_step + 1, 64)
    linear = threshold_population("linear", hidden, c_stage.start_step + max_delay + 1, 64)
    readout_size = classes if task == "classification" else 1
    readout = Readout(name="readout", size=readout_size, task=task, start_step=linear.start_step + 1,
                      scale=float(rng.uniform(0.01, 0.1)), bias=rng.normal(0, 1, readout_size),
                      output_step=int(rng.integers(1, 4)),
                      bias_taps=rng.normal(0, 0.1, 4) if task == "regression" else None)

    synapses = [
        _synapses(rng, "encoder_in", node_in, encoder, graded=True, weight_exp=int(rng.integers(-4, 1))),
        _synapses(rng, "B", encoder, hrf, weight_exp=int(rng.integers(0, 4))),
        _synapses(rng, "C", hrf, c_stage),
        _synapses(rng, "D", encoder, c_stage, delays=max_delay),
        _synapses(rng, "linear", c_stage, linear, delays=max_delay),
        _synapses(rng, "skip", encoder, linear, delays=max_delay),
        _synapses(rng, "readout_in", linear, readout, delays=max_delay if task == "regression" else 0),
    ]
    return Network(nodes=[node_in, encoder, hrf, c_stage, linear, readout], synapses=synapses,
                   metadata={"synthetic_seed": seed})


def random_inputs(seed: int, network: Network, samples: int, length: int) -> np.ndarray:
    """Draw float32 inputs (samples, length, channels) around the input node's mean."""
    rng = np.random.default_rng(seed + 1_000_003)
    node = network.input
    return (node.mean + node.std * rng.normal(0, 1.5, (samples, length, node.size))).astype(np.float32)
