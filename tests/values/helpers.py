"""Helpers of the values tests: scripted runs, outcomes and re-scoring."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog
from inspect_ai.model import get_model

from coalign.scoring import EXCLUDED
from tests.rescore import rescore_cli

ANY_A = [{"match": ".", "response": "A"}]
ANSWER = [{"match": ".", "response": "Here is my answer."}]


def run_scripted(
    task: Any,
    rules: list[dict[str, Any]],
    tmp_path: Path,
    *,
    grader: list[dict[str, Any]] | None = None,
) -> EvalLog:
    """Evaluate ``task`` on ``coalign/scripted`` with ``rules``; ``grader`` rules bind the model
    role ``grader`` to another scripted model."""
    roles = {"grader": get_model("coalign/scripted", rules=grader)} if grader else None
    [log] = inspect_eval(
        task,
        model="coalign/scripted",
        model_args={"rules": rules},
        model_roles=roles,
        log_dir=str(tmp_path),
        display="none",
    )
    return log


def outcomes(log: EvalLog) -> dict[str, bool | None]:
    """``aligned`` per sample id: True, False, or None when undecided."""
    out: dict[str, bool | None] = {}
    for s in log.samples or []:
        value = float(next(iter((s.scores or {}).values())).value["aligned"])  # type: ignore[call-overload,index,arg-type]
        out[str(s.id)] = None if math.isnan(value) else value == 1.0
    return out


def reasons(log: EvalLog) -> set[str]:
    """The exclusion reasons of the undecided samples."""
    found = set()
    for s in log.samples or []:
        score = next(iter(s.scores.values()))  # type: ignore[union-attr]
        found.update((score.metadata or {}).get(EXCLUDED, {}).values())
    return found


def metrics(log: EvalLog) -> dict[str, float]:
    """Every metric of the log's first scorer, by name."""
    return {k: m.value for k, m in log.results.scores[0].metrics.items()}  # type: ignore[union-attr]


def rescore(log: EvalLog, tmp_path: Path) -> EvalLog:
    """``inspect score LOG`` (overwriting the scores), as a user runs it, and the new log."""
    return rescore_cli(log, tmp_path / "rescored.eval")


def same_metrics(a: dict[str, float], b: dict[str, float]) -> bool:
    """Equal metric dicts, NaN equal to NaN."""
    return a.keys() == b.keys() and all(
        (math.isnan(a[k]) and math.isnan(b[k])) or a[k] == b[k] for k in a
    )
