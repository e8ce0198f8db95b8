"""The ``coalign values`` command group."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from coalign.cli import app

runner = CliRunner()
FIX = Path(__file__).parent / "fixtures" / "values"


def test_validate_and_stats() -> None:
    r = runner.invoke(app, ["values", "validate"])
    assert r.exit_code == 0 and "840 items" in r.output
    r = runner.invoke(app, ["values", "stats", "--json"])
    assert r.exit_code == 0
    data = json.loads(r.output)
    assert data["coverage"]["n_countries"] >= 75


def test_validate_reports_bad_file(tmp_path: Path) -> None:
    (tmp_path / "personas.jsonl").write_text('{"id": "p", "country": "ZZ"}\n')
    (tmp_path / "items.jsonl").write_text("")
    r = runner.invoke(app, ["values", "validate", "--items", str(tmp_path / "items.jsonl")])
    assert r.exit_code == 1
    assert "line 1" in r.output and "country" in r.output


def test_import_split_and_export(tmp_path: Path) -> None:
    r = runner.invoke(
        app,
        [
            "values",
            "import",
            "prism",
            "-o",
            str(tmp_path / "prism"),
            "--survey",
            str(FIX / "prism_survey.jsonl"),
            "--conversations",
            str(FIX / "prism_conversations.jsonl"),
            "--unknown-country",
            "unspecified",
        ],
    )
    assert r.exit_code == 0, r.output
    assert (tmp_path / "prism" / "items.jsonl").exists()
    r = runner.invoke(app, ["values", "split", "--by", "dimension", "-o", str(tmp_path / "s.json")])
    assert r.exit_code == 0
    assert json.loads((tmp_path / "s.json").read_text())["by"] == "dimension"
    r = runner.invoke(
        app, ["values", "export-pairs", "-o", str(tmp_path / "pairs.jsonl"), "--split", "test_ood"]
    )
    assert r.exit_code == 0 and (tmp_path / "pairs.jsonl").stat().st_size > 0
