import json

import pytest
from pydantic import BaseModel

from coalign.io import InputError, atomic_writer, read_jsonl_models, write_jsonl
from coalign.pairs import PreferencePair, read_pairs


class Item(BaseModel):
    id: str
    score: int


def test_read_jsonl_models_names_file_line_and_field(tmp_path):
    p = tmp_path / "items.jsonl"
    p.write_text('{"id": "a", "score": 1}\n{"id": "b", "score": "high"}\n')
    with pytest.raises(InputError) as e:
        read_jsonl_models(p, Item)
    assert e.value.line == 2 and e.value.field == "score" and str(p) in str(e.value)


def test_read_jsonl_models_rejects_duplicates_and_bad_json(tmp_path):
    p = tmp_path / "dup.jsonl"
    p.write_text('{"id": "a", "score": 1}\n\n{"id": "a", "score": 2}\n')
    with pytest.raises(InputError, match="duplicate id") as e:
        read_jsonl_models(p, Item)
    assert e.value.line == 3
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "score": 1}\n{"id": \n')
    with pytest.raises(InputError, match="malformed JSON"):
        read_jsonl_models(bad, Item)


def test_atomic_writer_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.jsonl"
    target.write_text("old\n")
    with pytest.raises(RuntimeError), atomic_writer(target) as fh:
        fh.write("partial")
        raise RuntimeError("crash")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_preference_pairs_roundtrip_and_validation(tmp_path):
    pair = {
        "id": "p1",
        "prompt": [{"role": "user", "content": "q"}],
        "chosen": [{"role": "assistant", "content": "good"}],
        "rejected": [{"role": "assistant", "content": "bad"}],
        "source": {"kind": "oversight", "ids": ["r1", "r2"]},
    }
    p = tmp_path / "pairs.jsonl"
    write_jsonl(p, [pair])
    pairs = read_pairs(p)
    assert pairs[0].to_trl()["chosen"] == [{"role": "assistant", "content": "good"}]
    bad = dict(pair, chosen=[{"role": "user", "content": "x"}])
    p.write_text(json.dumps(bad) + "\n")
    with pytest.raises(InputError) as e:
        read_pairs(p)
    assert e.value.field == "chosen"
    assert isinstance(pairs[0], PreferencePair)


def test_hub_rows_without_datasets_names_the_extra(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import sys

    from coalign._extras import MissingExtraError
    from coalign.io import hub_rows

    monkeypatch.setitem(sys.modules, "datasets", None)  # as if it were not installed
    with pytest.raises(MissingExtraError, match=r"coalign\[train\]"):
        hub_rows("walledai/XSTest", "test")
