"""Analyses of a built index: strengths and weaknesses, correlation structure, Cronbach's
alpha, PCA and the governance-matches-development diagnostic."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from coalign.governance.pipeline import IndexResults
from coalign.io import InputError


def strengths_weaknesses(res: IndexResults, unit: str, n: int = 3) -> dict[str, pd.DataFrame]:
    """The unit's ``n`` best and worst indicators by its rank among all ranked units."""
    if unit not in res.scores.index:
        known = ", ".join(map(str, res.scores.index[:10]))
        raise InputError(f"unit {unit!r} is not in the results (units: {known}, ...)")
    fw = res.framework
    inds = fw.indicators
    r = res.ranks.loc[unit, inds].dropna()
    raw = res.stages.get("raw", pd.DataFrame())
    rows = [
        {
            "indicator": c,
            "name": fw.nodes[c].name,
            "rank": int(r[c]),
            "of": int(res.ranks[c].notna().sum()),
            "value": float(raw.loc[unit, c]) if c in raw.columns and unit in raw.index else np.nan,
            "normalised": float(res.scores.loc[unit, c]),
        }
        for c in r.index
    ]
    table = pd.DataFrame(rows).sort_values(["rank", "indicator"])
    return {
        "strengths": table.head(n).reset_index(drop=True),
        "weaknesses": table.tail(n).iloc[::-1].reset_index(drop=True),
    }


def correlations(res: IndexResults, parent: str | None = None) -> pd.DataFrame:
    """Pearson correlations among a node's children and the node itself (default: the root)."""
    code = parent or res.framework.root
    kids = list(res.framework.node(code).children)
    return res.scores[[*kids, code]].corr()


def correlation_summary(res: IndexResults) -> pd.DataFrame:
    """For every aggregate, each child's correlation with it and with the index."""
    fw = res.framework
    rows = []
    for parent in fw.aggregates:
        for k in fw.nodes[parent].children:
            pair = res.scores[[k, parent]].dropna()
            idx = res.scores[[k, fw.root]].dropna()
            rows.append(
                {
                    "parent": parent,
                    "child": k,
                    "r_with_parent": _corr(pair[k], pair[parent]),
                    "r_with_index": _corr(idx[k], idx[fw.root]),
                    "n": len(pair),
                }
            )
    return pd.DataFrame(rows)


def _corr(a: pd.Series, b: pd.Series) -> float:
    if len(a) < 3 or a.std() == 0 or b.std() == 0:
        return 0.0 if len(a) >= 3 else float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def cronbach_alpha(res: IndexResults) -> pd.DataFrame:
    """Cronbach's alpha of each aggregate's children (complete units only).

    Alpha needs at least two children and three units; otherwise the row says why in ``note``
    and ``alpha`` is empty."""
    fw = res.framework
    rows = []
    for parent in fw.aggregates:
        kids = list(fw.nodes[parent].children)
        data = res.scores[kids].dropna()
        note = ""
        alpha: float | None = None
        if len(kids) < 2:
            note = "one child: alpha undefined"
        elif len(data) < 3:
            note = "fewer than 3 complete units"
        else:
            k = len(kids)
            total = data.sum(axis=1).var(ddof=1)
            if total == 0:
                note = "children have no variance"
            else:
                alpha = float(k / (k - 1) * (1 - data.var(ddof=1).sum() / total))
        rows.append(
            {
                "aggregate": parent,
                "name": fw.nodes[parent].name,
                "children": len(kids),
                "units": len(data),
                "alpha": alpha,
                "note": note,
            }
        )
    return pd.DataFrame(rows)


@dataclass
class PCAResult:
    """Explained variance and loadings of a principal component analysis."""

    codes: list[str]
    explained: np.ndarray
    loadings: pd.DataFrame
    n_units: int
    mean_filled: int = 0

    def table(self) -> pd.DataFrame:
        """Explained variance ratio per component."""
        return pd.DataFrame(
            {
                "component": [f"PC{i + 1}" for i in range(len(self.explained))],
                "explained": self.explained,
                "cumulative": np.cumsum(self.explained),
            }
        )


