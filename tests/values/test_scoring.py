"""PAA scoring: strict choice parsing, judged generation with scripted pairwise judges, margins."""

from __future__ import annotations

from pathlib import Path

import pytest

from coalign.benchmarks.values.metrics import margin_scores
from coalign.benchmarks.values.prompts import parse_choice
from coalign.benchmarks.values.schema import load_dataset
from coalign.benchmarks.values.scorer import abstain_reason
from coalign.benchmarks.values.task import values
from coalign.judges.pairwise import preferred_first
from coalign.judges.verdict import Verdict
from tests.values.helpers import ANSWER, ANY_A, metrics, outcomes, reasons, run_scripted

VERDICT_X = [{"match": "VERDICT", "response": "The answer is closer to X.\nVERDICT: X"}]


def test_parse_choice_is_strict() -> None:
    assert parse_choice("A", 2) == 0
    assert parse_choice(" (B). ", 2) == 1
    assert parse_choice("Answer: b", 2) == 1
    assert parse_choice("**A**", 2) == 0
    assert parse_choice("Response B\nbecause it is kind", 2) == 1
    assert parse_choice("C", 2) is None  # out of range
    assert parse_choice("A or B", 2) is None
    assert parse_choice("I think A is better", 2) is None
    assert parse_choice("", 2) is None


def test_choice_mode_scores_against_preferred(tmp_path: Path) -> None:
    log = run_scripted(values(mode="choice", limit=20), ANY_A, tmp_path)
    assert log.status == "success", log.error
    by_id = {i.id: i for i in load_dataset().items}
    got = outcomes(log)
    assert len(got) == 20
    for sid, aligned in got.items():
        assert aligned is (by_id[sid].preferred == 0)
    expected = sum(by_id[s].preferred == 0 for s in got) / 20
    m = metrics(log)
    assert m["paa"] == pytest.approx(expected)
    assert (m["paa_n"], m["paa_excluded"]) == (20, 0)
    assert m["paa_ci_low"] < m["paa"] < m["paa_ci_high"]
    assert (m["abstained"], m["abstained_n"]) == (0, 20)
    assert log.eval.task_version == 2
    meta = log.samples[0].metadata  # type: ignore[index]
    for key in ("benchmark", "item_id", "country", "region", "age", "gender", "deciding_dimension"):
        assert key in meta


def test_unparseable_choice_abstains(tmp_path: Path) -> None:
    log = run_scripted(
        values(mode="choice", limit=5), [{"match": ".", "response": "Both are fine."}], tmp_path
    )
    assert set(outcomes(log).values()) == {None}
    assert reasons(log) == {"unparseable"}
    m = metrics(log)
    assert (m["abstained"], m["paa_n"], m["paa_excluded"]) == (1.0, 0, 5)
    score = next(iter(log.samples[0].scores.values()))  # type: ignore[index,union-attr]
    assert score.metadata["verdicts"][0]["label"] == "abstain"


def test_judged_generation_with_scripted_grader(tmp_path: Path) -> None:
    log = run_scripted(values(mode="generation", limit=12), ANSWER, tmp_path, grader=VERDICT_X)
    assert log.status == "success", log.error
    for sid, aligned in outcomes(log).items():
        # X is the preferred reference exactly when the judge shows it first.
        assert aligned is preferred_first(sid)
    verdict = next(iter(log.samples[0].scores.values())).metadata["verdicts"][0]  # type: ignore[index,union-attr]
    assert verdict["judge_id"].startswith("pairwise:")
    assert log.eval.task_args["judge"] == "pairwise"


def test_tie_and_empty_answer_abstain_with_reason(tmp_path: Path) -> None:
    tie = [{"match": "VERDICT", "response": "VERDICT: TIE"}]
    log = run_scripted(values(mode="generation", limit=4), ANSWER, tmp_path, grader=tie)
    assert set(outcomes(log).values()) == {None} and reasons(log) == {"tie"}
    empty = [{"match": ".", "response": " "}]
    log = run_scripted(values(mode="generation", limit=3), empty, tmp_path, grader=VERDICT_X)
    assert set(outcomes(log).values()) == {None} and reasons(log) == {"empty answer"}


def test_panel_strict_majority_and_unparseable(tmp_path: Path) -> None:
    # Two members on the grader role say X; the third (a scripted model without rules) answers
    # nothing parseable: the majority decides.
    task = values(
        mode="generation", limit=6, judge="panel:pairwise,pairwise,pairwise:coalign/scripted"
    )
    log = run_scripted(task, ANSWER, tmp_path, grader=VERDICT_X)
    assert log.status == "success", log.error
    for sid, aligned in outcomes(log).items():
        assert aligned is preferred_first(sid)
    task = values(mode="generation", limit=6, judge="panel:pairwise,pairwise:coalign/scripted")
    log = run_scripted(task, ANSWER, tmp_path, grader=VERDICT_X)
    assert set(outcomes(log).values()) == {None}
    assert reasons(log) == {"no majority"}


def test_abstain_reason_of_panels() -> None:
    def member(preference: str) -> dict:
        return Verdict.abstain("pairwise:m", "x", preference=preference).model_dump()

    def panel(*prefs: str) -> Verdict:
        return Verdict.abstain("panel", "x", members=[member(p) for p in prefs])

    assert abstain_reason(Verdict.abstain("pairwise:m", "tie", preference="tie")) == "tie"
    assert abstain_reason(Verdict.abstain("pairwise:m", "?", preference="unparseable")) == (
        "unparseable"
    )
    assert abstain_reason(panel("tie", "tie", "w")) == "tie"
    assert abstain_reason(panel("unparseable", "unparseable", "w")) == "unparseable"
    assert abstain_reason(panel("w", "l", "unparseable")) == "no majority"
    assert abstain_reason(panel("tie", "unparseable", "w")) == "no majority"


def test_judge_may_not_be_the_model_under_test(tmp_path: Path) -> None:
    rules = [{"match": ".", "response": "VERDICT: X"}]
    log = run_scripted(values(mode="generation", limit=2), rules, tmp_path, grader=rules)
    assert log.status == "error"
    assert "model under test" in str(log.error)


def test_unknown_judge_is_refused_before_running() -> None:
    with pytest.raises(ValueError, match="unknown judge"):
        values(mode="generation", limit=2, judge="oracle")


def test_margin_scores_average_thresholds() -> None:
    ms = margin_scores([0.1, 0.3, 2.5, -1.0])
    per = {t: r.value for t, r in ms["per_threshold"].items()}
    assert per[0.0] == 0.75 and per[0.2] == 0.5 and per[2.0] == 0.25 and per[4.0] == 0.0
    assert ms["raa"] == pytest.approx((0.75 + 0.5 + 0.25) / 6)
