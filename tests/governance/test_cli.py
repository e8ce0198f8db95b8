"""CLI, report, export and the shipped SYNTHETIC example."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from coalign.cli import app
from coalign.governance.synthetic import example_path, write_example

runner = CliRunner()


def test_build_writes_report_and_exports(tmp_path: Path) -> None:
    html, xlsx, csvs = tmp_path / "r.html", tmp_path / "r.xlsx", tmp_path / "csv"
    out = runner.invoke(
        app,
        [
            "index",
            "build",
            "agile-2024",
            str(example_path()),
            "--impute",
            "group_mean",
            "--impute-by",
            "income_group",
            "--report",
            str(html),
            "--excel",
            str(xlsx),
            "--csv-dir",
            str(csvs),
            "--uncertainty",
            "60",
        ],
    )
    assert out.exit_code == 0, out.output
    assert "SYNTHETIC" in out.output and "United States" in out.output
    text = html.read_text()
    for part in (
        "SYNTHETIC DATA",
        "Ranking",
        "Unit profiles",
        "Indicator heatmap",
        "Rank uncertainty and sensitivity",
        "Governance vs development",
        "Exclusions and treatments",
        "scatterpolar",
        "heatmap",
        "reconstructions",
    ):
        assert part in text, part
    sheets = pd.read_excel(xlsx, sheet_name=None)
    assert {
        "ranking",
        "scores",
        "weights",
        "log",
        "settings",
        "uncertainty",
        "sobol",
        "development",
        "data_status",
    } <= set(sheets)
    assert (
        len(sheets["ranking"]) == 14 and sheets["data_status"]["data_status"].iloc[0] == "SYNTHETIC"
    )
    assert (csvs / "ranking.csv").exists() and (csvs / "sobol.csv").exists()


def test_settings_file_and_bad_input(tmp_path: Path) -> None:
    settings = tmp_path / "s.yaml"
    settings.write_text(
        "pipeline:\n  - denominate: {}\n  - screen: {min_unit_coverage: 0.5}\n  - impute: {method: median}\n"
        "  - outliers: {method: auto}\n  - normalise: {method: zscore}\n  - weight: {method: equal}\n"
        "  - aggregate: {method: arithmetic}\n"
    )
    out = runner.invoke(
        app,
        [
            "index",
            "build",
            "agile-2024",
            str(example_path()),
            "--settings",
            str(settings),
            "--year",
            "2023",
        ],
    )
    assert out.exit_code == 0, out.output
    assert "2023" in out.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "code: X\nname: x\nnodes:\n  - {code: R, name: r}\n  - {code: a, name: a, parent: R}\n"
    )
    out = runner.invoke(app, ["index", "build", str(bad), str(example_path())])
    assert out.exit_code == 2 and "no direction" in out.output
    out = runner.invoke(app, ["index", "build", "agile-2025", str(example_path())])
    assert out.exit_code == 2 and "not an indicator code" in out.output


def test_frameworks_show_and_example(tmp_path: Path) -> None:
    out = runner.invoke(app, ["index", "frameworks"])
    assert out.exit_code == 0 and "agile-2024" in out.output and "agile-2025" in out.output
    out = runner.invoke(app, ["index", "show", "agile-2025"])
    assert out.exit_code == 0 and "EFF" in out.output and "AGILE" in out.output


def test_shipped_example_is_reproducible(tmp_path: Path) -> None:
    p = write_example(tmp_path / "agile2024_example_SYNTHETIC.csv")
    assert p.read_bytes() == example_path().read_bytes()
    df = pd.read_csv(p)
    assert (df["data_status"] == "SYNTHETIC").all()
    assert len(df) == 28 and df["unit"].nunique() == 14
    assert (example_path().parent / "DATASHEET.md").exists()
