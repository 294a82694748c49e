"""How samples map onto Lava's global time steps and neuron lanes.

A run simulates `lanes` samples side by side (stacked along the neuron axis) and
several rounds of them one after another. Each round lasts `period = steps + gap`
Lava steps: `steps` simulated steps of the sample, then `gap` silent steps in which
no population updates or sends, so that every spike still travelling through a
Dense or DelayDense buffer is delivered and dropped before the next round starts.
A gap of `max_delay + 1` steps drains every buffer, which replaces resetting the
synapse buffers through `Var.set` (one message per element, slow).

Lava counts time steps from 1; the network's step `t` of round `r` is Lava step
`r * period + t + 1`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Schedule:
    steps: int  # simulated steps per sample, warm-up included
    gap: int  # silent steps after each round
    lanes: int  # samples simulated side by side
    rounds_per_chunk: int  # rounds between two reads of the recording Vars
    samples: int  # real samples; lanes past the last one in the last round hold padding

    @property
    def period(self) -> int:
        return self.steps + self.gap

    @property
    def chunk_steps(self) -> int:
        return self.rounds_per_chunk * self.period

    def to_params(self) -> dict:
        return {"steps": self.steps, "gap": self.gap, "lanes": self.lanes,
                "rounds_per_chunk": self.rounds_per_chunk, "samples": self.samples}


def local_step(time_step: int, params: dict) -> tuple:
    """Return (round, step within the round) of Lava's 1-based `time_step`."""
    period = params["steps"] + params["gap"]
    return divmod(time_step - 1, period)


def real_lanes(round_index: int, params: dict) -> int:
    """Number of lanes of round `round_index` that hold a real sample rather than padding."""
    lanes = params["lanes"]
    return max(0, min(lanes, params["samples"] - round_index * lanes))


def packed_words(bits: int) -> int:
    """Number of int32 words that hold `bits` bits."""
    return max(1, -(-bits // 32))


def pack_bits(spikes: np.ndarray) -> np.ndarray:
    """Pack a bool vector into int32 words, bit i of word k is element 32 k + i.

    Lava's `Var.get` sends one float64 message per element, so packing spike
    records 32 to a word makes reading them 32 times faster. Every int32 value
    is exact in float64.
    """
    words = packed_words(spikes.size)
    padded = np.zeros(words * 32, dtype=bool)
    padded[: spikes.size] = spikes
    return np.packbits(padded, bitorder="little").view("<i4")


def unpack_bits(words: np.ndarray, bits: int) -> np.ndarray:
    """Invert `pack_bits` along the last axis of `words` (any integer or float dtype)."""
    as_int32 = np.ascontiguousarray(np.asarray(words).astype(np.int64).astype("<i4"))
    unpacked = np.unpackbits(as_int32.view(np.uint8), axis=-1, bitorder="little")
    return unpacked[..., :bits].astype(bool)
