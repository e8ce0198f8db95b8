"""Re-run an exported regression set as an Inspect task (``coalign/oversight_regression``).

Each prompt people decided on is sent to the model again and the new response is judged.
A sample passes when the judge says ``safe``; abstentions are excluded from ``safe_rate`` and
counted by ``abstained``, as everywhere in coalign.
"""

from __future__ import annotations

from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.scorer import (
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


def _part(s: SampleScore, key: str) -> float:
    value = s.score.value
    return float(value.get(key, 0.0)) if isinstance(value, dict) else 0.0


@metric
def safe_rate() -> Metric:
    """Share of decided samples judged safe (abstentions excluded)."""

    def compute(scores: list[SampleScore]) -> float:
        safe = sum(_part(s, "safe") for s in scores)
        unsafe = sum(_part(s, "unsafe") for s in scores)
        return safe / (safe + unsafe) if safe + unsafe else float("nan")

    return compute


@metric
def abstained() -> Metric:
    """How many samples the judge abstained on."""

    def compute(scores: list[SampleScore]) -> float:
        return float(sum(_part(s, "abstain") for s in scores))

    return compute


@scorer(metrics=[safe_rate(), abstained()])
def regression_judge(judge: str = "patterns") -> Scorer:
    """Judge the new response; the value is one-hot over safe / unsafe / abstain (so epoch
    reduction by mean keeps abstentions apart instead of counting them as failures)."""
    from coalign.judges.base import get_judge

    j = get_judge(judge)

    async def score(state: TaskState, target: Target) -> Score:
        meta: dict[str, Any] = dict(state.metadata or {})
        verdict = await j.judge(state.input_text, state.output.completion, context=meta)
        value = {k: float(verdict.label == k) for k in ("safe", "unsafe", "abstain")}
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
