"""Integer arithmetic of the deployable network, shared by every fixed-point simulator.

Every function takes and returns int64 numpy arrays, so results do not depend on the
numpy version or on the platform's default integer.
"""

from share_neuro.fixedpoint.hrf_update import HRFParams, hrf_step
from share_neuro.fixedpoint.rounding import (
    WEIGHT_MAX,
    WEIGHT_MIN,
    dense_shift,
    lava_dense_weights,
    quantize_weights,
    round_half_up,
    round_half_up_shift,
    saturate,
    signed_range,
    wrap_int32,
)

__all__ = [
    "HRFParams",
    "WEIGHT_MAX",
    "WEIGHT_MIN",
    "dense_shift",
    "hrf_step",
    "lava_dense_weights",
    "quantize_weights",
    "round_half_up",
    "round_half_up_shift",
    "saturate",
    "signed_range",
    "wrap_int32",
]
