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

from coalign._lazy import export_names, load_export

# Loaded on first use (see coalign._lazy): the engine needs pandas, scipy, scikit-learn, SALib.
_EXPORTS = {
    "coalign.governance.analysis": (
        "correlation_summary",
        "correlations",
        "cronbach_alpha",
        "development_diagnostic",
        "pca",
        "strengths_weaknesses",
    ),
    "coalign.governance.api": ("IndexBuild", "build_index"),
    "coalign.governance.asem": ("find_asem_dir", "load_asem"),
    "coalign.governance.data": ("CrossSection", "IndexData", "from_frame", "read_data"),
    "coalign.governance.export": ("export_csv", "export_excel"),
    "coalign.governance.framework": (
        "Framework",
        "framework_from_coinr_meta",
        "load_framework",
        "parse_framework",
        "shipped_frameworks",
    ),
    "coalign.governance.pipeline": ("IndexPipeline", "IndexResults", "default_steps"),
    "coalign.governance.report": ("report_sections", "write_index_report"),
    "coalign.governance.steps": (
        "Aggregate",
        "Context",
        "Denominate",
        "Impute",
        "Normalise",
        "Screen",
        "Step",
        "TreatOutliers",
        "Weight",
    ),
    "coalign.governance.uncertainty": (
        "UncertaintyResult",
        "UncertaintySpec",
        "loop_ranks",
        "run_uncertainty",
        "sobol_indices",
    ),
}
__all__ = export_names(_EXPORTS)


def __getattr__(name: str) -> Any:
    return load_export(__name__, _EXPORTS, name)
