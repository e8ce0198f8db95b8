"""Bad input is refused with file, line and field, before anything runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coalign.benchmarks.values.schema import load_dataset, load_personas
from coalign.benchmarks.values.task import values
from coalign.io import InputError

PERSONA = {"id": "p1", "country": "KE", "weights": {"safety": 80, "creativity": 20}}
ITEM = {"id": "i1", "persona_id": "p1", "question": "Q?", "responses": ["a", "b"], "preferred": 0}


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_unknown_country_code_names_file_line_field(tmp_path: Path) -> None:
    f = _write(tmp_path / "personas.jsonl", [PERSONA, {**PERSONA, "id": "p2", "country": "QQ"}])
    with pytest.raises(InputError) as e:
        load_personas(f)
    assert (e.value.file, e.value.line, e.value.field) == (str(f), 2, "country")
    assert "QQ" in str(e.value)


def test_preferred_out_of_range(tmp_path: Path) -> None:
    _write(tmp_path / "personas.jsonl", [PERSONA])
    f = _write(tmp_path / "items.jsonl", [ITEM, {**ITEM, "id": "i2", "preferred": 2}])
    with pytest.raises(InputError) as e:
        load_dataset(f)
    assert (e.value.line, e.value.field, e.value.record) == (2, "preferred", "i2")


def test_duplicate_item_id(tmp_path: Path) -> None:
    _write(tmp_path / "personas.jsonl", [PERSONA])
    f = _write(tmp_path / "items.jsonl", [ITEM, ITEM])
    with pytest.raises(InputError) as e:
        load_dataset(f)
    assert (e.value.line, e.value.field) == (2, "id")
    assert "duplicate" in str(e.value)


def test_duplicate_persona_id_and_unknown_persona(tmp_path: Path) -> None:
    f = _write(tmp_path / "personas.jsonl", [PERSONA, PERSONA])
    with pytest.raises(InputError) as e:
        load_personas(f)
    assert e.value.field == "id"
    _write(tmp_path / "personas.jsonl", [PERSONA])
    items = _write(tmp_path / "items.jsonl", [{**ITEM, "persona_id": "nobody"}])
    with pytest.raises(InputError) as e:
        load_dataset(items)
    assert (e.value.line, e.value.field) == (1, "persona_id")


def test_region_mismatch_and_bad_weight(tmp_path: Path) -> None:
    f = _write(tmp_path / "p.jsonl", [{**PERSONA, "region": "Europe"}])
    with pytest.raises(InputError) as e:
        load_personas(f)
    assert e.value.field == "region"
    f = _write(tmp_path / "p.jsonl", [{**PERSONA, "weights": {"safety": 120}}])
    with pytest.raises(InputError) as e:
        load_personas(f)
    assert e.value.field == "weights"


def test_task_refuses_bad_items_before_running(tmp_path: Path) -> None:
    _write(tmp_path / "personas.jsonl", [PERSONA])
    f = _write(tmp_path / "items.jsonl", [{**ITEM, "preferred": 5}])
    with pytest.raises(InputError):
        values(items=str(f))
    good = _write(tmp_path / "items.jsonl", [ITEM])
    with pytest.raises(ValueError, match="unknown mode"):
        values(items=str(good), mode="vibes")
    with pytest.raises(ValueError, match="unknown judge"):
        values(items=str(good), mode="generation", judge="oracle")
    with pytest.raises(ValueError, match="unknown country: QQ"):
        values(items=str(good), countries="KE,QQ")
