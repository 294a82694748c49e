"""Random deployable networks with SHaRe-SSM's topology, for tests and benchmarks.

The weights are random, so the networks compute nothing useful; their sizes, timing,
firing and arithmetic are those of a converted SHaRe-SSM.
"""

from __future__ import annotations

import numpy as np

from share_neuro.network.nodes import DenseSynapses, HRFPopulation, InputNode, Network, Readout, ThresholdPopulation


def hrf_coefficients(scheme: str, dt, A, frac_bits: int, damping=None, offsets=None) -> dict:
    """Quantise the HRF discretisation of (dt, A[, G]) to int32 coefficients with `frac_bits` fraction bits.

    `offsets` is an optional pair (a1, a2) of per-neuron input offsets in state units
    (scheme "im" only).
    """
    dt = np.asarray(dt, dtype=np.float64)
    A = np.asarray(A, dtype=np.float64)
    one = np.float64(2.0**frac_bits)

    def q(values):
        return np.floor(np.asarray(values, dtype=np.float64) * one + 0.5).astype(np.int32)

    if scheme == "imex":
        return {"k_a": q(-dt * A), "k_i": q(dt), "k_dt": q(dt)}
    if scheme == "im":
        S = 1.0 / (1.0 + dt * dt * A)
        a1, a2 = offsets if offsets is not None else (np.zeros_like(dt), np.zeros_like(dt))
        return {"m11": q(S), "m12": q(-dt * A * S), "m21": q(dt * S), "m22": q(S),
                "g1": q(S * dt), "g2": q(dt * S * dt),
                "c1": q(S * a1 - dt * A * S * a2), "c2": q(dt * S * a1 + S * a2)}
    if scheme == "imex-damped":
        G = np.asarray(damping if damping is not None else np.zeros_like(dt), dtype=np.float64)
        S = 1.0 / (1.0 + dt * G)
        zero = np.zeros(dt.shape, dtype=np.int32)
        return {"m11": q(S), "m12": q(-dt * A * S), "m21": q(dt * S), "m22": q((1.0 + dt * G - dt * dt * A) * S),
                "g1": q(dt * S), "g2": q(dt * dt * S), "c1": zero, "c2": zero}
    raise ValueError(f"unknown scheme {scheme!r}")


def random_share_network(seed: int = 0, *, inputs: int = 6, hidden: int = 128, state: int = 64, blocks: int = 2,
                         scheme: str = "imex", task: str = "classification", classes: int = 4,
                         spike_on: str = "position", extra_delay: int = 0, output_step: int = 4,
                         fir_taps: int = 4) -> Network:
    """Build a random network of SHaRe-SSM's shape.

    Input -> encoder threshold population -> per block: HRF population (B), C stage
    (C from the HRF spikes plus the D skip from the residual stream), block linear
    population; the residual stream is the encoder plus every block's linear
    population, fanned out with aligning delays. `extra_delay` > 0 adds random delays
    of up to that many steps to every synapse (no longer aligned; for tests).
    """
    rng = np.random.default_rng(seed)
    frac = 14

    def weights(rows, columns, density=1.0):
        w = rng.integers(-128, 128, size=(rows, columns)) * 2
        w[rng.random((rows, columns)) > density] = 0
        return w.astype(np.int16)

    def delays(shape, base):
        extra = rng.integers(0, extra_delay + 1, size=shape) if extra_delay else np.zeros(shape, np.int64)
        return (base + extra).astype(np.uint8)

    def thresholds(size, scale):
        return np.floor(rng.random(size) * scale).astype(np.int32)

    nodes = [InputNode("input", inputs, mean=rng.normal(size=inputs), std=rng.uniform(0.5, 2.0, size=inputs),
                       frac_bits=8, bits=16, start_step=0)]
    synapses = []
    # Step at which each node handles input step 0: a synapse from a node at offset a
    # to one at offset b has delay b - a - 1.
    offset = {"input": 0}

    def connect(name, source, target, w, exp, role):
        delay = offset[target] - offset[source] - 1
        synapses.append(DenseSynapses(name, source, target, w, exp, delay=delays(w.shape, delay),
                                      graded=source == "input", role=role))

    offset["encoder"] = 1
    nodes.append(ThresholdPopulation("encoder", hidden, thresholds(hidden, 40), start_step=1, role="encoder"))
    connect("encoder_in", "input", "encoder", weights(hidden, inputs), -6, "encoder")
    stream = ["encoder"]

    for block in range(blocks):
        hrf, c_stage, linear = f"b{block}_hrf", f"b{block}_c", f"b{block}_linear"
        offset[hrf] = offset[stream[-1]] + 1
        offset[c_stage] = offset[hrf] + 1
        offset[linear] = offset[c_stage] + 1

        dt = rng.uniform(0.05, 0.5, size=state)
        A = rng.uniform(0.1, 1.0, size=state)
        damping = rng.uniform(0.0, 0.5, size=state) if scheme == "imex-damped" else None
        nodes.append(HRFPopulation(hrf, state, scheme, spike_on, thresholds(state, 400),
                                   hrf_coefficients(scheme, dt, A, frac, damping), start_step=offset[hrf],
                                   state_bits=24, coef_frac_bits=frac))
        for part, source in enumerate(stream):
            connect(f"b{block}_B{part}", source, hrf, weights(state, hidden, 0.5), 0, "B")

        nodes.append(ThresholdPopulation(c_stage, hidden, thresholds(hidden, 300), start_step=offset[c_stage], role="c_stage"))
        connect(f"b{block}_C", hrf, c_stage, weights(hidden, state), 0, "C")
        for part, source in enumerate(stream):
            diagonal = np.diag(rng.integers(-128, 128, size=hidden) * 2).astype(np.int16)
            connect(f"b{block}_D{part}", source, c_stage, diagonal, 0, "D")

        nodes.append(ThresholdPopulation(linear, hidden, thresholds(hidden, 300), start_step=offset[linear], role="block_linear"))
        connect(f"b{block}_W", c_stage, linear, weights(hidden, hidden), 0, "linear")
        stream.append(linear)

    readout_offset = offset[stream[-1]] + 1
    offset["readout"] = readout_offset
    if task == "classification":
        nodes.append(Readout("readout", classes, "classification", readout_offset, scale=2.0**-8,
                             bias=rng.normal(size=classes)))
        for part, source in enumerate(stream):
            connect(f"readout_{part}", source, "readout", weights(classes, hidden), 0, "readout")
    else:
        nodes.append(Readout("readout", 1, "regression", readout_offset + fir_taps - 1, scale=2.0**-12,
                             bias=np.zeros(1), output_step=output_step, bias_taps=rng.normal(size=fir_taps) * 0.1))
        offset["readout"] = readout_offset + fir_taps - 1
        for part, source in enumerate(stream):
            # One FIR tap per delay: tap j reaches the readout j steps later than tap 0.
            w_taps = np.stack([weights(1, hidden)[0] for _ in range(fir_taps)])
            base = offset["readout"] - offset[source] - 1
            for tap in range(fir_taps):
                synapses.append(DenseSynapses(f"readout_{part}_tap{tap}", source, "readout", w_taps[tap:tap + 1],
                                              0, delay=delays((1, hidden), base - tap), role="readout"))

    return Network(nodes=nodes, synapses=synapses, metadata={"synthetic": True, "seed": seed})
