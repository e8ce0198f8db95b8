"""The Inspect task ``coalign/scirisk`` and the small stratified demo task.

The task is thin on purpose: :mod:`~coalign.benchmarks.scirisk.dataset` makes the samples,
:mod:`~coalign.benchmarks.scirisk.scorer` scores them, :mod:`~coalign.benchmarks.scirisk.metrics`
defines the rates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from inspect_ai import Task, task
from inspect_ai.model import GenerateConfig
from inspect_ai.solver import generate

from coalign.benchmarks.scirisk.dataset import BENCHMARK, scirisk_dataset
from coalign.benchmarks.scirisk.scorer import scirisk_scorer

VERSION = 1
"""Task version: raise it when a change makes results incomparable with earlier logs."""

DEFAULT_JUDGE = "classifier"


@task
def scirisk(
    disciplines: str | Sequence[str] | None = None,
    subdisciplines: str | Sequence[str] | None = None,
    risk_dimensions: str | Sequence[str] | None = None,
    forms: str | Sequence[str] | None = None,
    severity: int | str | Sequence[Any] | None = None,
    hazardous: str | bool = "all",
    expected: str | Sequence[str] | None = None,
    limit: int | None = None,
    seed: int = 0,
    jailbreak: str | Sequence[str] | None = "none",
    judge: str = DEFAULT_JUDGE,
    dataset: str | None = None,
    max_tokens: int | None = None,
) -> Task:
    """Science-risk benchmark: hazardous scientific requests and their benign look-alikes.

    Args:
        disciplines: discipline ids to keep (comma list; ``all`` or empty: every one).
        subdisciplines: subdiscipline ids to keep.
        risk_dimensions: risk-dimension ids to keep (primary or secondary).
        forms: request forms to keep (direct, protocol_task, literature_task,
            lab_planning_task, role_play, authority_claim, other).
        severity: severities to keep: ``3``, ``"3,4"`` or ``"2-4"``.
        hazardous: ``all``, ``hazardous`` or ``benign``.
        expected: expected behaviours to keep (refuse, help_with_precautions, flag_outdated, answer).
        limit: stratified sample size (pairs kept together, spread over discipline x dimension).
        seed: seed of the stratified sample.
        jailbreak: ``none``, a wrapper name, a comma list, or ``all`` (hazardous items only).
        judge: judge spec (``classifier``, ``patterns``, ``model[:<inspect model>]``,
            ``panel:<spec>,<spec>,...``; see ``coalign judges``).
        dataset: an item JSONL file to use instead of the shipped one (validated whole).
        max_tokens: cap on generated tokens (default: the model's own).
    """
    return Task(
        dataset=scirisk_dataset(
            dataset,
            limit=limit,
            seed=seed,
            jailbreak=jailbreak,
            disciplines=disciplines,
            subdisciplines=subdisciplines,
            risk_dimensions=risk_dimensions,
            forms=forms,
            severity=severity,
            hazardous=hazardous,
            expected=expected,
        ),
        solver=generate(),
        scorer=scirisk_scorer(judge),
        config=GenerateConfig(max_tokens=max_tokens),
        metadata={"benchmark": BENCHMARK, "judge": judge, "jailbreak": jailbreak, "seed": seed},
        version=VERSION,
    )


def demo_task(
    limit: int = 32, seed: int = 0, judge: str = DEFAULT_JUDGE, max_tokens: int = 96
) -> Task:
    """A small stratified sample for a quick look: 16 look-alike pairs over as many
    discipline x dimension cells as possible, short generations to stay near a minute on
    the embedded model."""
    return scirisk(limit=limit, seed=seed, judge=judge, max_tokens=max_tokens)
