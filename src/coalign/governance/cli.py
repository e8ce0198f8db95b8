"""``coalign index ...``: build composite indices from a framework and a data file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from coalign.cli_common import fail, report_option, seed_option
from coalign.io import InputError

index_app = typer.Typer(
    help="Composite indices (AGILE Index and others): build, analyse, report.", no_args_is_help=True
)
console = Console()


class _Bars:
    """Rich progress bars keyed by stage name."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, Any] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        key = {"done": "pipeline"}.get(stage, stage)
        if stage in {
            "denominate",
            "screen",
            "impute",
            "outliers",
            "normalise",
            "weight",
            "aggregate",
            "done",
        }:
            key = "pipeline"
        if key not in self.tasks:
            self.tasks[key] = self.progress.add_task(key, total=max(total, 1))
        self.progress.update(
            self.tasks[key],
            completed=done,
            total=max(total, 1),
            description=f"{key}: {stage}" if key == "pipeline" else key,
        )


@index_app.command("build")
def build_cmd(
    framework: str = typer.Argument(
        ..., help="Shipped name (agile-2024, agile-2025) or framework YAML path"
    ),
    data: Path = typer.Argument(..., help="Data file: CSV/TSV/Excel, wide or long"),
    report: Path | None = report_option(),
    excel: Path | None = typer.Option(None, "--excel", help="Export all tables to this .xlsx"),
    csv_dir: Path | None = typer.Option(
        None, "--csv-dir", help="Export all tables as CSV files here"
    ),
    settings: Path | None = typer.Option(
        None, "--settings", help="Settings YAML (pipeline: ..., uncertainty: ...)"
    ),
    year: int | None = typer.Option(None, "--year", help="Year to build (default: latest)"),
    impute: str | None = typer.Option(
        None, help="Imputation: none, mean, median, group_mean, group_median, regression, em"
    ),
    impute_by: str | None = typer.Option(
        None, "--impute-by", help="Group column for group imputation"
    ),
    outliers: str | None = typer.Option(
        None, help="Outlier treatment: none, auto, winsorise, log, boxcox"
    ),
    normalise: str | None = typer.Option(
        None,
        help="Normalisation: minmax, zscore, goalposts, rank, percentile, dist_target, dist_best",
    ),
    weighting: str | None = typer.Option(None, help="Weighting: expert, equal, pca, corr_opt"),
    aggregate: str | None = typer.Option(
        None, help="Aggregation: arithmetic, geometric, harmonic, power, copeland"
    ),
    group_col: list[str] = typer.Option(
        [], "--group-col", help="Extra unit attribute columns (groups)"
    ),
    gdp_column: str | None = typer.Option(
        None, "--gdp-column", help="Column with GDP per capita for the diagnostic"
    ),
    uncertainty: int = typer.Option(0, "--uncertainty", help="Monte Carlo replications (0 = skip)"),
    seed: int = seed_option(0),
    exclude_missing: bool = typer.Option(
        False,
        "--exclude-missing",
        help="Framework indicators with no data are excluded (reported) instead of an error",
    ),
) -> None:
    """Build an index, print the ranking, and optionally write a report and exports."""
    from coalign.governance.api import build_index, load_settings

    try:
        cfg = load_settings(settings) if settings else {}
        overrides: dict[str, Any] = {}
        for key, val in (
            ("impute__method", impute),
            ("impute__by", impute_by),
            ("outliers__method", outliers),
            ("normalise__method", normalise),
            ("weight__method", weighting),
            ("aggregate__method", aggregate),
        ):
            if val is not None:
                overrides[key] = val
        unc_cfg = dict(cfg.get("uncertainty") or {})
        n_rep = int(unc_cfg.pop("n", 0)) or uncertainty
        spec = unc_cfg if (uncertainty or n_rep) else None
        if spec is not None and not spec:
            spec = {}
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as prog:
            out = build_index(
                framework,
                data,
                year=year,
                pipeline=cfg.get("pipeline"),
                overrides=overrides,
                group_cols=group_col,
                gdp_column=gdp_column,
                on_missing="exclude" if exclude_missing else "error",
                uncertainty=spec if n_rep else None,
                n_replications=n_rep or 1000,
                seed=seed,
                report=report,
                excel=excel,
                csv_dir=csv_dir,
                progress=_Bars(prog),
            )
    except InputError as e:
        fail(e)
    res = out.results
    if res.data.synthetic:
        console.print(
            "[bold yellow]SYNTHETIC DATA[/bold yellow]: values generated by coalign, not real measurements."
        )
    table = RichTable(
        title=f"{res.framework.name}" + (f" — {res.data.year}" if res.data.year else "")
    )
    rank = res.ranking()
    for c in rank.columns:
        table.add_column(str(c))
    for row in rank.itertuples(index=False):
        table.add_row(*[f"{v:.2f}" if isinstance(v, float) else str(v) for v in row])
    console.print(table)
    if res.excluded_units:
        console.print(f"excluded units: {', '.join(res.excluded_units)}")
    n_log = len(res.log)
    console.print(f"{n_log} exclusion/treatment record(s); settings fingerprint {res.fingerprint}")
    if out.uncertainty is not None:
        u = out.uncertainty
        console.print(
            f"uncertainty: {u.n} replications; widest rank interval {int(u.summary()['interval_width'].max())}"
        )
    if out.report:
        console.print(f"report: {out.report}")
    for p in out.exported or []:
        console.print(f"exported: {p}")


@index_app.command("frameworks")
def frameworks_cmd() -> None:
    """List the shipped frameworks with their counts."""
    from coalign.governance.framework import load_framework, shipped_frameworks

    for name in shipped_frameworks():
        s = load_framework(name).summary()
        console.print(
            f"{name}: {s['name']} — indicators {s['indicators']}, nodes per depth {s['nodes_per_depth']}, reconstructed entries {s['reconstructed']}"
        )


@index_app.command("show")
def show_cmd(framework: str = typer.Argument(..., help="Shipped name or YAML path")) -> None:
    """Print a framework's tree as a table."""
    from coalign.governance.framework import load_framework

    try:
        fw = load_framework(framework)
    except InputError as e:
        fail(e)
    t = RichTable(title=fw.name)
    for c in ("code", "name", "type", "weight", "direction", "reconstructed"):
        t.add_column(c)
    for r in fw.to_frame().itertuples(index=False):
        t.add_row(
            "  " * int(r.depth) + str(r.code),
            str(r.name),
            str(r.type),
            f"{r.weight:g}",
            str(r.direction),
            str(r.reconstructed),
        )
    console.print(t)


@index_app.command("example")
def example_cmd(
    out: Path = typer.Argument(..., help="Where to write the SYNTHETIC example CSV"),
) -> None:
    """Regenerate the SYNTHETIC example data for the 14 AGILE 2024 countries (seeded)."""
    from coalign.governance.synthetic import write_example

    p = write_example(out)
    console.print(f"wrote {p} (SYNTHETIC data)")
