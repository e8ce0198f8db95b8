"""The Inspect task ``coalign/agents`` and the demo task."""

from __future__ import annotations

from inspect_ai import Task, task
from inspect_ai.model import GenerateConfig

from coalign.benchmarks.agents.dataset import BENCHMARK, agents_dataset
from coalign.benchmarks.agents.episode import DEFAULT_MAX_STEPS, agent_episode
from coalign.benchmarks.agents.scorer import trajectory_scorer

VERSION = 1


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
      attacker: Inspect model that plays the user, or ``scripted``; default: the model of
        the ``attacker`` role (``--model-role attacker=...``) if bound, else the offline
        scripted attacker.
      judge: judged layer, any judge spec (``trajectory``, ``trajectory:openai/gpt-4o``,
        ``panel:...``); default off (deterministic layer only).
      turn_budget: attacker turns per episode (default: each scenario's ``max_turns``).
      max_steps: target generations (tool rounds) per turn.
      limit: number of scenarios (each runs under every requested authority), stratified
        over dimension x subcategory.
      seed: seed of the stratified sample.
    """
    dataset, bound = agents_dataset(scenarios, dimensions, subcategories, authority, limit, seed)
    return Task(
        dataset=dataset,
        solver=agent_episode(
            bound,
            attacker=attacker or None,
            turn_budget=int(turn_budget) if turn_budget else None,
            max_steps=int(max_steps),
        ),
        scorer=trajectory_scorer(judge=judge or None),
        metadata={"benchmark": BENCHMARK},
        version=VERSION,
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
