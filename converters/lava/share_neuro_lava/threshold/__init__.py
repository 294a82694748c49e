"""Lava Process of a stateless threshold population."""
