"""Input injection: sends each sample's input steps as graded spikes."""

from __future__ import annotations

import numpy as np
from lava.magma.core.process.ports.ports import OutPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var

from share_neuro_lava.schedule import Schedule


class GradedInput(AbstractProcess):
    """Sends `data[round * length + k]` at step `start_step + k` of each round, zeros otherwise.

    `data` has shape (rounds * length, lanes * channels), lane-major along the
    second axis: int32 payloads under `fixed_pt`, float under `floating_pt`.
    After the last round the source sends zeros.
    """

    def __init__(self, *, data: np.ndarray, length: int, start_step: int,
                 schedule: Schedule, name: str = "input") -> None:
        super().__init__(length=length, start_step=start_step, rounds=data.shape[0] // length,
                         name=name, **schedule.to_params())
        self.s_out = OutPort(shape=(data.shape[1],))
        self.data = Var(shape=data.shape, init=data)
