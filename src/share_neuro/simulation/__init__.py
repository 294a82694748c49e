"""Simulators of the deployable network and what they record."""

from share_neuro.simulation.activity import Activity
from share_neuro.simulation.compare import compare_activity
from share_neuro.simulation.reference import simulate

__all__ = ["Activity", "compare_activity", "simulate"]
