"""Shared step logic of the population ProcessModels (no ProcessModel is registered here)."""

from __future__ import annotations

import numpy as np
from lava.magma.core.model.py.model import PyLoihiProcessModel

from share_neuro_lava.schedule import local_step, pack_bits, real_lanes


class PopulationModel(PyLoihiProcessModel):
    """Runs `update(current) -> spikes` on active steps and records the spikes.

    Subclasses declare the LavaPyType of every port and Var and implement
    `reset_state()` and `update(current, count)`, which advances the first `count`
    neurons (the lanes that hold real samples) and returns their spikes.
    """

    def run_spk(self) -> None:
        current = self.a_in.recv()
        round_index, step = local_step(self.time_step, self.proc_params)
        steps = self.proc_params["steps"]

        if step == 0:
            self.reset_state()

        spikes = np.zeros(self.s_out.shape, dtype=bool)
        if self.proc_params["start_step"] <= step < steps:
            # Only the lanes that hold a real sample update; padding lanes stay silent.
            real = real_lanes(round_index, self.proc_params) * (spikes.shape[0] // self.proc_params["lanes"])
            spikes[:real] = self.update(current[:real], real)
            self.spike_count[:real] += spikes[:real]

        if self.proc_params["record_spikes"] and step < steps:
            row = (round_index % self.proc_params["rounds_per_chunk"]) * steps + step
            self.spike_record[row, :] = pack_bits(spikes)

        self.s_out.send(spikes)

    def reset_state(self) -> None:
        raise NotImplementedError

    def update(self, current: np.ndarray, count: int) -> np.ndarray:
        raise NotImplementedError
