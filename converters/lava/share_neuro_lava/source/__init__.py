"""Lava Process that injects the input samples as graded spikes."""
