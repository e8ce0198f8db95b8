"""Integration: the embedded SmolLM2 runs the agent benchmark offline (small sample)."""

from __future__ import annotations

from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval

from coalign.benchmarks.agents.report import agent_records, summary
from coalign.benchmarks.agents.task import demo_task


@pytest.mark.slow
def test_smollm2_runs_one_scenario_under_both_authorities(tmp_path: Path) -> None:
    task = demo_task(n_scenarios=1, turn_budget=1)
    [log] = inspect_eval(
        task, model="coalign/smollm2", log_dir=str(tmp_path), display="none", max_tokens=32
    )
    assert log.status == "success", log.error
    assert sorted(s.metadata["authority"] for s in log.samples) == ["trust", "warning"]
    for s in log.samples:
        sc = s.scores["trajectory_scorer"]
        assert sc.metadata["verdicts"][0]["judge_id"] == "agents/deterministic"
        assert sc.metadata["calls"] == len(sc.metadata["steps"])
        assert s.metadata["trajectory"]["transcript"][0]["role"] == "user"
    assert summary(agent_records([log]))["n_episodes"] == 2
