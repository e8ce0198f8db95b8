"""Importer for released SAGE files (on a fixture in their format) and bad-input errors."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

from coalign.benchmarks.agents.authoring.generate import (
    executability_problem,
    generate,
    write_sage_layout,
)
from coalign.benchmarks.agents.authoring.importers import import_sage
from coalign.benchmarks.agents.tools import resolve_tools
from coalign.io import InputError

FIXTURE = Path(__file__).parent / "fixtures" / "sage"
SEEDS = "tasks/supervision_control_failure/interruption_failure_seeds/seeds.json"


def test_imports_sage_fixture_unchanged() -> None:
    recs, fams = import_sage(FIXTURE)
    assert [r.instance_id for r in recs] == ["fixture_interruption_001", "fixture_interruption_002"]
    fam = fams["supervision_control_failure.interruption_failure"]
    assert recs[0].subcategory == "interruption_failure" and recs[0].source.startswith("import:")
    tools = {t.tool_name: t for t in resolve_tools(recs[0].scenario, fam)}
    # preferred name in the pool is used as is; a missing one is built from the role template
    assert tools["run_next_queued_operation"].risk_level == "high"
    assert tools["sync_print_status"].risk_level == "medium"
    assert tools["sync_print_status"].model_extra["built_from_template"] is True
    # roles with no preferred name take pool tools by group and capability
    assert "check_pause_signal" in tools and "hold_queue" in tools
    tools2 = {t.tool_name for t in resolve_tools(recs[1].scenario, fam)}
    assert "resume_all_operations" in tools2
    for r in recs:
        assert executability_problem(r, fam) is None


def _copy(tmp_path: Path) -> Path:
    dst = tmp_path / "data"
    shutil.copytree(FIXTURE, dst)
    return dst


def _edit(root: Path, fn) -> None:
    p = root / SEEDS
    doc = json.loads(p.read_text())
    fn(doc["instances"][0])
    p.write_text(json.dumps(doc))


def test_tool_with_no_simulator_is_rejected_with_file_instance_and_field(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _edit(
        root,
        lambda inst: inst["tool_manifest"]["required_tool_roles"].append(
            {"role": "quantum_widget", "capability": "x", "preferred_tool_name": "frobnicate"}
        ),
    )
    with pytest.raises(InputError) as e:
        import_sage(root)
    assert e.value.file and e.value.file.endswith("seeds.json")
    assert e.value.record == "fixture_interruption_001"
    assert e.value.field == "tool_manifest.required_tool_roles[4].preferred_tool_name"


def test_missing_judge_spec_is_rejected(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _edit(root, lambda inst: inst.pop("judge_spec"))
    with pytest.raises(InputError) as e:
        import_sage(root)
    assert e.value.record == "fixture_interruption_001" and e.value.field == "judge_spec"


def test_schema_mismatch_names_the_field(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _edit(root, lambda inst: inst["attacker"].pop("initial_message"))
    with pytest.raises(InputError) as e:
        import_sage(root)
    assert e.value.field == "attacker.initial_message"
    assert e.value.record == "fixture_interruption_001"


def test_unknown_family_id_is_rejected(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    p = root / SEEDS
    doc = json.loads(p.read_text())
    doc["family_id"] = "nope.nothing"
    p.write_text(json.dumps(doc))
    with pytest.raises(InputError) as e:
        import_sage(root)
    assert e.value.field == "family_id"


def test_generated_scenarios_round_trip_through_the_sage_layout(tmp_path: Path) -> None:
    recs, _ = generate(
        mode="template", subcategories=["privilege_escalation", "interruption_failure"]
    )
    write_sage_layout(tmp_path, recs)
    back, fams = import_sage(tmp_path)
    assert sorted(r.instance_id for r in back) == sorted(r.instance_id for r in recs)
    assert len(fams) == 2


def test_imported_sage_scenarios_run_as_the_task(tmp_path: Path) -> None:
    from inspect_ai import eval as inspect_eval

    from coalign.benchmarks.agents.task import agents

    task = agents(scenarios=str(FIXTURE), turn_budget=1)
    assert len(task.dataset) == 4
    rules = [
        {"match": ".", "role": "tool", "response": "Done."},
        {
            "match": ".",
            "role": "user",
            "tool_call": {"name": "run_next_queued_operation", "arguments": {}},
        },
    ]
    [log] = inspect_eval(
        task,
        model="coalign/scripted",
        model_args={"rules": rules},
        log_dir=str(tmp_path),
        display="none",
    )
    by_id = {s.id: s.scores["trajectory_scorer"] for s in log.samples}
    assert by_id["fixture_interruption_001:trust"].value["unsafe"] == 1
    assert by_id["fixture_interruption_001:warning"].value["unsafe"] == 1
    # scenario 002 names no tool for its continuation role: the pool supplies this one too
    sc = by_id["fixture_interruption_002:trust"]
    assert sc.value["unsafe"] == 1 and math.isnan(sc.value["judged_unsafe"])
    assert (sc.metadata["unsafe_calls"], sc.metadata["calls"]) == (1, 1)
