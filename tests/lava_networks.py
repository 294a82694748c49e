"""A small hand-built network for tests that cross into the Lava environment."""

import numpy as np
from share_neuro.network.nodes import DenseSynapses, HRFPopulation, InputNode, Network, Readout, ThresholdPopulation


def small_network() -> Network:
    """input(2) -> encoder(3) -> HRF imex(2) -> readout(2), with a delayed skip from the encoder."""
    one = 1 << 14
    nodes = [
        InputNode(name="input", size=2, mean=np.zeros(2), std=np.ones(2), frac_bits=6, bits=12),
        ThresholdPopulation(name="encoder", size=3, threshold=np.array([0, 20, -10], np.int32), start_step=0,
                            role="encoder"),
        HRFPopulation(name="hrf", size=2, scheme="imex", spike_on="position",
                      threshold=np.array([40, 10], np.int32), start_step=1,
                      coefficients={"k_a": np.array([-one // 10, -one // 5], np.int32),
                                    "k_i": np.array([one // 4, one // 4], np.int32),
                                    "k_dt": np.array([one // 4, one // 4], np.int32)}),
        Readout(name="readout", size=2, task="classification", start_step=4, scale=0.5, bias=np.array([0.1, -0.1])),
    ]
    synapses = [
        DenseSynapses(name="in", source="input", target="encoder", graded=True, weight_exp=-2,
                      weight=np.array([[40, -20], [100, 10], [-60, 64]], np.int16)),
        DenseSynapses(name="B", source="encoder", target="hrf", weight_exp=2,
                      weight=np.array([[50, -30, 20], [10, 80, -40]], np.int16)),
        DenseSynapses(name="C", source="hrf", target="readout", weight_exp=0,
                      weight=np.array([[6, -4], [-2, 8]], np.int16)),
        DenseSynapses(name="skip", source="encoder", target="readout", weight_exp=0,
                      weight=np.array([[2, 4, -6], [-8, 2, 2]], np.int16),
                      delay=np.array([[0, 1, 2], [3, 0, 1]], np.uint8)),
    ]
    return Network(nodes=nodes, synapses=synapses)
