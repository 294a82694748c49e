"""Training: the loop (`loop.train`), early stopping, metrics JSON and DDP under torchrun.

Submodules import torch; this package file does not, so that
`python -m share_neuro.training.distributed` starts quickly.
"""
