"""ONNX export and import of share-neuro's float models (SHaRe-SSM and LinOSS).

`export_checkpoint` writes a checkpoint as an ONNX graph with a `Scan` for the HRF
recurrence (see docs/onnx.md); `load_onnx` and `float_model_from_onnx` read such a file
back, bit for bit, and reject any other graph.
"""

_LAZY = {
    "build_onnx_model": "share_neuro.onnx_io.export",
    "export_checkpoint": "share_neuro.onnx_io.export",
    "load_onnx": "share_neuro.onnx_io.importer",
    "float_model_from_onnx": "share_neuro.onnx_io.importer",
    "OnnxModel": "share_neuro.onnx_io.importer",
    "check_operators": "share_neuro.onnx_io.graph_check",
    "SUPPORTED_OPERATORS": "share_neuro.onnx_io.graph_check",
}

__all__ = list(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'share_neuro.onnx_io' has no attribute {name!r}")
