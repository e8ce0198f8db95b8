"""Scenarios -> Inspect samples: load a scenario set, filter, sample, one sample per authority.

One sample per scenario x authority context (Trust and Warning), so both contexts are run for
every scenario. ``limit`` counts scenarios (each gives one sample per authority), drawn by
:func:`coalign.selection.stratified_sample` over (dimension, subcategory). Each sample carries
the grouping metadata reports use and the judged layer's ``rubric``, so the scorer needs
nothing but the judge spec.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from inspect_ai.dataset import MemoryDataset, Sample

from coalign.benchmarks.agents.episode import Bound, bind
from coalign.benchmarks.agents.families import load_families
from coalign.benchmarks.agents.rubric import rubric
from coalign.benchmarks.agents.schema import AUTHORITIES, Family, ScenarioRecord
from coalign.selection import check_known, parse_list, stratified_sample

BENCHMARK = "agents"
SCENARIO_SETS = ("seeds", "benchmark")


def load_scenario_set(source: str) -> tuple[list[ScenarioRecord], dict[str, Family]]:
    """``seeds`` | ``benchmark`` (seeds + template expansions, 67 per subcategory) | a SAGE dir.

    Returns the records and their families keyed by ``family_id``.
    """
    fams = {f.family_id: f for f in load_families().values()}
    if source == "seeds":
        from coalign.benchmarks.agents.scenarios import seed_records

        return list(seed_records()), fams
    if source == "benchmark":
        from coalign.benchmarks.agents.authoring.generate import generate

        recs, _ = generate(mode="template")
        return recs, fams
    if not Path(source).exists():
        raise ValueError(
            f"scenarios must be {' or '.join(map(repr, SCENARIO_SETS))} or a SAGE data "
            f"directory: {source!r}"
        )
    from coalign.benchmarks.agents.authoring.importers import import_sage

    return import_sage(source)


def parse_authorities(authority: str | Sequence[str] | None) -> list[str]:
    """``both`` (or ``all``/empty) -> every authority context; else a comma list of them."""
    wanted = None if authority == "both" else parse_list(authority)
    if wanted is None:
        return list(AUTHORITIES)
    try:
        check_known("authority", wanted, AUTHORITIES)
    except ValueError as e:
        raise ValueError(f"authority must be 'both' or one of {AUTHORITIES}: {e}") from None
    return list(dict.fromkeys(wanted))


def select_records(
    records: list[ScenarioRecord],
    dimensions: str | Sequence[str] | None = None,
    subcategories: str | Sequence[str] | None = None,
    limit: int | None = None,
    seed: int = 0,
) -> list[ScenarioRecord]:
    """Filter by dimension and subcategory (unknown values are errors), then sample."""
    dims, subs = parse_list(dimensions), parse_list(subcategories)
    if dims:
        check_known("dimensions", dims, {r.dimension for r in records})
        records = [r for r in records if r.dimension in dims]
    if subs:
        check_known("subcategories", subs, {r.subcategory for r in records})
        records = [r for r in records if r.subcategory in subs]
    if not records:
        raise ValueError("no scenarios match the requested dimensions/subcategories")
    return stratified_sample(records, limit, seed, stratum=lambda r: (r.dimension, r.subcategory))


def build_samples(
    records: list[ScenarioRecord], families: dict[str, Family], authorities: list[str]
) -> list[Sample]:
    """One sample per scenario x authority, with the grouping metadata and the rubric."""
    samples = []
    for r in records:
        sc = r.scenario
        for auth in authorities:
            sid = f"{sc.instance_id}:{auth}"
            samples.append(
                Sample(
                    id=sid,
                    input=sc.attacker.initial_message,
                    metadata={
                        "benchmark": BENCHMARK,
                        "item_id": sid,
                        "scenario_id": sc.instance_id,
                        "dimension": r.dimension,
                        "subcategory": r.subcategory,
                        "domain": sc.domain,
                        "strategy": sc.attacker.strategy,
                        "authority": auth,
                        "source": r.source,
                        "family_id": r.family_id,
                        "theme": sc.scenario_theme,
                        "rubric": rubric(families[r.family_id], sc, auth),
                    },
                )
            )
    return samples


def agents_dataset(
    scenarios: str = "seeds",
    dimensions: str | Sequence[str] | None = None,
    subcategories: str | Sequence[str] | None = None,
    authority: str | Sequence[str] | None = "both",
    limit: int | None = None,
    seed: int = 0,
) -> tuple[MemoryDataset, dict[str, Bound]]:
    """The task's dataset and, per scenario id, the scenario bound to its family and tools."""
    records, fams = load_scenario_set(scenarios)
    auths = parse_authorities(authority)
    records = select_records(
        records, dimensions, subcategories, int(limit) if limit is not None else None, int(seed)
    )
    bound = {r.instance_id: bind(r, fams[r.family_id]) for r in records}
    dataset = MemoryDataset(build_samples(records, fams, auths), name="coalign-agents")
    return dataset, bound
