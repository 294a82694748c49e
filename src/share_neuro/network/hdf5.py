"""The versioned HDF5 network file: `save_network` and `load_network`.

Layout (documented field by field in docs/network-format.md): root attributes
`format`, `version` and `metadata` (JSON); `/nodes/<name>` groups in topological
order (attribute `index`), with scalar parameters as attributes and arrays as
datasets; `/synapses/<name>` groups likewise.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from share_neuro.atomic import write_atomic
from share_neuro.errors import InputFileError
from share_neuro.network.nodes import (
    FORMAT_NAME,
    FIELDS_SINCE_1_1,
    FORMAT_VERSION,
    DenseSynapses,
    HRFPopulation,
    InputNode,
    Network,
    Readout,
    ThresholdPopulation,
)
from share_neuro.network.validate import EXPECTED_DTYPES, validate_network

NODE_KINDS = {InputNode: "input", ThresholdPopulation: "threshold", HRFPopulation: "hrf", Readout: "readout"}

# Scalar attributes per node kind: name -> Python type.
NODE_ATTRIBUTES = {
    "input": {"size": int, "start_step": int, "frac_bits": int, "bits": int, "time_channel": bool},
    "threshold": {"size": int, "start_step": int, "role": str, "current_frac_bits": int},
    "hrf": {"size": int, "start_step": int, "scheme": str, "spike_on": str, "state_bits": int,
            "coef_frac_bits": int, "state_frac_bits": int},
    "readout": {"size": int, "start_step": int, "task": str, "scale": float, "output_step": int,
                "target_center": float, "target_half_range": float},
}
# Array datasets per node kind: name -> required?
NODE_ARRAYS = {
    "input": {"mean": True, "std": True},
    "threshold": {"threshold": True, "threshold_float": False},
    "hrf": {"threshold": True, "threshold_float": False},
    "readout": {"bias": True, "bias_taps": False},
}
SYNAPSE_ATTRIBUTES = {"source": str, "target": str, "weight_exp": int, "graded": bool, "role": str}
SYNAPSE_ARRAYS = {"weight": True, "delay": False, "weight_float": False}


def save_network(network: Network, path) -> Path:
    """Validate `network` and write it to `path` atomically.

    The file is written to a temporary file in the same folder and renamed over
    `path`, so an error never leaves a partial file behind.
    """
    import h5py

    path = Path(path)
    validate_network(network, where=f"network for {path}")
    path.parent.mkdir(parents=True, exist_ok=True)

    def write(temporary: str) -> None:
        with h5py.File(temporary, "w") as file:
            _write(file, network)

    write_atomic(path, write)
    return path


def _write(file, network: Network) -> None:
    file.attrs["format"] = FORMAT_NAME
    file.attrs["version"] = FORMAT_VERSION
    file.attrs["metadata"] = json.dumps(network.metadata, sort_keys=True, default=_json_default)

    nodes = file.create_group("nodes")
    for index, node in enumerate(network.nodes):
        kind = NODE_KINDS[type(node)]
        group = nodes.create_group(node.name)
        group.attrs["kind"] = kind
        group.attrs["index"] = index
        for name, kind_type in NODE_ATTRIBUTES[kind].items():
            group.attrs[name] = kind_type(getattr(node, name))
        for name in NODE_ARRAYS[kind]:
            value = getattr(node, name)
            if value is not None:
                group.create_dataset(name, data=np.asarray(value, dtype=EXPECTED_DTYPES[name]))
        if kind == "hrf":
            _write_mapping(group, "coefficients", node.coefficients)
            if node.coefficients_float is not None:
                _write_mapping(group, "coefficients_float", node.coefficients_float)

    synapse_groups = file.create_group("synapses")
    for index, synapses in enumerate(network.synapses):
        group = synapse_groups.create_group(synapses.name)
        group.attrs["index"] = index
        for name, kind_type in SYNAPSE_ATTRIBUTES.items():
            group.attrs[name] = kind_type(getattr(synapses, name))
        for name in SYNAPSE_ARRAYS:
            value = getattr(synapses, name)
            if value is not None:
                group.create_dataset(name, data=np.asarray(value, dtype=EXPECTED_DTYPES[name]), compression="gzip")


def _write_mapping(group, name, mapping) -> None:
    sub = group.create_group(name)
    for key, value in mapping.items():
        sub.create_dataset(key, data=np.asarray(value, dtype=EXPECTED_DTYPES[name]))


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"metadata value {value!r} is not JSON serialisable")


def load_network(path) -> Network:
    """Read and validate a network file; raise one `InputFileError` for any problem."""
    import h5py

    path = Path(path)
    if not path.exists():
        raise InputFileError(f"network file {path} not found; check the path or create it with `share-neuro convert`")
    if not path.is_file():
        raise InputFileError(f"network file {path} is not a regular file; pass the .h5 file that `share-neuro convert` wrote")
    try:
        file = h5py.File(path, "r")
    except OSError as error:
        raise InputFileError(
            f"network file {path} is not a readable HDF5 file (truncated or another format: {error}); "
            "convert the model again with `share-neuro convert`"
        ) from None

    try:
        with file:
            network = _read(file, path)
    except InputFileError:
        raise
    except (OSError, KeyError, TypeError, ValueError) as error:
        raise InputFileError(
            f"network file {path} could not be read ({type(error).__name__}: {error}); "
            "convert the model again with `share-neuro convert`"
        ) from None

    validate_network(network, where=f"network file {path}", strict_dtypes=True)
    return network


class _Reader:
    def __init__(self, path):
        self.path = path

    def fail(self, field, problem, action="convert the model again with `share-neuro convert`"):
        raise InputFileError(f"network file {self.path}: {field} {problem}; {action}")

    def attribute(self, group, name, kind, field):
        if name not in group.attrs:
            self.fail(f"{field} attribute {name!r}", "is missing")
        value = group.attrs[name]
        if isinstance(value, bytes):
            value = value.decode("utf-8")
        if kind is str:
            if not isinstance(value, str):
                self.fail(f"{field} attribute {name!r}", f"must be a string, got {value!r}")
            return value
        if isinstance(value, np.ndarray) and value.shape == ():
            value = value[()]
        if kind is bool:
            if not isinstance(value, (bool, np.bool_)):
                self.fail(f"{field} attribute {name!r}", f"must be a boolean, got {value!r}")
            return bool(value)
        if kind is int:
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
                self.fail(f"{field} attribute {name!r}", f"must be an integer, got {value!r}")
            return int(value)
        if not isinstance(value, (int, float, np.integer, np.floating)) or isinstance(value, (bool, np.bool_)):
            self.fail(f"{field} attribute {name!r}", f"must be a number, got {value!r}")
        return float(value)

    def array(self, group, name, required, field):
        import h5py

        if name not in group:
            if required:
                self.fail(f"{field} dataset {name!r}", "is missing")
            return None
        dataset = group[name]
        if not isinstance(dataset, h5py.Dataset):
            self.fail(f"{field} {name!r}", "must be a dataset")
        return dataset[()]

    def ordered_groups(self, file, name):
        import h5py

        if name not in file or not isinstance(file[name], h5py.Group):
            self.fail(f"group /{name}", "is missing")
        groups = []
        for key, group in file[name].items():
            if not isinstance(group, h5py.Group):
                self.fail(f"/{name}/{key}", "must be a group")
            index = self.attribute(group, "index", int, f"/{name}/{key}")
            groups.append((index, key, group))
        indices = sorted(index for index, _, _ in groups)
        if indices != list(range(len(groups))):
            self.fail(f"/{name} index attributes", f"are {indices}, expected 0..{len(groups) - 1} without gaps")
        return [(key, group) for _, key, group in sorted(groups, key=lambda item: item[0])]


def _read(file, path) -> Network:
    reader = _Reader(path)
    file_format = reader.attribute(file, "format", str, "root")
    if file_format != FORMAT_NAME:
        reader.fail("root attribute 'format'", f"is {file_format!r}, expected {FORMAT_NAME!r}",
                    "pass a network file written by `share-neuro convert`")
    version = reader.attribute(file, "version", str, "root")
    major = _major(version)
    if major is None:
        reader.fail("root attribute 'version'", f"is {version!r}, expected MAJOR.MINOR")
    if major > _major(FORMAT_VERSION):
        reader.fail("root attribute 'version'", f"is {version}, newer than this share-neuro reads ({FORMAT_VERSION})",
                    "upgrade share-neuro")
    if major < _major(FORMAT_VERSION):
        reader.fail("root attribute 'version'", f"is {version}, older than this share-neuro reads ({FORMAT_VERSION})")
    metadata_text = reader.attribute(file, "metadata", str, "root") if "metadata" in file.attrs else "{}"
    try:
        metadata = json.loads(metadata_text)
    except json.JSONDecodeError:
        reader.fail("root attribute 'metadata'", "is not valid JSON")
    if not isinstance(metadata, dict):
        reader.fail("root attribute 'metadata'", "must be a JSON object")

    minor = int(version.split(".")[1])
    nodes = [_read_node(reader, name, group, minor) for name, group in reader.ordered_groups(file, "nodes")]
    synapses = [_read_synapses(reader, name, group) for name, group in reader.ordered_groups(file, "synapses")]
    return Network(nodes=nodes, synapses=synapses, metadata=metadata, version=version)


def _major(version: str):
    parts = version.split(".")
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        return None
    return int(parts[0])


def _read_node(reader, name, group, minor: int):
    field = f"node {name!r}"
    kind = reader.attribute(group, "kind", str, field)
    if kind not in NODE_ATTRIBUTES:
        reader.fail(f"{field} attribute 'kind'", f"is {kind!r}, expected one of {sorted(NODE_ATTRIBUTES)}")
    values = {}
    for key, kind_type in NODE_ATTRIBUTES[kind].items():
        if minor < 1 and (kind, key) in FIELDS_SINCE_1_1 and key not in group.attrs:
            values[key] = FIELDS_SINCE_1_1[(kind, key)]
        else:
            values[key] = reader.attribute(group, key, kind_type, field)
    values.update({key: reader.array(group, key, required, field) for key, required in NODE_ARRAYS[kind].items()})

    if kind == "input":
        return InputNode(name=name, **values)
    if kind == "threshold":
        return ThresholdPopulation(name=name, **values)
    if kind == "readout":
        return Readout(name=name, **values)

    values["coefficients"] = _read_mapping(reader, group, "coefficients", True, field)
    values["coefficients_float"] = _read_mapping(reader, group, "coefficients_float", False, field)
    return HRFPopulation(name=name, **values)


def _read_mapping(reader, group, name, required, field):
    import h5py

    if name not in group:
        if required:
            reader.fail(f"{field} group {name!r}", "is missing")
        return None
    if not isinstance(group[name], h5py.Group):
        reader.fail(f"{field} {name!r}", "must be a group")
    return {key: reader.array(group[name], key, True, f"{field} {name}") for key in group[name]}


def _read_synapses(reader, name, group):
    field = f"synapse group {name!r}"
    values = {key: reader.attribute(group, key, kind_type, field) for key, kind_type in SYNAPSE_ATTRIBUTES.items()}
    values.update({key: reader.array(group, key, required, field) for key, required in SYNAPSE_ARRAYS.items()})
    return DenseSynapses(name=name, **values)
