"""Deterministic, seeded splits of sample indices."""

from __future__ import annotations

import numpy as np

from share_neuro.errors import DataError


def random_split(count: int, fractions: tuple, seed: int) -> list:
    """Shuffle `range(count)` with `seed` and cut it into parts of the given fractions.

    The last part takes the remainder, so every sample lands in exactly one part.
    Each index array is sorted, so the original sample order is kept inside a part.
    """
    order = np.random.default_rng(seed).permutation(count)

    sizes = [int(count * fraction) for fraction in fractions[:-1]]
    bounds = np.cumsum([0, *sizes, count - sum(sizes)])

    return [np.sort(order[bounds[i]:bounds[i + 1]]) for i in range(len(fractions))]


def carve_validation(count: int, fraction: float, seed: int, dataset: str) -> tuple:
    """Split `range(count)` into (train, validation) indices, `fraction` going to validation.

    Raises `DataError` when either part would be empty.
    """
    val_count = int(round(count * fraction))
    if val_count < 1 or val_count >= count:
        raise DataError(
            f"dataset '{dataset}': cannot carve a validation split of {fraction:.0%} "
            f"from {count} training samples; provide more samples or an explicit "
            f"validation split"
        )

    order = np.random.default_rng(seed).permutation(count)
    return np.sort(order[val_count:]), np.sort(order[:val_count])


def choose_groups(groups, count: int, seed: int) -> list:
    """Choose `count` of `groups` (for example user ids) with `seed`, returned sorted."""
    pool = sorted(groups)
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(pool), size=count, replace=False)
    return sorted(pool[int(i)] for i in chosen)
