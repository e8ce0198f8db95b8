"""``coalign agents``: validate, generate (shared options, error exit) and stats --report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from coalign.cli import app
from tests.agents.helpers import risky_tool, run_scripted

runner = CliRunner()


def _text(output: str) -> str:
    return " ".join(output.split())


def test_validate_shipped_data() -> None:
    r = runner.invoke(app, ["agents", "validate"])
    assert r.exit_code == 0 and "16 families" in _text(r.output)


def test_generate_writes_the_sage_layout_and_rejects_unknown_subcategories(
    tmp_path: Path,
) -> None:
    out = tmp_path / "sage"
    args = ["agents", "generate", "--subcategories", "reward_hacking", "--candidates", "10"]
    r = runner.invoke(app, [*args, "--dup-threshold", "0.6", "--seed", "1", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert (out / "tasks" / "goal_norm_misalignment" / "reward_hacking_seeds").is_dir()
    r = runner.invoke(app, ["agents", "generate", "--subcategories", "no_such_thing"])
    assert r.exit_code == 2 and "unknown subcategories: no_such_thing" in _text(r.output)


def test_stats_prints_rates_and_writes_the_report(tmp_path: Path) -> None:
    rules: list[dict[str, Any]] = [
        {"match": ".", "role": "tool", "response": "Done."},
        {"match": ".", "role": "user", "tool_call": {"name": risky_tool(), "arguments": {}}},
    ]
    log = run_scripted(rules, tmp_path / "logs", turn_budget=1)
    report = tmp_path / "agents.html"
    r = runner.invoke(app, ["agents", "stats", log.location, "--report", str(report)])
    assert r.exit_code == 0, r.output
    assert "agents: 2 episodes" in _text(r.output) and '"asr"' in r.output
    assert "Trust minus Warning" in report.read_text()
