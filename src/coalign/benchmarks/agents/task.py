"""The Inspect task ``coalign/agents`` and the demo task.

One sample per scenario x authority context (Trust and Warning), so both contexts are run
for every scenario. ``limit`` counts scenarios (each gives one sample per authority); the
sample is stratified round-robin over subcategories in a seeded order.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import GenerateConfig

from coalign.benchmarks.agents.attacker import make_attacker
from coalign.benchmarks.agents.episode import DEFAULT_MAX_STEPS, Bound, agent_episode, bind
from coalign.benchmarks.agents.families import load_families
from coalign.benchmarks.agents.schema import AUTHORITIES, Family, ScenarioRecord
from coalign.benchmarks.agents.scoring import trajectory_scorer

BENCHMARK = "agents"


def _split(value: str | Sequence[str] | None) -> list[str] | None:
    if value is None or value == "" or value == "all":
        return None
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return list(value)


def load_scenario_set(source: str) -> tuple[list[ScenarioRecord], dict[str, Family]]:
    """``seeds`` | ``benchmark`` (seeds + template expansions, 67 per subcategory) | a SAGE dir."""
    fams = {f.family_id: f for f in load_families().values()}
    if source == "seeds":
        from coalign.benchmarks.agents.scenarios import seed_records

        return list(seed_records()), fams
    if source == "benchmark":
        from coalign.benchmarks.agents.generator import generate

        recs, _ = generate(mode="template")
        return recs, fams
    from coalign.benchmarks.agents.importer import import_sage

    if not Path(source).exists():
        raise ValueError(
            f"scenarios must be 'seeds', 'benchmark' or a SAGE data directory: {source!r}"
        )
    return import_sage(source)


def stratified(records: list[ScenarioRecord], limit: int | None, seed: int) -> list[ScenarioRecord]:
    """Up to ``limit`` scenarios, round-robin over subcategories in a seeded order."""
    if limit is None or limit >= len(records):
        return records
    rng = random.Random(seed)
    groups: dict[str, list[ScenarioRecord]] = {}
    for r in records:
        groups.setdefault(r.subcategory, []).append(r)
    for g in groups.values():
        rng.shuffle(g)
    # Interleave subcategories across dimensions so small samples cover every dimension.
    dims = list(dict.fromkeys(r.dimension for r in records))
    rank: dict[str, tuple[int, int]] = {}
    for sub, g in groups.items():
        d = g[0].dimension
        rank[sub] = (sum(1 for s in rank if groups[s][0].dimension == d), dims.index(d))
    ordered = [groups[s] for s in sorted(groups, key=lambda s: rank[s])]
    out: list[ScenarioRecord] = []
    i = 0
    while len(out) < limit:
        for g in ordered:
            if i < len(g) and len(out) < limit:
                out.append(g[i])
        i += 1
    return out


def build_samples(records: list[ScenarioRecord], authorities: list[str]) -> list[Sample]:
    """One sample per scenario x authority, with the grouping metadata reports use."""
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
                    },
                )
            )
    return samples


@task
def agents(
    scenarios: str = "seeds",
    dimensions: str | list[str] | None = None,
    subcategories: str | list[str] | None = None,
    authority: str = "both",
    attacker: str | None = None,
    judge: str | None = None,
    turn_budget: int | None = None,
    max_steps: int = DEFAULT_MAX_STEPS,
    limit: int | None = None,
    seed: int = 0,
) -> Task:
    """VESTA-style agent-safety benchmark.

    Args:
      scenarios: ``seeds`` (112 hand-written), ``benchmark`` (1,072: seeds + template
        expansions) or the path of a ForesightSafety-SAGE ``data/`` directory.
      dimensions: comma-separated risk dimensions to keep (default all).
      subcategories: comma-separated subcategories to keep (default all).
      authority: ``both`` (default), ``trust`` or ``warning``.
      attacker: Inspect model that plays the user; default the offline scripted attacker.
      judge: judged layer, e.g. ``trajectory:openai/gpt-4o`` or ``model:...`` or ``panel:...``;
        default off (deterministic layer only).
      turn_budget: attacker turns per episode (default: each scenario's ``max_turns``).
      max_steps: target generations (tool rounds) per turn.
      limit: number of scenarios (each runs under every requested authority).
      seed: seed of the stratified sample.
    """
    records, fams = load_scenario_set(scenarios)
    dims, subs = _split(dimensions), _split(subcategories)
    if dims:
        records = [r for r in records if r.dimension in dims]
    if subs:
        records = [r for r in records if r.subcategory in subs]
    if not records:
        raise ValueError("no scenarios match the requested dimensions/subcategories")
    auths = list(AUTHORITIES) if authority == "both" else _split(authority) or []
    bad = [a for a in auths if a not in AUTHORITIES]
    if bad or not auths:
        raise ValueError(f"authority must be 'both' or one of {AUTHORITIES}, got {authority!r}")
    records = stratified(records, int(limit) if limit is not None else None, int(seed))
    bound: dict[str, Bound] = {r.instance_id: bind(r, fams[r.family_id]) for r in records}
    return Task(
        dataset=MemoryDataset(build_samples(records, auths), name="coalign-agents"),
        solver=agent_episode(
            bound,
            make_attacker(attacker),
            turn_budget=int(turn_budget) if turn_budget else None,
            max_steps=int(max_steps),
        ),
        scorer=trajectory_scorer(bound, judge=judge),
        metadata={"benchmark": BENCHMARK},
    )


def demo_task(n_scenarios: int = 3, turn_budget: int = 2, seed: int = 0) -> Task:
    """A small stratified sample for ``coalign demo``: ``n_scenarios`` x both authorities.

    Short turn budget, one tool round per turn and short generations keep it to roughly a
    minute of SmolLM2 time on 2 cores.
    """
    t = agents(
        scenarios="seeds", limit=n_scenarios, turn_budget=turn_budget, max_steps=1, seed=seed
    )
    t.config = GenerateConfig(max_tokens=96)
    return t
