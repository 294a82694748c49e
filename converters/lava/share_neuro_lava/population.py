"""Base Process of the toolkit's neuron populations: ports, schedule and recording Vars."""

from __future__ import annotations

import numpy as np
from lava.magma.core.process.ports.ports import InPort, OutPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var

from share_neuro_lava.schedule import Schedule, packed_words


class PopulationProcess(AbstractProcess):
    """Neurons of `lanes` samples side by side (lane-major: neuron k of lane b is b * size + k).

    Before `start_step` and during the gap steps a population neither updates nor
    sends spikes; at step 0 of every round its state returns to zero. When
    `record_spikes` is set, `spike_record` holds the packed spikes of every step of
    the last `schedule.rounds_per_chunk` rounds, row `round_in_chunk * steps + t`.
    """

    def __init__(self, *, size: int, start_step: int, schedule: Schedule,
                 record_spikes: bool, name: str, **kwargs) -> None:
        shape = (size * schedule.lanes,)
        super().__init__(shape=shape, start_step=start_step, record_spikes=record_spikes,
                         name=name, **schedule.to_params(), **kwargs)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)

        record_shape = (schedule.rounds_per_chunk * schedule.steps, packed_words(shape[0]))
        if not record_spikes:
            record_shape = (1, 1)
        self.spike_record = Var(shape=record_shape, init=np.zeros(record_shape, dtype=np.int32))
        self.spike_count = Var(shape=shape, init=np.zeros(shape, dtype=np.int32))
