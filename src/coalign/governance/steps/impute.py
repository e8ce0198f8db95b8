"""Imputation of missing values: none, mean/median (overall or by group), regression, EM."""

from __future__ import annotations

from typing import Self

import numpy as np
import pandas as pd

from coalign.governance.steps.base import Context, Step, check_choice
from coalign.io import InputError

METHODS = ("none", "mean", "median", "group_mean", "group_median", "regression", "em")


class Impute(Step):
    """Fill missing indicator values.

    ``none`` leaves them missing (aggregation then re-weights over the available indicators);
    ``mean``/``median`` use the indicator's value over all units; ``group_mean``/``group_median``
    use the unit's group (column ``by`` of the data's groups), falling back to all units when a
    group has no value (logged); ``regression`` is iterative regression imputation (chained ridge
    regressions of each indicator on all others, started from the means); ``em`` is the EM algorithm for
    a multivariate normal on standardised indicators, with a small ridge so that it works with
    more indicators than units.
    """

    name = "impute"

    def __init__(
        self,
        method: str = "none",
        by: str | None = None,
        max_iter: int = 200,
        tol: float = 1e-5,
        ridge: float = 0.05,
        seed: int = 0,
    ) -> None:
        self.method = method
        self.by = by
        self.max_iter = max_iter
        self.tol = tol
        self.ridge = ridge
        self.seed = seed
        self._validate()

    def _validate(self) -> None:
        check_choice("Impute", "method", self.method, METHODS)
        if self.method.startswith("group_") and not self.by:
            raise InputError(f"Impute: method {self.method!r} needs by=<group column>")

    def fit(self, X: pd.DataFrame, context: Context | None = None) -> Self:
        ctx = self._need(context)
        if self.method.startswith("group_"):
            assert self.by is not None
            if self.by not in ctx.groups.columns:
                raise InputError(
                    f"Impute: group column {self.by!r} not in the data "
                    f"(groups: {', '.join(ctx.groups.columns) or 'none'})"
                )
        self.overall_ = X.median() if self.method.endswith("median") else X.mean()
        if self.method.startswith("group_"):
            g = ctx.groups[self.by].reindex(X.index)
            how = "median" if self.method == "group_median" else "mean"
            self.group_stats_ = X.groupby(g).agg(how)
        if self.method == "regression":
            self.reg_ = _regression_fit(X.to_numpy(dtype=float), min(self.max_iter, 20), self.ridge)
        if self.method == "em":
            self.em_ = _em_fit(X.to_numpy(dtype=float), self.max_iter, self.tol, self.ridge)
        self.context_ = ctx
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        ctx = self._fitted()
        miss = X.isna()
        n_missing = int(miss.to_numpy().sum())
        if self.method == "none":
            if n_missing:
                ctx.note(
                    self.name,
                    "missing",
                    "all",
                    f"{n_missing} missing value(s) left missing; aggregation uses the available "
                    "indicators of each unit",
                )
            return X.copy()
        out = X.copy()
        if self.method in ("mean", "median"):
            out = out.fillna(self.overall_)
        elif self.method.startswith("group_"):
            g = ctx.groups[self.by].reindex(X.index)
            for c in X.columns:
                col = out[c]
                if not col.isna().any():
                    continue
                fill = (
                    g.map(self.group_stats_[c])
                    if c in self.group_stats_
                    else pd.Series(np.nan, index=X.index)
                )
                fallback = col.isna() & fill.isna()
                if fallback.any():
                    ctx.note(
                        self.name,
                        "treatment",
                        c,
                        f"group has no value for {int(fallback.sum())} unit(s) "
                        f"({', '.join(map(str, X.index[fallback.to_numpy()][:5]))}); "
                        "filled with the overall value instead",
                    )
                    fill = fill.fillna(self.overall_[c])
                out[c] = col.fillna(fill)
        elif self.method == "regression":
            arr = _regression_fill(X.to_numpy(dtype=float), self.reg_)
            out = pd.DataFrame(arr, index=X.index, columns=X.columns)
        elif self.method == "em":
            out = pd.DataFrame(
                _em_fill(X.to_numpy(dtype=float), self.em_), index=X.index, columns=X.columns
            )
        if out.isna().to_numpy().any():
            c = out.columns[out.isna().any().to_numpy()][0]
            raise InputError(f"Impute({self.method}): could not fill indicator {c!r}")
        if n_missing:
            ctx.note(
                self.name,
                "treatment",
                "all",
                f"{n_missing} missing value(s) imputed by {self.method}",
            )
        return out


