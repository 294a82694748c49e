"""Early stopping on a validation metric, counted in evaluations."""

from __future__ import annotations

import math


class EarlyStopping:
    """Track the best validation score and decide when to stop.

    `mode` is "max" for metrics where higher is better (accuracy) and "min" where lower
    is better (MSE). An evaluation improves on the best when its metric is strictly
    better, or, when `tie_break` values are given, when the metric is equal and the
    tie-break value (a validation loss, lower is better) is strictly lower. Small
    validation sets give many accuracy ties, and the loss separates them.
    Training stops once `patience` evaluations in a row brought no improvement.
    """

    def __init__(self, patience: int, mode: str = "max"):
        if patience < 1:
            raise ValueError(f"patience must be at least 1, got {patience}")
        if mode not in ("max", "min"):
            raise ValueError(f"mode must be 'max' or 'min', got {mode!r}")

        self.patience = patience
        self.mode = mode
        self.best: float | None = None
        self.best_tie_break: float | None = None
        self.best_step: int | None = None
        self.evaluations_without_improvement = 0

    def update(self, value: float, step: int, tie_break: float | None = None) -> bool:
        """Record one evaluation; return True when it is the new best."""
        if math.isnan(value):
            improved = False
        elif self.best is None:
            improved = True
        elif self._strictly_better(value, self.best):
            improved = True
        elif value == self.best and tie_break is not None and self.best_tie_break is not None:
            improved = tie_break < self.best_tie_break
        else:
            improved = False

        if improved:
            self.best = value
            self.best_tie_break = tie_break
            self.best_step = step
            self.evaluations_without_improvement = 0
        else:
            self.evaluations_without_improvement += 1
        return improved

    @property
    def should_stop(self) -> bool:
        return self.evaluations_without_improvement >= self.patience

    def _strictly_better(self, value: float, reference: float) -> bool:
        if self.mode == "max":
            return value > reference
        return value < reference
