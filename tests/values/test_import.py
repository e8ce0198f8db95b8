"""Importers for the MVPBench/DiverValue-Bench instance format and PRISM, on own fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from coalign.benchmarks.values.authoring.importers import import_mvpbench, import_prism
from coalign.io import InputError

FIX = Path(__file__).parent / "fixtures"


def test_import_mvpbench_instances() -> None:
    ds, report = import_mvpbench(FIX / "mvpbench_instances.json")
    assert report.items == 3 and report.personas == 2
    item = next(i for i in ds.items if i.id == "mvp-p0")
    assert item.responses[item.preferred].startswith("Build a blanket fort")
    p = ds.personas["mvp-user10"]
    assert p.country == "MX" and p.region == "Latin America & Caribbean"
    assert p.age == "35-44" and p.gender == "female"
    assert p.weights["personalization"] == 65 and p.weights["creativity"] == 95
    assert "values" not in p.weights  # PRISM's extra slider has no dimension here
    assert ds.personas["mvp-user11"].country == "VN"
    # preferred positions are not all the same (no position cue)
    assert len({i.preferred for i in ds.items}) == 2 or len(ds.items) < 2


def test_import_prism_highest_vs_lowest() -> None:
    ds, report = import_prism(FIX / "prism_survey.jsonl", FIX / "prism_conversations.jsonl")
    ids = {i.id for i in ds.items}
    assert ids == {"prism-c0-t0", "prism-c2-t0"}
    assert report.skipped["highest and lowest rating tie"] == 1
    c0 = next(i for i in ds.items if i.id == "prism-c0-t0")
    assert c0.responses[c0.preferred] == "About 384,400 km on average."
    assert set(c0.responses) == {"About 384,400 km on average.", "Very far away!"}
    assert ds.personas["prism-user0"].country == "KE"
    assert ds.personas["prism-user0"].weights["factuality"] == 95
    # unknown birth country maps to 'Unspecified' by default for PRISM
    assert ds.personas["prism-user1"].country == "XX"
    all_turns, _ = import_prism(
        FIX / "prism_survey.jsonl", FIX / "prism_conversations.jsonl", first_turn_only=False
    )
    assert "prism-c0-t1" in {i.id for i in all_turns.items}


def test_import_unknown_country_policy(tmp_path: Path) -> None:
    with pytest.raises(InputError) as e:
        import_prism(
            FIX / "prism_survey.jsonl", FIX / "prism_conversations.jsonl", unknown_country="error"
        )
    assert e.value.line == 2 and e.value.field == "location.birth_country"
    ds, report = import_prism(
        FIX / "prism_survey.jsonl", FIX / "prism_conversations.jsonl", unknown_country="skip"
    )
    assert report.skipped["unknown country"] == 1
    assert all(i.persona_id != "prism-user1" for i in ds.items)


def test_import_mvpbench_bad_record(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "question": "q", "answer_w": "a", "answer_l": ""}\n')
    with pytest.raises(InputError) as e:
        import_mvpbench(bad)
    assert (e.value.line, e.value.field) == (1, "answer_l")
