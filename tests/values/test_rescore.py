"""``inspect score LOG`` rebuilds each mode's scorer from its log and gives the same metrics."""

from __future__ import annotations

from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval

from coalign.benchmarks.values.task import values
from tests.values.helpers import metrics, outcomes, rescore, run_scripted, same_metrics

# Decided one way or the other on half the items, unparseable on the rest: every metric moves.
MIXED = [{"match": "Response A:\\n[A-M]", "response": "A"}, {"match": ".", "response": "hmm"}]


def test_choice_log_rescores_with_same_metrics(tmp_path: Path) -> None:
    log = run_scripted(values(mode="choice", limit=16), MIXED, tmp_path)
    assert log.status == "success", log.error
    assert None in outcomes(log).values() and True in outcomes(log).values()
    again = rescore(log, tmp_path)
    assert same_metrics(metrics(again), metrics(log))
    assert outcomes(again) == outcomes(log)


def test_generation_log_rescores_with_same_metrics(tmp_path: Path) -> None:
    # The grader role is recorded in the log and rebound by `inspect score`.
    grader = [
        {"match": "Assistant's answer:\\n\\s*Here", "response": "VERDICT: X"},
        {"match": ".", "response": "VERDICT: TIE"},
    ]
    answers = [{"match": "[a-m]\\?$", "response": "Here is my answer."}] + [
        {"match": ".", "response": "Something else."}
    ]
    log = run_scripted(values(mode="generation", limit=12), answers, tmp_path, grader=grader)
    assert log.status == "success", log.error
    assert len(set(outcomes(log).values())) > 1
    again = rescore(log, tmp_path)
    assert same_metrics(metrics(again), metrics(log))
    assert outcomes(again) == outcomes(log)


@pytest.mark.slow
def test_likelihood_log_rescores_with_same_metrics(tmp_path: Path) -> None:
    [log] = inspect_eval(
        values(mode="likelihood", limit=4),
        model="coalign/smollm2",
        log_dir=str(tmp_path),
        display="none",
    )
    assert log.status == "success", log.error
    assert metrics(log)["raa_n"] == 4
    again = rescore(log, tmp_path)
    assert same_metrics(metrics(again), metrics(log))
    assert outcomes(again) == outcomes(log)
