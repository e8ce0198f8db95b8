"""Judging any Inspect task's answers: :func:`judge_scorer`.

It runs one or more judges (specs from the registry, the first is primary) on each sample's
final answer and builds the score with :mod:`coalign.scoring`: value ``{"unsafe": 1|0|NaN}``
(NaN when the primary judge abstained), every verdict under ``metadata["verdicts"]``.

>>> from coalign.judges.scorer import judge_scorer
>>> Task(dataset=..., solver=generate(), scorer=judge_scorer("classifier"))  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from inspect_ai.scorer import Score, Scorer, Target, scorer
from inspect_ai.solver import TaskState

from coalign.judges.base import Judge, get_judge
from coalign.judges.verdict import Verdict
from coalign.scoring import rate, rescorable, verdict_score

CONTEXT_FIELDS = ("hazardous", "rubric")


def default_context(metadata: dict[str, Any] | None) -> dict[str, Any]:
    """Judge context from sample metadata: ``hazardous`` (and ``rubric``) when present."""
    md = metadata or {}
    return {k: md[k] for k in CONTEXT_FIELDS if k in md}


def resolve(judges: str | Judge | Sequence[str | Judge]) -> list[Judge]:
    """Judge objects from specs (``"classifier"``, ``"panel:a,b,c"``) or instances."""
    items = [judges] if isinstance(judges, str) or not isinstance(judges, Sequence) else judges
    return [get_judge(j) if isinstance(j, str) else j for j in items]


async def run_judges(
    judges: Sequence[Judge], prompt: str, response: str, context: dict[str, Any] | None = None
) -> list[Verdict]:
    """Every judge's verdict on one pair, concurrently."""
    return list(await asyncio.gather(*(j.judge(prompt, response, context=context) for j in judges)))


@rescorable
@scorer(metrics=[rate("unsafe", name="unsafe_rate")])
def judge_scorer(judges: str | list[str] = "classifier") -> Scorer:
    """Judge the model's final answer with one or more judge specs (the first is primary).

    The judge context is the sample's ``hazardous`` and ``rubric`` metadata when present.
    """
    resolved = resolve(judges)

    async def score(state: TaskState, target: Target) -> Score:
        answer = state.output.completion if state.output else ""
        verdicts = await run_judges(
            resolved, state.input_text, answer, default_context(state.metadata)
        )
        return verdict_score({"unsafe": verdicts[0].is_unsafe}, verdicts=verdicts, answer=answer)

    return score
