"""The format tag and metadata keys that mark an ONNX file written by `share-neuro export`.

The exporter stores the model config, the input normalisation, the regression target
scaling, the dataset name, the training metrics and the export options as JSON strings in the model's
`metadata_props`; the importer reads them back. JSON writes Python floats with `repr`,
so float64 values (the normalisation statistics) survive the round trip exactly.
"""

from __future__ import annotations

import json

FORMAT_TAG = "share-neuro-onnx"
# Version 2 added the regression target scaling and the `predictions` output.
FORMAT_VERSION = "2"

# ONNX operator set of the main domain; the graph uses no other domain.
OPSET = 17
# IR version 8 is the one that opset 17 was released with (ONNX 1.12), so older
# runtimes that support opset 17 can load the file too.
IR_VERSION = 8

PRODUCER = "share-neuro"

KEY_FORMAT = "share_neuro.format"
KEY_VERSION = "share_neuro.format_version"
KEY_CONFIG = "share_neuro.config"
KEY_NORMALIZATION = "share_neuro.normalization"
KEY_DATASET = "share_neuro.dataset"
# The checkpoint's `target_scaling` ({"center", "half_range"}, float64) of a regression
# model; null for classification and for a checkpoint that records none.
KEY_TARGET_SCALING = "share_neuro.target_scaling"
KEY_METRICS = "share_neuro.metrics"
KEY_OPTIONS = "share_neuro.export_options"
KEY_SOURCE_SHA256 = "share_neuro.source_sha256"
# Integer buffers that the graph does not use (BatchNorm's num_batches_tracked), kept
# here so that the importer can rebuild the complete state dict.
KEY_BUFFERS = "share_neuro.integer_buffers"
# The raw HRF parameters (A_raw, dt_raw, G_raw, a1, a2) as JSON lists; the graph stores
# the coefficients computed from them. A float32 value written as a Python float
# reads back as the same float32.
KEY_RAW_HRF = "share_neuro.raw_hrf_parameters"

REQUIRED_KEYS = (KEY_FORMAT, KEY_VERSION, KEY_CONFIG, KEY_NORMALIZATION, KEY_TARGET_SCALING, KEY_DATASET,
                 KEY_METRICS, KEY_OPTIONS, KEY_SOURCE_SHA256, KEY_BUFFERS, KEY_RAW_HRF)


def encode_metadata(*, config: dict, normalization: dict, target_scaling: dict, dataset: str,
                    metrics: dict, options: dict, source_sha256: str, buffers: dict,
                    raw_hrf: dict) -> dict:
    """Return the metadata_props entries (all strings) for one exported model."""
    return {
        KEY_FORMAT: FORMAT_TAG,
        KEY_VERSION: FORMAT_VERSION,
        KEY_CONFIG: json.dumps(config, sort_keys=True),
        KEY_NORMALIZATION: json.dumps(
            {key: [float(value) for value in normalization[key]] for key in ("mean", "std")}
        ),
        KEY_TARGET_SCALING: json.dumps(
            None if target_scaling is None
            else {key: float(target_scaling[key]) for key in ("center", "half_range")}
        ),
        KEY_DATASET: str(dataset),
        KEY_METRICS: json.dumps(metrics, sort_keys=True, default=float),
        KEY_OPTIONS: json.dumps(options, sort_keys=True),
        KEY_SOURCE_SHA256: source_sha256,
        KEY_BUFFERS: json.dumps({name: int(value) for name, value in buffers.items()}, sort_keys=True),
        KEY_RAW_HRF: json.dumps({name: [float(value) for value in values] for name, values in raw_hrf.items()}),
    }
