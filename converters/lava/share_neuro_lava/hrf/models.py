"""ProcessModels of the HRF Process.

`fixed_pt` calls `share_neuro.fixedpoint.hrf_step`, the same function as the
reference simulator, so the integer update is written once. `floating_pt` runs the
float model's update in float64 with the network's `coefficients_float`.
"""

from __future__ import annotations

import numpy as np
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.ports import PyInPort, PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol
from share_neuro.fixedpoint import HRFParams, hrf_step

from share_neuro_lava.hrf.process import HRF, IMEX_COEFFICIENTS, GENERAL_COEFFICIENTS
from share_neuro_lava.population_models import PopulationModel


def _int_var():
    return LavaPyType(np.ndarray, np.int32, precision=32)


def _float_var():
    return LavaPyType(np.ndarray, float)


@implements(proc=HRF, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyHRFModelFixed(PopulationModel):
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=32)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, bool, precision=1)
    u: np.ndarray = _int_var()
    v: np.ndarray = _int_var()
    threshold: np.ndarray = _int_var()
    saturations: np.ndarray = LavaPyType(np.ndarray, np.int64, precision=64)
    spike_record: np.ndarray = _int_var()
    spike_count: np.ndarray = _int_var()
    k_a: np.ndarray = _int_var()
    k_i: np.ndarray = _int_var()
    k_dt: np.ndarray = _int_var()
    m11: np.ndarray = _int_var()
    m12: np.ndarray = _int_var()
    m21: np.ndarray = _int_var()
    m22: np.ndarray = _int_var()
    g1: np.ndarray = _int_var()
    g2: np.ndarray = _int_var()
    c1: np.ndarray = _int_var()
    c2: np.ndarray = _int_var()

    def reset_state(self) -> None:
        self.u[:] = 0
        self.v[:] = 0

    def update(self, current: np.ndarray, count: int) -> np.ndarray:
        params = self.proc_params
        names = IMEX_COEFFICIENTS if params["scheme"] == "imex" else GENERAL_COEFFICIENTS
        coefficients = {name: getattr(self, name)[:count] for name in names}
        hrf_params = HRFParams(scheme=params["scheme"], spike_on=params["spike_on"],
                               threshold=self.threshold[:count], state_bits=params["state_bits"],
                               coef_frac_bits=params["coef_frac_bits"])

        u, v, spikes, clipped = hrf_step(self.u[:count], self.v[:count], current, coefficients, hrf_params)

        # The state fits in state_bits <= 32 after saturation, so the int32 store is exact.
        self.u[:count] = u
        self.v[:count] = v
        self.saturations[0] += clipped
        return spikes


@implements(proc=HRF, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyHRFModelFloat(PopulationModel):
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, bool, precision=1)
    u: np.ndarray = _float_var()
    v: np.ndarray = _float_var()
    threshold: np.ndarray = _float_var()
    saturations: np.ndarray = LavaPyType(np.ndarray, np.int64, precision=64)
    spike_record: np.ndarray = _int_var()
    spike_count: np.ndarray = _int_var()
    k_a: np.ndarray = _float_var()
    k_i: np.ndarray = _float_var()
    k_dt: np.ndarray = _float_var()
    m11: np.ndarray = _float_var()
    m12: np.ndarray = _float_var()
    m21: np.ndarray = _float_var()
    m22: np.ndarray = _float_var()
    g1: np.ndarray = _float_var()
    g2: np.ndarray = _float_var()
    c1: np.ndarray = _float_var()
    c2: np.ndarray = _float_var()

    def reset_state(self) -> None:
        self.u[:] = 0.0
        self.v[:] = 0.0

    def update(self, current: np.ndarray, count: int) -> np.ndarray:
        old_u = self.u[:count]
        old_v = self.v[:count]
        if self.proc_params["scheme"] == "imex":
            # Symplectic Euler: the position update uses the new velocity.
            u = old_u + self.k_a[:count] * old_v + self.k_i[:count] * current
            v = old_v + self.k_dt[:count] * u
        else:
            u = self.m11[:count] * old_u + self.m12[:count] * old_v + self.g1[:count] * current + self.c1[:count]
            v = self.m21[:count] * old_u + self.m22[:count] * old_v + self.g2[:count] * current + self.c2[:count]
        self.u[:count] = u
        self.v[:count] = v
        signal = v if self.proc_params["spike_on"] == "position" else u
        return signal > self.threshold[:count]
