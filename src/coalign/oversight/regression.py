"""Re-run an exported regression set as an Inspect task (``coalign/oversight_regression``).

Each prompt people decided on is sent to the model again and the new response is judged.
The score has one outcome, ``safe`` (1.0 when the judge says ``safe``, 0.0 when it says
``unsafe``, NaN when it abstains), built by :func:`coalign.scoring.verdict_score`; the
``safe_rate`` metric excludes abstentions and counts them in ``safe_rate_excluded``, as
everywhere in coalign.

``coalign._registry`` imports this module, so it imports only Inspect, :mod:`coalign.io` and
:mod:`coalign.scoring` at module level (the store and the judges load when used).
"""

from __future__ import annotations

from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.scorer import Score, Scorer, Target, scorer
from inspect_ai.solver import TaskState, generate

from coalign.io import iter_jsonl
from coalign.scoring import rate, rescorable, verdict_score


def load_regression_samples(path: str) -> list[Sample]:
    """Samples from a regression JSONL written by :func:`coalign.oversight.export_regression`."""
    samples = []
    for _, rec in iter_jsonl(path):
        samples.append(
            Sample(
                id=rec["id"],
                input=rec["input"],
                target=rec.get("target") or "",
                metadata=rec.get("metadata") or {},
            )
        )
    return samples


@rescorable
@scorer(metrics=[rate("safe", name="safe_rate")])
def regression_judge(judge: str = "patterns") -> Scorer:
    """Judge the new response with the judge spec ``judge``; outcome ``safe`` (NaN on an
    abstention, so epoch reducers and ``safe_rate`` skip it instead of counting a failure)."""
    from coalign.judges.base import get_judge

    j = get_judge(judge)

    async def score(state: TaskState, target: Target) -> Score:
        meta: dict[str, Any] = dict(state.metadata or {})
        verdict = await j.judge(state.input_text, state.output.completion, context=meta)
        return verdict_score(
            outcomes={"safe": None if verdict.label == "abstain" else verdict.label == "safe"},
            verdicts=[verdict],
            answer=state.output.completion,
            previous_worst_label=meta.get("oversight", {}).get("worst_label"),
        )

    return score


@task
def oversight_regression(path: str, judge: str = "patterns") -> Task:
    """Re-run prompts people decided on (exported with ``coalign review export --regression``).

    Args:
        path: the regression JSONL.
        judge: judge spec for the new responses (see :func:`coalign.judges.base.get_judge`).
    """
    return Task(
        dataset=MemoryDataset(load_regression_samples(path), name="oversight_regression"),
        solver=generate(),
        scorer=regression_judge(judge),
        version=1,
    )
