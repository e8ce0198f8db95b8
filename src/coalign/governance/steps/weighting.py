"""Weighting: equal, expert (the framework's or given), PCA-based, correlation-optimised."""

from __future__ import annotations

from typing import Self

import numpy as np
import pandas as pd
from scipy import optimize

from coalign.governance.framework import Framework
from coalign.governance.steps.base import Context, Step, check_choice
from coalign.io import InputError

METHODS = ("expert", "equal", "pca", "corr_opt")


class Weight(Step):
    """Decide the weight of every node within its parent.

    - ``expert``: the framework's weights, with ``weights`` (code -> weight) overriding some
    - ``equal``: every child of a parent counts the same
    - ``pca``: per parent, the squared loadings of the first principal component of its
      standardised children (OECD/JRC handbook style), so children that share the common
      signal weigh more
    - ``corr_opt``: per parent, weights chosen so that every child correlates equally with the
      parent score (COINr's ``get_opt_weights`` idea: the nominal weights rarely give the
      children the influence they were meant to have)

    Data-driven schemes work bottom-up: a parent's children are scored (arithmetic mean) with
    the weights already found below them. ``multipliers`` (code -> factor) scales the weights
    after the scheme; the uncertainty analysis uses it to perturb weights. Unknown codes, a
    weight on the root, negative weights or all-zero sibling weights are errors.
    """

    name = "weight"

    def __init__(
        self,
        method: str = "expert",
        weights: dict[str, float] | None = None,
        multipliers: dict[str, float] | None = None,
    ) -> None:
        self.method = method
        self.weights = weights
        self.multipliers = multipliers
        self._validate()

    def _validate(self) -> None:
        check_choice("Weight", "method", self.method, METHODS)
        if self.weights is not None and self.method != "expert":
            raise InputError(
                f"Weight: weights=... applies to method 'expert' only, not {self.method!r}"
            )

    def fit(self, X: pd.DataFrame, context: Context | None = None) -> Self:
        ctx = self._need(context)
        fw = ctx.framework
        if self.weights is not None:
            # Codes that were screened out are reported, not silently ignored.
            gone = [c for c in self.weights if c not in fw.nodes]
            fw.check_weights(
                {c: w for c, w in self.weights.items() if c in fw.nodes}, what="Weight"
            )
            for c in gone:
                ctx.note(
                    self.name,
                    "note",
                    c,
                    "weight given for a code that is not (or no longer) in the index; ignored",
                )
        if self.method == "expert":
            w = {
                **fw.weights(),
                **{c: float(v) for c, v in (self.weights or {}).items() if c in fw.nodes},
            }
        elif self.method == "equal":
            w = {c: 1.0 for c in fw.weights()}
        else:
            w = _data_driven(X, fw, self.method)
        if self.multipliers is not None:
            for c, m in self.multipliers.items():
                if c in w:
                    w[c] = w[c] * float(m)
        fw.check_weights(
            {c: v for c, v in w.items() if c in fw.nodes}, what=f"Weight({self.method})"
        )
        self.weights_ = w
        self.context_ = ctx
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        ctx = self._fitted()
        ctx.weights = dict(self.weights_)
        return X


def _data_driven(X: pd.DataFrame, fw: Framework, method: str) -> dict[str, float]:
    scores = {c: X[c] for c in fw.indicators}
    w: dict[str, float] = {}
    for parent in fw.aggregates:
        kids = list(fw.nodes[parent].children)
        data = pd.DataFrame({k: scores[k] for k in kids})
        if len(kids) == 1:
            local = np.array([1.0])
        else:
            full = data.dropna()
            if len(full) < 3:
                raise InputError(
                    f"Weight({method}): {parent!r} has fewer than 3 units with data for all of "
                    f"its children; impute first or use expert/equal weights"
                )
            local = _pca(full.to_numpy()) if method == "pca" else _corr_opt(full.to_numpy())
        for k, v in zip(kids, local, strict=True):
            w[k] = float(v)
        wk = np.array([w[k] for k in kids])
        present = data.notna().to_numpy()
        num = (data.fillna(0.0).to_numpy() * wk).sum(axis=1)
        den = (present * wk).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            scores[parent] = pd.Series(np.where(den > 0, num / den, np.nan), index=data.index)
    return w


def _standardise(a: np.ndarray) -> np.ndarray:
    sd = a.std(axis=0, ddof=1)
    sd = np.where(sd > 0, sd, 1.0)
    return (a - a.mean(axis=0)) / sd


def _pca(a: np.ndarray) -> np.ndarray:
    z = _standardise(a)
    _, _, vt = np.linalg.svd(z, full_matrices=False)
    load = vt[0] ** 2
    if load.sum() <= 0:
        return np.full(a.shape[1], 1.0 / a.shape[1])
    # A child orthogonal to the first component would get weight 0 and vanish from the
    # index; keep a floor so it still counts a little.
    load = np.maximum(load / load.sum(), 0.01)
    return load / load.sum()


def _corr_opt(a: np.ndarray) -> np.ndarray:
    k = a.shape[1]
    z = _standardise(a)
    n = z.shape[0]
    sd = z.std(axis=0, ddof=1)
    live = sd > 0

    def loss(w: np.ndarray) -> float:
        y = z @ (w / w.sum())
        yc = y - y.mean()
        sy = yc.std(ddof=1)
        if sy == 0:
            return 1e6
        r = np.where(live, (z.T @ yc) / ((n - 1) * sy * np.where(live, sd, 1.0)), 0.0)
        return float(((r - r.mean()) ** 2).sum())

    # Bounded below so that no child drops out of the index entirely.
    res = optimize.minimize(
        loss,
        np.full(k, 1.0 / k),
        method="SLSQP",
        bounds=[(0.01, 1.0)] * k,
        options={"maxiter": 300, "ftol": 1e-10},
    )
    w = np.asarray(res.x)
    return w / w.sum()
