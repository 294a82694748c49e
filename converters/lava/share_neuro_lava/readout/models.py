"""ProcessModels of ReadoutAccumulator (integer and float)."""

from __future__ import annotations

import numpy as np
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyInPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

from share_neuro_lava.readout.process import ReadoutAccumulator
from share_neuro_lava.schedule import local_step


class _ReadoutModel(PyLoihiProcessModel):
    def run_spk(self) -> None:
        current = self.a_in.recv()
        params = self.proc_params
        round_index, step = local_step(self.time_step, params)
        first = (round_index % params["rounds_per_chunk"]) * params["rows_per_round"]
        offset = step - params["start_step"]

        if params["task"] == "classification":
            if step == 0:
                self.record[first, :] = 0
            if 0 <= offset < params["length"] and step < params["steps"]:
                self.record[first, :] += current
        elif 0 <= offset < params["length"] and step < params["steps"]:
            self.record[first + offset, :] = current


@implements(proc=ReadoutAccumulator, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyReadoutModelFixed(_ReadoutModel):
    # int64 because the sum over L steps of int32 currents can leave int32's range.
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=32)
    record: np.ndarray = LavaPyType(np.ndarray, np.int64, precision=64)


@implements(proc=ReadoutAccumulator, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyReadoutModelFloat(_ReadoutModel):
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    record: np.ndarray = LavaPyType(np.ndarray, float)