def _em_fit(X: np.ndarray, max_iter: int, tol: float, ridge: float) -> dict[str, np.ndarray]:
    """EM for a multivariate normal with missing values, on standardised columns."""
    loc = np.nanmean(X, axis=0)
    scale = np.nanstd(X, axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    Z = (X - loc) / scale
    miss = np.isnan(Z)
    n, p = Z.shape
    mu = np.zeros(p)
    sigma = np.eye(p)
    Zf = np.where(miss, 0.0, Z)
    # Rows that share a missingness pattern share the regression coefficients.
    patterns: dict[bytes, list[int]] = {}
    for i in np.flatnonzero(miss.any(axis=1)):
        patterns.setdefault(miss[i].tobytes(), []).append(int(i))
    groups = [(np.array(rows), miss[rows[0]], ~miss[rows[0]]) for rows in patterns.values()]
    for _ in range(max_iter):
        C = np.zeros((p, p))
        for rows, m, o in groups:
            s_mo = sigma[m][:, o]
            if o.any():
                coef = np.linalg.solve(sigma[o][:, o], s_mo.T).T
                Zf[np.ix_(rows, m)] = mu[m] + (Z[rows][:, o] - mu[o]) @ coef.T
                cond = sigma[m][:, m] - coef @ s_mo.T
            else:
                Zf[np.ix_(rows, m)] = mu[m]
                cond = sigma[m][:, m]
            C[np.ix_(m, m)] += len(rows) * cond
        new_mu = Zf.mean(axis=0)
        d = Zf - new_mu
        new_sigma = (d.T @ d + C) / n
        # Shrink towards the identity (standardised scale) so that sigma stays invertible.
        new_sigma = (1 - ridge) * new_sigma + ridge * np.eye(p)
        delta = np.abs(new_mu - mu).max() + np.abs(new_sigma - sigma).max()
        mu, sigma = new_mu, new_sigma
        if delta < tol:
            break
    return {"loc": loc, "scale": scale, "mu": mu, "sigma": sigma}


def _em_fill(X: np.ndarray, em: dict[str, np.ndarray]) -> np.ndarray:
    """Conditional means given the observed values, back on the original scale."""
    Z = (X - em["loc"]) / em["scale"]
    miss = np.isnan(Z)
    mu, sigma = em["mu"], em["sigma"]
    out = Z.copy()
    for i in np.flatnonzero(miss.any(axis=1)):
        m = miss[i]
        o = ~m
        if o.any():
            coef = np.linalg.solve(sigma[np.ix_(o, o)], sigma[np.ix_(m, o)].T).T
            out[i, m] = mu[m] + coef @ (Z[i, o] - mu[o])
        else:
            out[i, m] = mu[m]
    return out * em["scale"] + em["loc"]


def _regression_fit(X: np.ndarray, n_iter: int, ridge: float) -> dict[str, np.ndarray]:
    """Chained ridge regressions on standardised columns: each incomplete indicator is
    regressed on all the others (observed rows), its missing values predicted, and the round
    repeated so that predictions use each other's improved fills."""
    loc = np.nanmean(X, axis=0)
    scale = np.nanstd(X, axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    Z = (X - loc) / scale
    miss = np.isnan(Z)
    F = np.where(miss, 0.0, Z)
    p = Z.shape[1]
    coefs = np.zeros((p, p + 1))
    lam = max(ridge, 1e-6) * Z.shape[0]
    for _ in range(max(n_iter, 1)):
        for j in np.flatnonzero(miss.any(axis=0)):
            obs = ~miss[:, j]
            A = np.delete(F[obs], j, axis=1)
            A1 = np.hstack([np.ones((A.shape[0], 1)), A])
            reg = lam * np.eye(A1.shape[1])
            reg[0, 0] = 0.0
            beta = np.linalg.solve(A1.T @ A1 + reg, A1.T @ F[obs, j])
            B = np.delete(F[miss[:, j]], j, axis=1)
            F[miss[:, j], j] = beta[0] + B @ beta[1:]
            coefs[j] = np.insert(np.insert(beta[1:], j, 0.0), 0, beta[0])
    return {"loc": loc, "scale": scale, "coefs": coefs, "cols": miss.any(axis=0), "fill": F}


def _regression_fill(X: np.ndarray, reg: dict[str, np.ndarray]) -> np.ndarray:
    """Fill with the fitted regressions (mean start, a few passes)."""
    Z = (X - reg["loc"]) / reg["scale"]
    miss = np.isnan(Z)
    F = np.where(miss, 0.0, Z)
    for _ in range(10):
        for j in np.flatnonzero(miss.any(axis=0)):
            c = reg["coefs"][j]
            F[miss[:, j], j] = c[0] + F[miss[:, j]] @ c[1:]
    return F * reg["scale"] + reg["loc"]
