"""ProcessModels of ThresholdNeurons: bit-exact integer and float."""

from __future__ import annotations

import numpy as np
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.ports import PyInPort, PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

from share_neuro_lava.population_models import PopulationModel
from share_neuro_lava.threshold.process import ThresholdNeurons


@implements(proc=ThresholdNeurons, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyThresholdModelFixed(PopulationModel):
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=32)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, bool, precision=1)
    threshold: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=32)
    spike_record: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=32)
    spike_count: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=32)

    def reset_state(self) -> None:
        pass

    def update(self, current: np.ndarray, count: int) -> np.ndarray:
        return current.astype(np.int64) > self.threshold[:count].astype(np.int64)


@implements(proc=ThresholdNeurons, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyThresholdModelFloat(PopulationModel):
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, bool, precision=1)
    threshold: np.ndarray = LavaPyType(np.ndarray, float)
    spike_record: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=32)
    spike_count: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=32)

    def reset_state(self) -> None:
        pass

    def update(self, current: np.ndarray, count: int) -> np.ndarray:
        return current > self.threshold[:count]