def pca(res: IndexResults, parent: str | None = None, *, level: str = "children") -> PCAResult:
    """PCA of a node's children (``level="children"``) or of all indicators below it
    (``level="indicators"``), on standardised values. Missing values (left by imputation
    ``none``) are filled with the column mean for the PCA only; ``mean_filled`` counts them."""
    code = parent or res.framework.root
    cols = (
        list(res.framework.node(code).children)
        if level == "children"
        else res.framework.indicators_under(code)
    )
    data = res.scores[cols]
    filled = int(data.isna().to_numpy().sum())
    data = data.fillna(data.mean())
    if len(data) < 3 or len(cols) < 2:
        raise InputError(f"PCA of {code!r}: needs at least 2 variables and 3 units")
    sd = data.std(ddof=1).replace(0, 1.0)
    z = (data - data.mean()) / sd
    _, s, vt = np.linalg.svd(z.to_numpy(), full_matrices=False)
    var = s**2
    explained = var / var.sum()
    ncomp = min(len(cols), 5)
    loadings = pd.DataFrame(vt[:ncomp].T, index=cols, columns=[f"PC{i + 1}" for i in range(ncomp)])
    return PCAResult(cols, explained[:ncomp], loadings, len(data), filled)


@dataclass
class DevelopmentDiagnostic:
    """Governance against development: fitted line, residuals and who is ahead or behind."""

    table: pd.DataFrame
    coefficients: dict[str, float]
    r2: float
    n: int
    development: str
    governance: list[str]
    excluded: list[tuple[str, str]] = field(default_factory=list)


def development_diagnostic(
    res: IndexResults,
    *,
    development: str | None = None,
    governance: Sequence[str] | None = None,
    gdp_per_capita: Mapping[str, float] | pd.Series | None = None,
    band: float = 0.5,
) -> DevelopmentDiagnostic:
    """Does governance match development? Regress the governance score (weighted mean of the
    governance pillars) on the development pillar (and log GDP per capita when given); a unit's
    residual says how far it governs ahead of (+) or behind (-) what its development predicts.
    Units within ``band`` residual standard deviations are "in line".

    Pillars come from the framework's roles (``role: development`` / ``governance``) unless
    named. Units without GDP per capita are left out of the fit and listed in ``excluded``.
    """
    fw = res.framework
    dev = development or next(iter(fw.role_codes("development")), None)
    gov = list(governance) if governance is not None else fw.role_codes("governance")
    if dev is None or not gov:
        raise InputError(
            "development diagnostic: name the development and governance nodes (the framework "
            "marks none with role: development / governance)"
        )
    for c in [dev, *gov]:
        if c not in res.scores.columns:
            raise InputError(
                f"development diagnostic: {c!r} is not in the results (excluded or unknown)"
            )
    w = np.array([res.weights.get(c, 1.0) for c in gov])
    G = res.scores[gov]
    gscore = (G * w).sum(axis=1) / (G.notna() * w).sum(axis=1)
    df = pd.DataFrame({"development": res.scores[dev], "governance": gscore})
    excluded: list[tuple[str, str]] = []
    cols = ["development"]
    if gdp_per_capita is not None:
        g = pd.Series(gdp_per_capita, dtype=float).reindex(df.index)
        for u in df.index[(g.isna() | (g <= 0)).to_numpy()]:
            excluded.append((str(u), "no positive GDP per capita"))
        df["log_gdp_pc"] = np.log(g.where(g > 0))
        cols.append("log_gdp_pc")
    for u in df.index[df[["development", "governance"]].isna().any(axis=1).to_numpy()]:
        excluded.append((str(u), "missing development or governance score"))
    fit = df.dropna()
    if len(fit) < len(cols) + 2:
        raise InputError(f"development diagnostic: only {len(fit)} complete units; too few to fit")
    A = np.column_stack([np.ones(len(fit)), fit[cols].to_numpy()])
    beta, *_ = np.linalg.lstsq(A, fit["governance"].to_numpy(), rcond=None)
    pred = A @ beta
    resid = fit["governance"].to_numpy() - pred
    ss_tot = ((fit["governance"] - fit["governance"].mean()) ** 2).sum()
    r2 = float(1 - (resid**2).sum() / ss_tot) if ss_tot > 0 else 0.0
    sd = resid.std(ddof=len(cols) + 1) if len(fit) > len(cols) + 1 else 0.0
    status = np.where(np.abs(resid) <= band * sd, "in line", np.where(resid > 0, "ahead", "behind"))
    table = fit.assign(
        name=[res.unit_name(u) for u in fit.index], fitted=pred, residual=resid, status=status
    )
    table.index.name = "unit"
    table = table.reset_index().sort_values("residual", ascending=False).reset_index(drop=True)
    coef = {
        "intercept": float(beta[0]),
        **{c: float(b) for c, b in zip(cols, beta[1:], strict=True)},
    }
    return DevelopmentDiagnostic(table, coef, r2, len(fit), dev, gov, excluded)
