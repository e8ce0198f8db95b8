"""Normalisation: put indicators on a common scale, with 'higher is better' everywhere."""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import pandas as pd

from coalign.governance.steps.base import Context, Step, check_choice
from coalign.io import InputError

METHODS = ("minmax", "zscore", "goalposts", "rank", "percentile", "dist_target", "dist_best")


class Normalise(Step):
    """Normalise every indicator; indicators with direction -1 are flipped first.

    - ``minmax``: (x - min) / (max - min) scaled to [lower, upper]
    - ``zscore``: (x - mean) / sd, then times ``sd`` plus ``mean`` (default 0 and 1)
    - ``goalposts``: (x - low) / (high - low) with the framework's per-indicator ``goalposts``,
      clipped to [0, 1], times ``scale``
    - ``rank``: ranks (1 = worst, n = best; ties averaged)
    - ``percentile``: percentile rank, 0 (worst) to ``scale`` (best)
    - ``dist_target``: (x - min) / (target - min), capped at 1, times ``scale``; the target is
      the framework's per-indicator ``target`` or ``targets[code]``
    - ``dist_best``: x / best (best = max, or min / x for direction -1), times ``scale``;
      needs positive values

    A constant indicator (all units equal) carries no information; it is set to the middle of
    the scale and logged rather than divided by zero.
    """

    name = "normalise"

    def __init__(
        self,
        method: str = "minmax",
        lower: float = 0.0,
        upper: float = 100.0,
        mean: float = 0.0,
        sd: float = 1.0,
        scale: float = 100.0,
        targets: dict[str, float] | None = None,
    ) -> None:
        self.method = method
        self.lower = lower
        self.upper = upper
        self.mean = mean
        self.sd = sd
        self.scale = scale
        self.targets = targets
        self._validate()

    def _validate(self) -> None:
        check_choice("Normalise", "method", self.method, METHODS)
        if not self.lower < self.upper:
            raise InputError(f"Normalise: lower ({self.lower}) must be below upper ({self.upper})")
        if self.sd <= 0 or self.scale <= 0:
            raise InputError("Normalise: sd and scale must be positive")

    def fit(self, X: pd.DataFrame, context: Context | None = None) -> Self:
        ctx = self._need(context)
        fw = ctx.framework
        self.params_: dict[str, dict[str, Any]] = {}
        for c in X.columns:
            node = fw.node(c)
            d = float(node.direction or 1)
            x = X[c].dropna().to_numpy(dtype=float)
            p: dict[str, Any] = {"dir": d}
            if self.method in ("minmax", "zscore", "dist_target", "rank", "percentile"):
                y = d * x
                p.update(
                    min=float(y.min()),
                    max=float(y.max()),
                    mu=float(y.mean()),
                    sd=float(y.std(ddof=1)) if len(y) > 1 else 0.0,
                    ref=np.sort(y),
                )
            if self.method == "goalposts":
                if node.goalposts is None:
                    raise InputError(
                        f"Normalise(goalposts): indicator {c!r} has no goalposts in the framework"
                    )
                p["gp"] = node.goalposts
            if self.method == "dist_target":
                tgt = (self.targets or {}).get(c, node.target)
                if tgt is None:
                    raise InputError(f"Normalise(dist_target): indicator {c!r} has no target")
                p["target"] = d * float(tgt)
                if p["target"] <= p["min"]:
                    raise InputError(
                        f"Normalise(dist_target): target of {c!r} ({tgt}) is not better than "
                        "every unit's value; the distance cannot be scaled"
                    )
            if self.method == "dist_best":
                if np.any(x <= 0):
                    raise InputError(
                        f"Normalise(dist_best): indicator {c!r} has values <= 0; the ratio to "
                        "the best needs positive values (use minmax or dist_target)"
                    )
                p["best"] = float(x.max() if d > 0 else x.min())
            self.params_[c] = p
        self.context_ = ctx
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        ctx = self._fitted()
        out = pd.DataFrame(index=X.index)
        mid = {"minmax": (self.lower + self.upper) / 2, "zscore": self.mean}
        for c in X.columns:
            p = self.params_[c]
            x = X[c].to_numpy(dtype=float)
            y = p["dir"] * x
            m = self.method
            if m in ("minmax", "zscore") and (p["max"] - p["min"] == 0 or p["sd"] == 0):
                ctx.note(
                    self.name, "treatment", c, "constant indicator: set to the middle of the scale"
                )
                out[c] = np.where(np.isnan(x), np.nan, mid[m])
                continue
            if m == "minmax":
                z = self.lower + (y - p["min"]) / (p["max"] - p["min"]) * (self.upper - self.lower)
            elif m == "zscore":
                z = (y - p["mu"]) / p["sd"] * self.sd + self.mean
            elif m == "goalposts":
                lo, hi = p["gp"]
                frac = (x - lo) / (hi - lo) if p["dir"] > 0 else (hi - x) / (hi - lo)
                z = np.clip(frac, 0.0, 1.0) * self.scale
            elif m in ("rank", "percentile"):
                ref = p["ref"]
                n = len(ref)
                left = np.searchsorted(ref, y, side="left")
                right = np.searchsorted(ref, y, side="right")
                rank = (left + right + 1) / 2.0  # average rank, 1-based
                z = rank if m == "rank" else (rank - 1) / max(n - 1, 1) * self.scale
            elif m == "dist_target":
                z = np.minimum((y - p["min"]) / (p["target"] - p["min"]), 1.0) * self.scale
            else:
                with np.errstate(divide="ignore", invalid="ignore"):
                    z = (x / p["best"] if p["dir"] > 0 else p["best"] / x) * self.scale
                if np.any(np.isfinite(x) & ~np.isfinite(z)):
                    raise InputError(f"Normalise(dist_best): non-positive value in {c!r}")
            out[c] = np.where(np.isnan(x), np.nan, z)
        return out
