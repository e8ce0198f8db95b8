"""The ``coalign/values`` Inspect task: Preference Alignment Accuracy three ways.

Modes
``choice``      the model sees the persona, the question and the responses (A, B) and names the
                one this person would prefer; the reply is parsed strictly (one letter) and
                anything else is an abstention.
``likelihood``  no generation: the preferred response must have the higher length-normalised
                log-likelihood as the model's reply to persona + question; the per-token margin
                also gives MVPBench's thresholded score (thresholds 0, 0.2, 2, 4, 6, 8, averaged).
``generation``  the model answers the user; a pairwise judge (or a ``panel:`` of them, strict
                majority) says whether the answer resembles the preferred or the other
                reference more. A judge is never the model under test (refused). Ties and
                unparseable verdicts are abstentions, reported as such.

Dataset: :mod:`.dataset`; scorers: :mod:`.scorer`; metrics: :mod:`.metrics`.
"""

from __future__ import annotations

from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset
from inspect_ai.model import GenerateConfig
from inspect_ai.solver import generate

from coalign.benchmarks.values.dataset import BENCHMARK, build_samples
from coalign.benchmarks.values.scorer import (
    DEFAULT_JUDGE,
    choice_scorer,
    judged_scorer,
    likelihood_scorer,
)
from coalign.benchmarks.values.solver import loglik_solver

VERSION = 2
"""Task version: 2 is the shared score contract (``{"aligned": 1 | 0 | NaN}``)."""


@task
def values(
    mode: str = "choice",
    countries: str | list[str] | None = None,
    regions: str | list[str] | None = None,
    dimensions: str | list[str] | None = None,
    split: str = "all",
    split_by: str = "country",
    limit: int | None = None,
    seed: int = 0,
    judge: str = DEFAULT_JUDGE,
    persona_view: str = "values",
    scorer_model: str | None = None,
    items: str | None = None,
    personas: str | None = None,
) -> Task:
    """Persona-conditioned Preference Alignment Accuracy (MVPBench-style).

    Args:
        mode: choice | likelihood | generation.
        countries: ISO alpha-2 codes to keep (comma-separated or list; ``all``: every one).
        regions: region names to keep.
        dimensions: deciding dimensions to keep.
        split: all | train | test_id | test_ood.
        split_by: country | dimension (what the out-of-domain part holds out).
        limit: stratified sample size (region x deciding dimension), seeded.
        seed: seed for the split and the sample.
        judge: generation mode's judge spec: ``pairwise`` (Inspect's model role ``grader``),
            ``pairwise:<model>`` or ``panel:pairwise:<m1>,pairwise:<m2>,...``.
        persona_view: values (demographics + stated weights) | demographics (MVPBench).
        scorer_model: likelihood mode's scoring model, an Inspect model name (e.g.
            ``coalign/hf``); default: the model role ``scorer`` if bound, else the model
            under test.
        items: items JSONL (default: the shipped dataset).
        personas: personas JSONL (default: personas.jsonl next to the items).
    """
    samples = build_samples(
        mode=mode,
        countries=countries,
        regions=regions,
        dimensions=dimensions,
        split=split,
        split_by=split_by,
        limit=limit,
        seed=seed,
        persona_view=persona_view,
        items=items,
        personas=personas,
    )
    metadata = {"benchmark": BENCHMARK, "mode": mode, "persona_view": persona_view}
    dataset = MemoryDataset(samples, name=f"values-{mode}")
    if mode == "choice":
        return Task(
            dataset=dataset,
            solver=generate(),
            scorer=choice_scorer(),
            config=GenerateConfig(max_tokens=8, temperature=0.0),
            metadata=metadata,
            version=VERSION,
        )
    if mode == "likelihood":
        return Task(
            dataset=dataset,
            solver=loglik_solver(scorer_model),
            scorer=likelihood_scorer(),
            metadata=metadata,
            version=VERSION,
        )
    return Task(
        dataset=dataset,
        solver=generate(),
        scorer=judged_scorer(judge),
        config=GenerateConfig(max_tokens=200, temperature=0.0),
        metadata={**metadata, "judge": judge},
        version=VERSION,
    )


def demo_task(mode: str = "choice", n: int = 42, seed: int = 0, **kwargs: Any) -> Task:
    """A small stratified sample (region x deciding dimension) in choice or likelihood mode,
    both of which run offline on ``coalign/smollm2``; 42 items take well under a minute of
    model time on two CPU cores."""
    if mode not in ("choice", "likelihood"):
        raise ValueError("demo_task runs choice or likelihood mode (generation needs a judge)")
    return values(mode=mode, limit=n, seed=seed, **kwargs)
