"""share-neuro: train SHaRe-SSM spiking state-space models and deploy them to Lava and
Loihi-style hardware.

Importing this package does not import torch: the network format, the fixed-point
arithmetic, the reference simulator and the energy model also run in the Lava
environment, which has no torch.
"""

__version__ = "0.1.0"
