"""Export every result table to an Excel workbook or a folder of CSV files (atomic writes)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from coalign.governance.analysis import (
    DevelopmentDiagnostic,
    correlation_summary,
    cronbach_alpha,
)
from coalign.governance.pipeline import IndexResults
from coalign.governance.uncertainty import UncertaintyResult
from coalign.io import atomic_writer


def result_tables(
    res: IndexResults,
    *,
    uncertainty: UncertaintyResult | None = None,
    diagnostic: DevelopmentDiagnostic | None = None,
) -> dict[str, pd.DataFrame]:
    """Name -> table for everything a build (and optional analyses) produced."""
    fw = res.framework
    scores = res.scores.copy()
    scores.index.name = "unit"
    ranks = res.ranks.copy()
    ranks.index.name = "unit"
    tables: dict[str, pd.DataFrame] = {
        "ranking": res.ranking(),
        "scores": scores.reset_index(),
        "ranks": ranks.reset_index(),
        "weights": pd.DataFrame(
            [
                {"code": c, "parent": fw.nodes[c].parent, "weight": w}
                for c, w in res.weights.items()
                if c in fw.nodes
            ]
        ),
        "framework": fw.to_frame(),
        "log": res.log,
        "settings": pd.DataFrame(
            [
                {"step": s["name"], "class": s["step"], "setting": k, "value": str(v)}
                for s in res.settings
                for k, v in s["params"].items()
            ]
        ),
        "alpha": cronbach_alpha(res),
        "correlations": correlation_summary(res),
    }
    if res.data.synthetic:
        tables["data_status"] = pd.DataFrame(
            [{"data_status": "SYNTHETIC", "source": res.data.source}]
        )
    if res.outlier_report is not None:
        tables["outliers"] = res.outlier_report
    if uncertainty is not None:
        tables["uncertainty"] = uncertainty.summary()
        if uncertainty.sobol_global is not None:
            tables["sobol"] = uncertainty.sobol_global
        if uncertainty.sobol_units is not None:
            tables["sobol_units"] = uncertainty.sobol_units
    if diagnostic is not None:
        tables["development"] = diagnostic.table
    return tables


def export_excel(
    res: IndexResults,
    path: str | os.PathLike[str],
    *,
    uncertainty: UncertaintyResult | None = None,
    diagnostic: DevelopmentDiagnostic | None = None,
) -> str:
    """One sheet per table."""
    tables = result_tables(res, uncertainty=uncertainty, diagnostic=diagnostic)
    with atomic_writer(path, mode="wb") as fh, pd.ExcelWriter(fh, engine="openpyxl") as xw:
        for name, df in tables.items():
            df.to_excel(xw, sheet_name=name[:31], index=False)
    return str(path)


def export_csv(
    res: IndexResults,
    directory: str | os.PathLike[str],
    *,
    uncertainty: UncertaintyResult | None = None,
    diagnostic: DevelopmentDiagnostic | None = None,
) -> list[str]:
    """One CSV per table in ``directory`` (created if needed)."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    out = []
    for name, df in result_tables(res, uncertainty=uncertainty, diagnostic=diagnostic).items():
        p = d / f"{name}.csv"
        with atomic_writer(p) as fh:
            df.to_csv(fh, index=False, lineterminator="\n")
        out.append(str(p))
    return out
