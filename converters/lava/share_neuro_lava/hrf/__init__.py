"""Lava Process of a harmonic resonate-and-fire (HRF) population."""
