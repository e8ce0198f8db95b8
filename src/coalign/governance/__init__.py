"""Composite-index engine with the AGILE Index frameworks.

Frameworks are data (YAML trees of any depth); data comes from CSV/Excel, wide or long; an
:class:`IndexPipeline` of scikit-learn-style steps (denominate, screen, impute, treat
outliers, normalise, weight, aggregate) builds scores and ranks at every level; analyses add
strengths and weaknesses, coherence statistics, PCA, the governance-matches-development
diagnostic and a vectorised Monte Carlo uncertainty and Sobol sensitivity analysis; reports
render through :mod:`coalign.report`.

    from coalign.governance import load_framework, read_data, IndexPipeline
    fw = load_framework("agile-2024")
    res = IndexPipeline(fw).build(read_data("data.csv", fw))
"""

from __future__ import annotations

from typing import Any

from coalign.governance.analysis import (
    correlation_summary,
    correlations,
    cronbach_alpha,
    development_diagnostic,
    pca,
    strengths_weaknesses,
)
from coalign.governance.api import IndexBuild, build_index
from coalign.governance.asem import find_asem_dir, load_asem
from coalign.governance.data import CrossSection, IndexData, from_frame, read_data
from coalign.governance.export import export_csv, export_excel
from coalign.governance.framework import (
    Framework,
    framework_from_coinr_meta,
    load_framework,
    parse_framework,
    shipped_frameworks,
)
from coalign.governance.pipeline import IndexPipeline, IndexResults, default_steps
from coalign.governance.report import report_sections, write_index_report
from coalign.governance.steps import (
    Aggregate,
    Context,
    Denominate,
    Impute,
    Normalise,
    Screen,
    Step,
    TreatOutliers,
    Weight,
)
from coalign.governance.uncertainty import (
    UncertaintyResult,
    UncertaintySpec,
    loop_ranks,
    run_uncertainty,
    sobol_indices,
)


def demo_sections(*, n_replications: int = 300) -> list[Any]:
    """Report sections for the demo: the SYNTHETIC AGILE 2024 example built with defaults
    (group-mean imputation), a small uncertainty analysis and the development diagnostic."""
    from coalign.governance.synthetic import example_path

    out = build_index(
        "agile-2024",
        example_path(),
        overrides={"impute__method": "group_mean", "impute__by": "income_group"},
        uncertainty={},
        n_replications=n_replications,
    )
    return report_sections(out.results, uncertainty=out.uncertainty, diagnostic=out.diagnostic)


__all__ = [
    "Aggregate",
    "Context",
    "CrossSection",
    "Denominate",
    "Framework",
    "Impute",
    "IndexBuild",
    "IndexData",
    "IndexPipeline",
    "IndexResults",
    "Normalise",
    "Screen",
    "Step",
    "TreatOutliers",
    "UncertaintyResult",
    "UncertaintySpec",
    "Weight",
    "build_index",
    "correlation_summary",
    "correlations",
    "cronbach_alpha",
    "default_steps",
    "demo_sections",
    "development_diagnostic",
    "export_csv",
    "export_excel",
    "find_asem_dir",
    "framework_from_coinr_meta",
    "from_frame",
    "load_asem",
    "load_framework",
    "loop_ranks",
    "parse_framework",
    "pca",
    "read_data",
    "report_sections",
    "run_uncertainty",
    "shipped_frameworks",
    "sobol_indices",
    "strengths_weaknesses",
    "write_index_report",
]
