"""One call that does what ``coalign index build`` does: load, build, analyse, report, export."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml

from coalign.governance.analysis import DevelopmentDiagnostic, development_diagnostic
from coalign.governance.data import IndexData, read_data
from coalign.governance.export import export_csv, export_excel
from coalign.governance.framework import Framework, load_framework
from coalign.governance.pipeline import IndexPipeline, IndexResults
from coalign.governance.report import write_index_report
from coalign.governance.uncertainty import UncertaintyResult, UncertaintySpec, run_uncertainty
from coalign.io import InputError

Progress = Callable[[str, int, int], None]


@dataclass
class IndexBuild:
    """What :func:`build_index` produced."""

    framework: Framework
    data: IndexData
    pipeline: IndexPipeline
    results: IndexResults
    uncertainty: UncertaintyResult | None = None
    diagnostic: DevelopmentDiagnostic | None = None
    report: str | None = None
    exported: list[str] | None = None


def load_settings(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A settings YAML: ``pipeline:`` (list of steps) and optional ``uncertainty:``."""
    p = Path(path)
    if not p.exists():
        raise InputError("settings file not found", file=p)
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        raise InputError(f"malformed YAML: {e}", file=p) from None
    if not isinstance(raw, dict) or set(raw) - {"pipeline", "uncertainty"}:
        raise InputError("settings must be a mapping with 'pipeline' and/or 'uncertainty'", file=p)
    return raw


def build_index(
    framework: str | os.PathLike[str] | Framework,
    data: str | os.PathLike[str] | IndexData,
    *,
    year: int | None = None,
    pipeline: Sequence[dict[str, Any]] | None = None,
    overrides: dict[str, Any] | None = None,
    group_cols: Sequence[str] = (),
    gdp_column: str | None = None,
    on_missing: Literal["error", "exclude"] = "error",
    uncertainty: UncertaintySpec | dict[str, Any] | None = None,
    n_replications: int = 1000,
    seed: int = 0,
    report: str | os.PathLike[str] | None = None,
    excel: str | os.PathLike[str] | None = None,
    csv_dir: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
) -> IndexBuild:
    """Build an index from a framework (shipped name or YAML) and a data file.

    ``pipeline`` is a step list as in a settings file (default: :func:`default_steps`);
    ``overrides`` are ``step__setting`` values applied on top. ``uncertainty`` (a spec or its
    settings) runs the Monte Carlo analysis with ``n_replications``. The development diagnostic
    runs when the framework marks development/governance roles.
    """
    fw = framework if isinstance(framework, Framework) else load_framework(framework)
    cols = list(dict.fromkeys([*group_cols, *([gdp_column] if gdp_column else [])]))
    d = (
        data
        if isinstance(data, IndexData)
        else read_data(data, fw, group_cols=cols, on_missing=on_missing)
    )  # type: ignore[arg-type]
    pipe = IndexPipeline.from_config(fw, pipeline) if pipeline else IndexPipeline(fw)
    if overrides:
        pipe.set_params(**overrides)
    res = pipe.build(d, year=year, progress=progress)
    out = IndexBuild(fw, d, pipe, res)
    if uncertainty is not None:
        spec = (
            uncertainty
            if isinstance(uncertainty, UncertaintySpec)
            else UncertaintySpec(**uncertainty)
        )
        out.uncertainty = run_uncertainty(
            pipe, d, spec, n=n_replications, seed=seed, year=year, progress=progress
        )
    if fw.role_codes("development") and fw.role_codes("governance"):
        gdp = None
        if gdp_column is None and "aux_gdp_per_capita" in res.data.groups.columns:
            gdp_column = "aux_gdp_per_capita"
        if gdp_column:
            if gdp_column not in res.data.groups.columns:
                raise InputError(f"GDP column {gdp_column!r} not in the data", file=d.source)
            gdp = pd.to_numeric(res.data.groups[gdp_column], errors="coerce")
        out.diagnostic = development_diagnostic(res, gdp_per_capita=gdp)
    if report is not None:
        out.report = write_index_report(
            report, res, uncertainty=out.uncertainty, diagnostic=out.diagnostic
        )
    exported: list[str] = []
    if excel is not None:
        exported.append(
            export_excel(res, excel, uncertainty=out.uncertainty, diagnostic=out.diagnostic)
        )
    if csv_dir is not None:
        exported.extend(
            export_csv(res, csv_dir, uncertainty=out.uncertainty, diagnostic=out.diagnostic)
        )
    out.exported = exported
    return out
