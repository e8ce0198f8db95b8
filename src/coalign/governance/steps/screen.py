"""Screening by data availability: units and indicators with too little data are excluded."""

from __future__ import annotations

from typing import Self

import pandas as pd

from coalign.governance.steps.base import Context, Step
from coalign.io import InputError


class Screen(Step):
    """Drop units whose share of available indicators is below ``min_unit_coverage`` and
    indicators whose share of available units is below ``min_indicator_coverage``.

    Units with no data at all and indicators with no data at all are always dropped. Every
    exclusion is logged with its coverage, and the framework is pruned (aggregates left with no
    indicator go too), so no NaN reaches the results unannounced.
    """

    name = "screen"

    def __init__(self, min_unit_coverage: float = 0.0, min_indicator_coverage: float = 0.0) -> None:
        self.min_unit_coverage = min_unit_coverage
        self.min_indicator_coverage = min_indicator_coverage
        self._validate()

    def _validate(self) -> None:
        for k in ("min_unit_coverage", "min_indicator_coverage"):
            v = getattr(self, k)
            if not 0.0 <= v <= 1.0:
                raise InputError(f"Screen: {k} must be within [0, 1], got {v}")

    def fit(self, X: pd.DataFrame, context: Context | None = None) -> Self:
        ctx = self._need(context)
        cov_ind = X.notna().mean(axis=0)
        drop_ind = [
            c for c in X.columns if cov_ind[c] == 0 or cov_ind[c] < self.min_indicator_coverage
        ]
        kept = [c for c in X.columns if c not in drop_ind]
        cov_unit = X[kept].notna().mean(axis=1) if kept else pd.Series(0.0, index=X.index)
        drop_unit = [u for u in X.index if cov_unit[u] == 0 or cov_unit[u] < self.min_unit_coverage]
        if len(drop_unit) == len(X.index):
            raise InputError(
                "Screen: every unit fails the availability threshold "
                f"({self.min_unit_coverage:.0%}); nothing left to index"
            )
        self.drop_indicators_ = drop_ind
        self.drop_units_ = drop_unit
        self.unit_coverage_ = cov_unit
        self.indicator_coverage_ = cov_ind
        self.context_ = ctx
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        ctx = self._fitted()
        for c in self.drop_indicators_:
            ctx.note(
                self.name,
                "exclusion",
                c,
                f"indicator excluded: data for {self.indicator_coverage_[c]:.0%} of units "
                f"(threshold {self.min_indicator_coverage:.0%})",
            )
        for u in self.drop_units_:
            ctx.note(
                self.name,
                "exclusion",
                str(u),
                f"unit excluded: data for {self.unit_coverage_[u]:.0%} of indicators "
                f"(threshold {self.min_unit_coverage:.0%})",
            )
        if self.drop_indicators_:
            fw, removed = ctx.framework.prune(self.drop_indicators_)
            for c in removed:
                if c not in self.drop_indicators_:
                    ctx.note(
                        self.name, "exclusion", c, "aggregate excluded: all its indicators excluded"
                    )
            ctx.framework = fw
        keep_cols = [c for c in X.columns if c not in self.drop_indicators_]
        return X.loc[[u for u in X.index if u not in self.drop_units_], keep_cols]
