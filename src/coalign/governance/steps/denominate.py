"""Denomination: divide indicators by a size measure (GDP, population, area), as COINr does."""

from __future__ import annotations

from typing import Self

import numpy as np
import pandas as pd

from coalign.governance.steps.base import Context, Step
from coalign.io import InputError


class Denominate(Step):
    """Divide each indicator by its denominator column, then multiply by ``scale``.

    ``denominators`` maps indicator code -> denominator column; ``None`` takes the mapping from
    the framework (each indicator's ``denominator`` field). A zero denominator is an error; a
    missing denominator makes the value missing, and the step logs how many.
    """

    name = "denominate"

    def __init__(self, denominators: dict[str, str] | None = None, scale: float = 1.0) -> None:
        self.denominators = denominators
        self.scale = scale
        self._validate()

    def _validate(self) -> None:
        if not np.isfinite(self.scale) or self.scale == 0:
            raise InputError(f"Denominate: scale must be finite and non-zero, got {self.scale}")

    def fit(self, X: pd.DataFrame, context: Context | None = None) -> Self:
        ctx = self._need(context)
        fw = ctx.framework
        if self.denominators is None:
            mapping = {
                c: fw.nodes[c].denominator
                for c in fw.indicators
                if fw.nodes[c].denominator is not None and c in X.columns
            }
        else:
            mapping = dict(self.denominators)
        for ind, den in mapping.items():
            if ind not in fw.nodes or not fw.nodes[ind].is_indicator:
                raise InputError(f"Denominate: {ind!r} is not an indicator of {fw.code}")
            if den not in ctx.denominators.columns:
                raise InputError(
                    f"Denominate: denominator {den!r} (for {ind!r}) has no data column "
                    f"(available: {', '.join(ctx.denominators.columns) or 'none'})"
                )
        self.mapping_: dict[str, str] = {k: v for k, v in mapping.items() if v is not None}
        self.context_ = ctx
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        ctx = self._fitted()
        out = X.copy()
        for ind, den in self.mapping_.items():
            d = ctx.denominators[den].reindex(out.index)
            zero = d == 0
            if zero.any():
                unit = str(d.index[np.flatnonzero(zero.to_numpy())[0]])
                raise InputError(
                    f"Denominate: denominator {den!r} is 0 for unit {unit!r}", field=den
                )
            lost = d.isna() & out[ind].notna()
            if lost.any():
                ctx.note(
                    self.name,
                    "missing",
                    ind,
                    f"{int(lost.sum())} value(s) missing because {den} is missing: "
                    + ", ".join(map(str, d.index[lost.to_numpy()][:10])),
                )
            out[ind] = out[ind] / d * self.scale
        if self.mapping_:
            ctx.note(
                self.name,
                "treatment",
                ", ".join(self.mapping_),
                "divided by " + ", ".join(sorted(set(self.mapping_.values()))),
            )
        return out
