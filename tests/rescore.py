"""Re-score an eval log the way ``inspect score LOG`` does, for the re-scoring tests."""

from __future__ import annotations

from typing import Any

from inspect_ai import score
from inspect_ai._eval.score import resolve_scorers
from inspect_ai.log import EvalLog


def rescore(log: EvalLog, **kwargs: Any) -> EvalLog:
    """Rebuild the log's scorers from their registry entries and score its samples again."""
    return score(log, resolve_scorers(log), action="overwrite", display="none", **kwargs)


def metric_values(log: EvalLog) -> dict[str, dict[str, float]]:
    """``{scorer: {metric: value}}`` of a log, for comparing a log with its re-scoring."""
    return {
        s.name: {k: m.value for k, m in s.metrics.items()}
        for s in (log.results.scores if log.results else [])
    }
