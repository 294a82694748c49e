"""The project's model of Lava's Dense weight handling against Lava's own functions."""

import numpy as np
from lava.utils import weightutils

from share_neuro.fixedpoint.rounding import lava_dense_weights


def test_lava_weight_grid_matches_lava():
    rng = np.random.default_rng(5)
    for low, high in [(-300, 300), (0, 300), (-300, 1)]:
        weights = rng.integers(low, high, size=(6, 7))
        sign_mode = weightutils.determine_sign_mode(weights)
        lava = weightutils.truncate_weights(weightutils.clip_weights(weights, sign_mode, num_bits=8), sign_mode, 8)
        assert np.array_equal(lava_dense_weights(weights), lava)
