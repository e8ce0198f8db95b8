"""Aggregation step: scores for every node of the tree from the normalised indicators."""

from __future__ import annotations

from typing import Self

import pandas as pd

from coalign.governance.aggregation import METHODS, TreePlan
from coalign.governance.steps.base import Context, Step, check_choice
from coalign.io import InputError


class Aggregate(Step):
    """Aggregate bottom-up with one method: ``arithmetic``, ``geometric``, ``harmonic``,
    ``power`` (generalised mean with exponent ``p``) or ``copeland`` (pairwise wins).

    A unit missing some children is scored on those it has (weights re-normalised), unless the
    available weight share is below ``min_share``; then that score is missing and logged. A
    unit whose index score cannot be computed is excluded from the ranking, and logged.
    Geometric, harmonic and power means with p <= 0 need positive values: ``nonpositive``
    = ``error`` refuses others, ``floor`` raises them to ``floor`` and logs how many.
    The output frame has one column per node: indicators (as given) and every aggregate.
    """

    name = "aggregate"

    def __init__(
        self,
        method: str = "arithmetic",
        p: float = 1.0,
        min_share: float = 0.0,
        nonpositive: str = "error",
        floor: float = 1e-3,
    ) -> None:
        self.method = method
        self.p = p
        self.min_share = min_share
        self.nonpositive = nonpositive
        self.floor = floor
        self._validate()

    def _validate(self) -> None:
        check_choice("Aggregate", "method", self.method, METHODS)
        check_choice("Aggregate", "nonpositive", self.nonpositive, ("error", "floor"))
        if not 0 <= self.min_share <= 1:
            raise InputError("Aggregate: min_share must be within [0, 1]")

    def fit(self, X: pd.DataFrame, context: Context | None = None) -> Self:
        ctx = self._need(context)
        self.plan_ = TreePlan(ctx.framework)
        missing = [c for c in self.plan_.indicators if c not in X.columns]
        if missing:
            raise InputError(f"Aggregate: indicators {missing[:5]} are not in the data frame")
        self.context_ = ctx
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        ctx = self._fitted()
        plan = self.plan_
        weights = ctx.weights if ctx.weights is not None else ctx.framework.weights()
        W = plan.weight_vector(weights)
        S, floored = plan.aggregate(
            X[plan.indicators].to_numpy(dtype=float),
            W,
            self.method,
            p=self.p,
            nonpositive=self.nonpositive,
            floor=self.floor,
            min_share=self.min_share,
        )
        out = pd.DataFrame(S, index=X.index, columns=plan.codes)
        if floored:
            ctx.note(
                self.name,
                "treatment",
                "all",
                f"{floored} non-positive value(s) floored at {self.floor:g} for {self.method} aggregation",
            )
        for code in plan.aggregates:
            miss = out[code].isna()
            if miss.any():
                units = ", ".join(map(str, out.index[miss.to_numpy()][:10]))
                kind = "exclusion" if code == ctx.framework.root else "missing"
                what = (
                    "excluded from the ranking" if code == ctx.framework.root else "score missing"
                )
                ctx.note(
                    self.name,
                    kind,
                    code,
                    f"{what} for {int(miss.sum())} unit(s) with too little data: {units}",
                )
        return out
