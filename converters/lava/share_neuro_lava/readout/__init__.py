"""Lava Process of the readout accumulator."""
