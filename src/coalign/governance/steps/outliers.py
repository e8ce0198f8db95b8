"""Outlier treatment: the skew/kurtosis rule, winsorisation, log and Box-Cox transforms."""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import pandas as pd
from scipy import stats

from coalign.governance.steps.base import Context, Step, check_choice
from coalign.io import InputError

METHODS = ("none", "auto", "winsorise", "log", "boxcox")


def _flagged(x: np.ndarray, skew_max: float, kurt_max: float) -> tuple[bool, float, float]:
    """The rule used by COINr and the JRC: treat when |skew| > skew_max AND kurtosis > kurt_max
    (excess kurtosis, bias-corrected)."""
    if len(x) < 4 or np.ptp(x) == 0:
        return False, 0.0, 0.0
    s, k = skew_kurtosis(x)
    return (abs(s) > skew_max and k > kurt_max), s, k


def skew_kurtosis(x: np.ndarray) -> tuple[float, float]:
    """Bias-corrected sample skewness and excess kurtosis (as scipy's ``bias=False``), in plain
    numpy because this runs for every indicator at every winsorisation step."""
    n = len(x)
    d = x - x.mean()
    m2 = (d**2).mean()
    if m2 == 0:
        return 0.0, 0.0
    g1 = (d**3).mean() / m2**1.5
    g2 = (d**4).mean() / m2**2 - 3.0
    s = g1 * np.sqrt(n * (n - 1)) / (n - 2)
    k = ((n + 1) * g2 + 6.0) * (n - 1) / ((n - 2) * (n - 3))
    return float(s), float(k)


class TreatOutliers(Step):
    """Treat indicators whose distribution breaks the skew/kurtosis rule.

    ``auto`` winsorises up to ``max_winsorised`` points from the long tail and, if the rule
    still fails, undoes that and log-transforms instead (the COINr/JRC default);
    ``winsorise``, ``log`` and ``boxcox`` apply only that treatment to the flagged indicators;
    ``none`` only reports. The per-indicator record is ``report_`` (skew, kurtosis before and
    after, action, points winsorised).
    """

    name = "outliers"

    def __init__(
        self,
        method: str = "auto",
        skew_max: float = 2.0,
        kurt_max: float = 3.5,
        max_winsorised: int = 5,
    ) -> None:
        self.method = method
        self.skew_max = skew_max
        self.kurt_max = kurt_max
        self.max_winsorised = max_winsorised
        self._validate()

    def _validate(self) -> None:
        check_choice("TreatOutliers", "method", self.method, METHODS)
        if self.max_winsorised < 0:
            raise InputError("TreatOutliers: max_winsorised must be >= 0")

    def fit(self, X: pd.DataFrame, context: Context | None = None) -> Self:
        ctx = self._need(context)
        self.plan_: dict[str, dict[str, Any]] = {}
        rows = []
        for c in X.columns:
            x = X[c].dropna().to_numpy(dtype=float)
            flag, s0, k0 = _flagged(x, self.skew_max, self.kurt_max)
            plan: dict[str, Any] = {"action": "none"}
            if flag and self.method != "none":
                plan = self._plan(x, s0)
            y = _apply(x, plan)
            _, s1, k1 = _flagged(y, self.skew_max, self.kurt_max)
            self.plan_[c] = plan
            rows.append(
                {
                    "indicator": c,
                    "skew": s0,
                    "kurtosis": k0,
                    "flagged": flag,
                    "action": plan["action"],
                    "winsorised": plan.get("n", 0),
                    "skew_after": s1,
                    "kurtosis_after": k1,
                }
            )
        self.report_ = pd.DataFrame(rows)
        self.context_ = ctx
        return self

    def _plan(self, x: np.ndarray, skew: float) -> dict[str, Any]:
        tail = "high" if skew > 0 else "low"
        if self.method in ("auto", "winsorise"):
            srt = np.sort(x)
            for n in range(1, min(self.max_winsorised, len(x) - 2) + 1):
                bound = srt[-(n + 1)] if tail == "high" else srt[n]
                plan = {"action": "winsorise", "tail": tail, "bound": float(bound), "n": n}
                if not _flagged(_apply(x, plan), self.skew_max, self.kurt_max)[0]:
                    return plan
            if self.method == "winsorise":
                plan["action"] = "winsorise"
                plan["unresolved"] = True
                return plan
        kind = "boxcox" if self.method == "boxcox" else "log"
        ref = float(x.max() if tail == "low" else x.min())
        plan = {"action": kind, "tail": tail, "ref": ref}
        if kind == "boxcox":
            base = (x - ref + 1.0) if tail == "high" else (ref - x + 1.0)
            _, lam = stats.boxcox(base)
            plan["lambda"] = float(lam)
        return plan

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        ctx = self._fitted()
        out = X.copy()
        for c, plan in self.plan_.items():
            if plan["action"] == "none" or c not in out.columns:
                continue
            col = out[c]
            mask = col.notna().to_numpy()
            vals = col.to_numpy(dtype=float).copy()
            vals[mask] = _apply(vals[mask], plan)
            out[c] = vals
            detail = (
                f"winsorised {plan['n']} point(s) at the {plan['tail']} tail (bound {plan['bound']:.4g})"
                if plan["action"] == "winsorise"
                else f"{plan['action']} transform ({plan['tail']} skew)"
            )
            if plan.get("unresolved"):
                detail += "; still breaks the skew/kurtosis rule"
            ctx.note(self.name, "treatment", c, detail)
        return out


def _apply(x: np.ndarray, plan: dict[str, Any]) -> np.ndarray:
    """Apply one indicator's treatment (order preserving; higher stays higher)."""
    act = plan["action"]
    if act == "none":
        return x
    if act == "winsorise":
        return (
            np.minimum(x, plan["bound"]) if plan["tail"] == "high" else np.maximum(x, plan["bound"])
        )
    ref = plan["ref"]
    base = (x - ref + 1.0) if plan["tail"] == "high" else (ref - x + 1.0)
    if np.any(base <= 0):
        raise InputError(
            f"{act} transform: a value lies beyond the range seen in fit (reference {ref:g})"
        )
    y = np.log(base) if act == "log" else stats.boxcox(base, lmbda=plan["lambda"])
    return y if plan["tail"] == "high" else -y
