"""The readout: records the input current of the output neurons for the host."""

from __future__ import annotations

from lava.magma.core.process.ports.ports import InPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var

from share_neuro_lava.schedule import Schedule


class ReadoutAccumulator(AbstractProcess):
    """Output neurons of `lanes` samples side by side, active for `length` steps from `start_step`.

    Classification: `record[round_in_chunk]` holds the current summed over those
    steps. Regression: `record[round_in_chunk * length + k]` holds the current of
    step `start_step + k`. Values are int64 under `fixed_pt`, float under `floating_pt`.
    """

    def __init__(self, *, size: int, task: str, start_step: int, length: int,
                 schedule: Schedule, name: str = "readout") -> None:
        shape = (size * schedule.lanes,)
        rows_per_round = 1 if task == "classification" else length
        super().__init__(shape=shape, task=task, start_step=start_step, length=length,
                         rows_per_round=rows_per_round, name=name, **schedule.to_params())
        self.a_in = InPort(shape=shape)
        self.record = Var(shape=(schedule.rounds_per_chunk * rows_per_round, shape[0]), init=0)
