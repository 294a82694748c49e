"""A restricted unpickler for pandas DataFrames written by an old pandas.

The HAPT file is a gzip'd pickle (protocol 2) of pandas DataFrames. Current pandas
cannot read it, and a plain `pickle.load` would run whatever callables the file names.
`FrameUnpickler` resolves only numpy's array reconstruction functions and a few
harmless builtins, and replaces pandas' classes with `StateHolder`s that store their
pickled state without running any pandas code. Every other global raises
`pickle.UnpicklingError`.
"""

from __future__ import annotations

import codecs
import importlib
import pickle

import numpy as np


class StateHolder:
    """An inert stand-in for a pandas object: it only stores the pickled state."""

    kind = "object"

    def __init__(self, state=None):
        self.state = state

    def __setstate__(self, state):
        self.state = state


def _holder_class(kind: str) -> type:
    return type(kind, (StateHolder,), {"kind": kind})


# The pandas classes that a DataFrame pickle refers to, as inert holders.
PANDAS_CLASSES = {
    ("pandas.core.frame", "DataFrame"): _holder_class("DataFrame"),
    ("pandas.core.internals.managers", "BlockManager"): _holder_class("BlockManager"),
    ("pandas.core.indexes.base", "Index"): _holder_class("Index"),
    ("pandas.core.indexes.range", "RangeIndex"): _holder_class("RangeIndex"),
}


def _reconstructor(cls, base, state):
    # copyreg._reconstructor(cls, base, state) builds `base.__new__(cls)`; only holders
    # built on `object` are allowed here.
    if not (isinstance(cls, type) and issubclass(cls, StateHolder)) or base is not object:
        raise pickle.UnpicklingError(f"copy_reg._reconstructor of {cls!r} is not allowed")
    return cls(state)


def _new_index(cls, data=None):
    # pandas.core.indexes.base._new_Index(cls, d) rebuilds an Index from a dict.
    if not (isinstance(cls, type) and issubclass(cls, StateHolder)):
        raise pickle.UnpicklingError(f"_new_Index of {cls!r} is not allowed")
    return cls(data)


def _encode(text, encoding="utf-8"):
    # Protocol 2 pickles store bytes as _codecs.encode(str, "latin1").
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise pickle.UnpicklingError(f"_codecs.encode with encoding {encoding!r} is not allowed")
    return codecs.encode(text, encoding)


def _numpy_reconstruct(subtype, shape, dtype):
    if subtype is not np.ndarray:
        raise pickle.UnpicklingError(f"numpy reconstruction of {subtype!r} is not allowed")
    return _multiarray()._reconstruct(subtype, shape, dtype)


def _multiarray():
    # numpy 2 moved numpy.core.multiarray to numpy._core.multiarray.
    name = "numpy._core.multiarray" if int(np.__version__.split(".")[0]) >= 2 else "numpy.core.multiarray"
    return importlib.import_module(name)


ALLOWED = {
    ("copy_reg", "_reconstructor"): _reconstructor,
    ("copyreg", "_reconstructor"): _reconstructor,
    ("__builtin__", "object"): object,
    ("builtins", "object"): object,
    ("__builtin__", "slice"): slice,
    ("builtins", "slice"): slice,
    ("_codecs", "encode"): _encode,
    ("numpy.core.multiarray", "_reconstruct"): _numpy_reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _numpy_reconstruct,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("pandas.core.indexes.base", "_new_Index"): _new_index,
    **PANDAS_CLASSES,
}


class FrameUnpickler(pickle.Unpickler):
    """An unpickler that resolves only the globals in `ALLOWED`."""

    def find_class(self, module, name):
        target = ALLOWED.get((module, name))
        if target is None:
            raise pickle.UnpicklingError(f"global '{module}.{name}' is not allowed in this file")
        return target


def frame_columns(frame) -> dict:
    """Return {column name: 1-D numpy array} from a DataFrame holder's block manager.

    Expects the pandas 0.14.1+ manager state, a dict with "axes" (column Index, row
    index) and "blocks" (each a 2-D "values" array and its "mgr_locs" column positions).
    Raises `ValueError` for any other layout.
    """
    if getattr(frame, "kind", None) != "DataFrame" or not isinstance(frame.state, dict):
        raise ValueError(f"expected a DataFrame, found {type(frame).__name__}")

    manager = frame.state.get("_data") if "_data" in frame.state else frame.state.get("_mgr")
    state = getattr(manager, "state", None)
    if not (isinstance(state, tuple) and len(state) == 4 and isinstance(state[3], dict)):
        raise ValueError("the DataFrame's block manager has an unknown layout")

    layout = state[3].get("0.14.1")
    if not isinstance(layout, dict):
        raise ValueError("the DataFrame's block manager has no '0.14.1' state")

    names = [str(name) for name in layout["axes"][0].state["data"]]

    columns = {}
    for block in layout["blocks"]:
        values = block["values"]
        if not isinstance(values, np.ndarray) or values.ndim != 2:
            raise ValueError("a DataFrame block is not a 2-D numpy array")

        locations = block["mgr_locs"]
        if isinstance(locations, slice):
            positions = range(*locations.indices(len(names)))
        else:
            positions = [int(p) for p in np.asarray(locations)]

        for row, position in zip(range(values.shape[0]), positions):
            columns[names[position]] = values[row]
    return columns
