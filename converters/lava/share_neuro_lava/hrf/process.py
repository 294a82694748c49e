"""Harmonic resonate-and-fire (HRF) neurons as a Lava Process."""

from __future__ import annotations

from typing import Mapping

import numpy as np
from lava.magma.core.process.variable import Var

from share_neuro_lava.population import PopulationProcess
from share_neuro_lava.schedule import Schedule

IMEX_COEFFICIENTS = ("k_a", "k_i", "k_dt")
GENERAL_COEFFICIENTS = ("m11", "m12", "m21", "m22", "g1", "g2", "c1", "c2")


class HRF(PopulationProcess):
    """HRF population: velocity `u`, position `v`, one coefficient Var per name.

    Under `fixed_pt` the Vars hold the network's integers (coefficients with
    `coef_frac_bits` fraction bits, state saturated to `state_bits`); under
    `floating_pt` they hold the float model's values. `scheme` selects the
    coefficient names: IMEX_COEFFICIENTS for "imex", GENERAL_COEFFICIENTS otherwise.
    `saturations` counts state values clipped to `state_bits` (fixed point only).
    """

    def __init__(self, *, scheme: str, spike_on: str, threshold: np.ndarray,
                 coefficients: Mapping[str, np.ndarray], start_step: int, schedule: Schedule,
                 state_bits: int = 24, coef_frac_bits: int = 14, record_spikes: bool = False,
                 name: str = "hrf") -> None:
        names = IMEX_COEFFICIENTS if scheme == "imex" else GENERAL_COEFFICIENTS
        missing = [key for key in names if key not in coefficients]
        if missing:
            raise ValueError(f"HRF population {name!r} (scheme {scheme!r}) lacks coefficients {missing}")

        size = threshold.shape[0] // schedule.lanes
        super().__init__(size=size, start_step=start_step, schedule=schedule,
                         record_spikes=record_spikes, name=name, scheme=scheme,
                         spike_on=spike_on, state_bits=state_bits, coef_frac_bits=coef_frac_bits)
        shape = threshold.shape
        self.u = Var(shape=shape, init=0)
        self.v = Var(shape=shape, init=0)
        self.threshold = Var(shape=shape, init=threshold)
        self.saturations = Var(shape=(1,), init=0)
        for key in GENERAL_COEFFICIENTS + IMEX_COEFFICIENTS:
            value = coefficients[key] if key in names else np.zeros(shape)
            setattr(self, key, Var(shape=shape, init=value))
