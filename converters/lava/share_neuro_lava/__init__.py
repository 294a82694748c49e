"""Lava backend of share-neuro."""
