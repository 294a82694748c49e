"""The deployable network: node types, the HDF5 file and its validation."""

from share_neuro.network.hdf5 import load_network, save_network
from share_neuro.network.nodes import (
    FORMAT_NAME,
    FORMAT_VERSION,
    DenseSynapses,
    HRFPopulation,
    InputNode,
    Network,
    Readout,
    ThresholdPopulation,
)
from share_neuro.network.validate import validate_network

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "DenseSynapses",
    "HRFPopulation",
    "InputNode",
    "Network",
    "Readout",
    "ThresholdPopulation",
    "load_network",
    "save_network",
    "validate_network",
]
