"""Stateless threshold neurons: spike when the input current is strictly above threshold."""

from __future__ import annotations

import numpy as np
from lava.magma.core.process.variable import Var

from share_neuro_lava.population import PopulationProcess
from share_neuro_lava.schedule import Schedule


class ThresholdNeurons(PopulationProcess):
    """`threshold` has one value per neuron and lane: int32 current units under
    `fixed_pt`, float under `floating_pt`.

    Lava's LIF is no substitute: its voltage decay stops at 4095/4096 (so a
    remainder of the previous voltage leaks into the next step) and it wraps the
    current at 24 bits after a left shift by 6.
    """

    def __init__(self, *, threshold: np.ndarray, start_step: int, schedule: Schedule,
                 record_spikes: bool = False, name: str = "threshold") -> None:
        size = threshold.shape[0] // schedule.lanes
        super().__init__(size=size, start_step=start_step, schedule=schedule,
                         record_spikes=record_spikes, name=name)
        self.threshold = Var(shape=threshold.shape, init=threshold)
