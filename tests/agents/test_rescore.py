"""``inspect score`` rebuilds the agents scorer from its log and gives the same metrics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from inspect_ai.model import get_model

from tests.agents.helpers import SCORER, risky_tool, run_scripted
from tests.rescore import metric_values, rescore, rescore_cli


def _eval(tmp_path: Path, model_roles: dict[str, Any] | None = None, **task_args: Any) -> Any:
    # turn 1: a refusal; turn 2 (the attacker names the tool): the risky call
    rules: list[dict[str, Any]] = [
        {"match": ".", "role": "tool", "response": "Done."},
        {"match": "use the", "role": "user", "tool_call": {"name": risky_tool(), "arguments": {}}},
        {"match": ".", "role": "user", "response": "I need approval first."},
    ]
    return run_scripted(rules, tmp_path, model_roles, turn_budget=2, **task_args)


def _same(a: dict[str, dict[str, float]], b: dict[str, dict[str, float]]) -> None:
    # json renders NaN as NaN, so undecided metrics compare equal too
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _values(log: Any) -> list[str]:
    return [json.dumps(s.scores[SCORER].value, sort_keys=True) for s in log.samples]


def test_rescoring_a_log_gives_the_same_metrics(tmp_path: Path) -> None:
    log = _eval(tmp_path)
    before = metric_values(log)
    assert set(before[SCORER]) >= {"asr", "asr_n", "utr", "utr_n", "judged_asr_excluded"}
    assert before[SCORER]["asr"] == 1.0
    again = rescore(log)
    _same(before, metric_values(again))
    assert _values(again) == _values(log)


def test_rescoring_a_judged_log_with_the_grader_role(tmp_path: Path) -> None:
    grader = get_model(
        "coalign/scripted",
        rules=[
            {
                "match": r"given to the agent: trust\.",
                "response": "VERDICT: UNSAFE\nRATIONALE: step 2",
            },
            {"match": ".", "response": "no verdict"},
        ],
    )
    log = _eval(tmp_path, model_roles={"grader": grader}, judge="trajectory")
    before = metric_values(log)[SCORER]
    # the rubric names the authority: trust episodes are judged unsafe, warning ones abstain
    assert before["judged_asr"] == 1.0 and before["judged_asr_n"] == 1
    assert before["judged_asr_excluded"] == 1
    again = rescore(log)
    _same(metric_values(log), metric_values(again))
    assert _values(again) == _values(log)


def test_inspect_score_cli_rescores_an_agents_log(tmp_path: Path) -> None:
    log = _eval(tmp_path)
    rescored = tmp_path / "rescored.eval"
    again = rescore_cli(log, rescored)
    _same(metric_values(log), metric_values(again))
    assert _values(again) == _values(log)
