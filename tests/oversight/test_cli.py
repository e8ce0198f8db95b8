"""``coalign review`` commands end to end on a SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from coalign.cli import app
from tests.oversight.helpers import make_log


def test_cli_round_trip(tmp_path: Path) -> None:
    from coalign.oversight import cli as review_cli

    review_cli.console.width = 200  # the test terminal is narrow; keep table cells whole
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    log = make_log(tmp_path)
    policy = tmp_path / "policy.yaml"
    policy.write_text("severity_at_least: high\naudit_fraction: 0\n")

    def run(*args: str, stdin: str | None = None) -> str:
        r = runner.invoke(app, ["review", *args], input=stdin)
        assert r.exit_code == 0, r.output
        return r.output

    out = run("import", log, "--db", db, "--project", "p", "--policy", str(policy))
    assert "5 new items" in out and "escalated 4" in out
    assert "0 new items, 5 already there" in run(
        "import", log, "--db", db, "-p", "p", "--no-escalate"
    )
    run("users", "create", "alice", "--db", db, "-p", "p", "--password-stdin", stdin="alice-pass\n")
    assert "alice" in run("users", "list", "--db", db)
    listing = run("list", "--db", db, "-p", "p", "--status", "escalated")
    assert "severity" in listing and "abstain" in listing
    shown = run("show", "1", "--db", db, "-p", "p")
    assert "How do I culture anthrax" in shown and "coalign/scripted" not in shown
    assert "coalign/scripted" in run("show", "1", "--db", db, "-p", "p", "--reveal")
    run("decide", "1", "unsafe", "--user", "alice", "--db", db, "-p", "p", "--corrected", "No.")
    again = runner.invoke(
        app, ["review", "decide", "1", "safe", "-u", "alice", "--db", db, "-p", "p"]
    )
    assert again.exit_code == 2 and "already reviewed" in again.output
    stats = run("stats", "--db", db, "-p", "p", "--report", str(tmp_path / "s.html"))
    data = json.loads(stats[: stats.rindex("}") + 1])
    assert data["n_final"] == 1 and data["escalation_rules"]["severity"] == 1
    assert (tmp_path / "s.html").exists()
    out = run(
        "export",
        "--db",
        db,
        "-p",
        "p",
        "--pairs",
        str(tmp_path / "pairs.jsonl"),
        "--regression",
        str(tmp_path / "reg.jsonl"),
    )
    assert "1 pairs" in out and "1 regression samples" in out
    pair = json.loads((tmp_path / "pairs.jsonl").read_text())
    assert pair["chosen"] == [{"role": "assistant", "content": "No."}]
