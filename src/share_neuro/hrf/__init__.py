"""The harmonic resonate-and-fire (HRF) discretisation, shared by the float model, the
converter and the fixed-point code. This package imports no torch."""

from share_neuro.hrf.coefficients import SCHEMES, HrfCoefficients, hrf_coefficients, stable_stiffness

__all__ = ["SCHEMES", "HrfCoefficients", "hrf_coefficients", "stable_stiffness"]
