"""ProcessModels of GradedInput (integer and float payloads)."""

from __future__ import annotations

import numpy as np
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

from share_neuro_lava.schedule import local_step
from share_neuro_lava.source.process import GradedInput


class _GradedInputModel(PyLoihiProcessModel):
    def run_spk(self) -> None:
        params = self.proc_params
        round_index, step = local_step(self.time_step, params)
        offset = step - params["start_step"]

        if 0 <= offset < params["length"] and round_index < params["rounds"] and step < params["steps"]:
            payload = self.data[round_index * params["length"] + offset]
        else:
            payload = np.zeros(self.s_out.shape, dtype=self.data.dtype)
        self.s_out.send(payload)


@implements(proc=GradedInput, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyGradedInputModelFixed(_GradedInputModel):
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    data: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)


@implements(proc=GradedInput, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyGradedInputModelFloat(_GradedInputModel):
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    data: np.ndarray = LavaPyType(np.ndarray, float)
