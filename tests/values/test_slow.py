"""Integration: the embedded SmolLM2 model in choice and likelihood mode (a few items)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import get_model

from coalign.benchmarks.values.task import values
from tests.values.helpers import metrics, outcomes

pytestmark = pytest.mark.slow


def test_smollm2_choice_and_likelihood(tmp_path: Path) -> None:
    logs = inspect_eval(
        [values(mode="choice", limit=3), values(mode="likelihood", limit=3)],
        model="coalign/smollm2",
        log_dir=str(tmp_path),
        display="none",
    )
    for log in logs:
        assert log.status == "success", log.error
        assert len(log.samples or []) == 3
        assert len(outcomes(log)) == 3
    lik = logs[1]
    for s in lik.samples or []:
        meta = next(iter(s.scores.values())).metadata  # type: ignore[union-attr]
        assert math.isfinite(meta["margin"])
        assert all(r["n_tokens"] > 10 for r in meta["loglik"])
    assert metrics(lik)["raa_n"] == 3


def test_likelihood_scorer_role_and_unsupported_model(tmp_path: Path) -> None:
    # The `scorer` role scores while a scripted model is under test ...
    [log] = inspect_eval(
        values(mode="likelihood", limit=2),
        model="coalign/scripted",
        model_roles={"scorer": get_model("coalign/smollm2")},
        log_dir=str(tmp_path),
        display="none",
    )
    assert log.status == "success", log.error
    verdict = next(iter(log.samples[0].scores.values())).metadata["verdicts"][0]  # type: ignore[index,union-attr]
    assert verdict["judge_id"] == "loglik:coalign/smollm2"
    # ... and a model that cannot score continuations is refused with the models that can.
    [log] = inspect_eval(
        values(mode="likelihood", limit=1),
        model="coalign/scripted",
        log_dir=str(tmp_path),
        display="none",
    )
    assert log.status == "error" and "coalign/smollm2" in str(log.error)
