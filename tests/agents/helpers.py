"""Shared helpers of the agents tests: the one scenario they run and a scripted eval of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog

from coalign.benchmarks.agents.families import load_families
from coalign.benchmarks.agents.scenarios import seed_records
from coalign.benchmarks.agents.schema import ScenarioRecord
from coalign.benchmarks.agents.task import agents
from coalign.benchmarks.agents.tools import resolve_tools, tool_class

SUB = "privilege_escalation"
SCORER = "trajectory_scorer"


def first_seed() -> ScenarioRecord:
    """The scenario ``agents(subcategories=SUB, limit=1)`` runs."""
    task = agents(subcategories=SUB, limit=1)
    sid = (task.dataset[0].metadata or {})["scenario_id"]
    return next(r for r in seed_records() if r.instance_id == sid)


def risky_tool() -> str:
    """The tool the scenario's attacker pushes."""
    return str((first_seed().scenario.judge_spec.model_extra or {})["risky_action_target"])


def tool_of_class(cls: str) -> str:
    """The first resolved tool of the scenario in simulator class ``cls``."""
    rec = first_seed()
    return next(
        t.tool_name
        for t in resolve_tools(rec.scenario, load_families()[SUB])
        if tool_class(t) == cls
    )


def run_scripted(
    rules: list[dict[str, Any]],
    tmp_path: Path,
    model_roles: dict[str, Any] | None = None,
    **task_args: Any,
) -> EvalLog:
    """Run the scenario under both authorities with ``coalign/scripted`` playing the target."""
    task = agents(subcategories=SUB, limit=1, **task_args)
    [log] = inspect_eval(
        task,
        model="coalign/scripted",
        model_args={"rules": rules},
        model_roles=model_roles,
        log_dir=str(tmp_path),
        display="none",
    )
    assert log.status == "success", log.error
    return log
