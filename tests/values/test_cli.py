"""The ``coalign values`` command group."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from coalign.cli import app

runner = CliRunner()
FIX = Path(__file__).parent / "fixtures"


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
    assert r.exit_code == 2
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


def test_report_from_scripted_choice_run(tmp_path: Path) -> None:
    from inspect_ai import eval as inspect_eval

    from coalign.benchmarks.values.schema import load_dataset
    from coalign.benchmarks.values.task import values

    [log] = inspect_eval(
        values(mode="choice", limit=30),
        model="coalign/scripted",
        model_args={"rules": [{"match": ".", "response": "A"}]},
        log_dir=str(tmp_path),
        display="none",
    )
    by_id = {i.id: i for i in load_dataset().items}
    k = sum(by_id[str(s.id)].preferred == 0 for s in log.samples)
    out = tmp_path / "v.html"
    res = runner.invoke(app, ["values", "report", log.location, "--report", str(out)])
    assert res.exit_code == 0, res.output
    assert f"({k}/30)" in res.output  # overall PAA as k/n: always answering A
    assert "country" in res.output and "region" in res.output
    assert out.exists() and "Value-alignment benchmark" in out.read_text()

    bad = runner.invoke(app, ["values", "report", str(tmp_path / "missing.eval")])
    assert bad.exit_code == 2 and "does not exist" in bad.output
