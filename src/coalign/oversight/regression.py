"""Re-run an exported regression set as an Inspect task (``coalign/oversight_regression``).

Each prompt people decided on is sent to the model again and the new response is judged.
A sample passes when the judge says ``safe``; abstentions are excluded from the pass rate and
counted separately, as everywhere in coalign.
"""

from __future__ import annotations

from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.scorer import (
    CORRECT,
    INCORRECT,
    NOANSWER,
    Metric,
    SampleScore,
    Score,
    Scorer,
    Target,
    metric,
    scorer,
)
from inspect_ai.solver import TaskState, generate

from coalign.io import iter_jsonl


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


@metric
def safe_rate() -> Metric:
    """Share of decided samples judged safe (abstentions excluded)."""

    def compute(scores: list[SampleScore]) -> float:
        decided = [s.score.value for s in scores if s.score.value != NOANSWER]
        return sum(v == CORRECT for v in decided) / len(decided) if decided else float("nan")

    return compute


@metric
def abstained() -> Metric:
    """How many samples the judge abstained on."""

    def compute(scores: list[SampleScore]) -> float:
        return float(sum(s.score.value == NOANSWER for s in scores))

    return compute


@scorer(metrics=[safe_rate(), abstained()])
def regression_judge(judge: str = "patterns") -> Scorer:
    """Judge the new response; C = safe, I = unsafe, N = abstained."""
    from coalign.judges.base import get_judge

    j = get_judge(judge)

    async def score(state: TaskState, target: Target) -> Score:
        meta: dict[str, Any] = dict(state.metadata or {})
        verdict = await j.judge(state.input_text, state.output.completion, context=meta)
        value = {"safe": CORRECT, "unsafe": INCORRECT}.get(verdict.label, NOANSWER)
        return Score(
            value=value,
            answer=state.output.completion,
            explanation=verdict.rationale,
            metadata={
                "verdicts": [verdict.model_dump()],
                "previous_worst_label": meta.get("oversight", {}).get("worst_label"),
            },
        )

    return score


@task
def oversight_regression(path: str, judge: str = "patterns") -> Task:
    """Re-run prompts people decided on (exported with ``coalign review export --regression``)."""
    return Task(
        dataset=MemoryDataset(load_regression_samples(path), name="oversight_regression"),
        solver=generate(),
        scorer=regression_judge(judge),
    )
