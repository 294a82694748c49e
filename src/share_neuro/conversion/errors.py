"""Errors raised by the converter."""

from share_neuro.errors import ShareNeuroError


class ConversionError(ShareNeuroError):
    """A model whose parameters cannot be represented in the fixed-point network."""
