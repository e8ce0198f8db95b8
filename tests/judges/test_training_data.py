"""The classifier's training sources and features: mapping, shipped files, anchored cues."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from coalign.io import InputError
from coalign.judges import embedding
from coalign.judges.features import LEX_NAMES, _lex, split_response
from coalign.judges.training import rbr_gold, smol_answers
from coalign.judges.training.generate import from_model_answers


def test_rbr_propositions_map_to_refusal_classes() -> None:
    assert rbr_gold.refusal_class({"fully_complies": True, "partially_complies": True}) == (
        "full_compliance"
    )
    assert rbr_gold.refusal_class({"partially_complies": True}) == "partial_refusal"
    assert rbr_gold.refusal_class({"inability_to_comply": True}) == "full_refusal"
    assert rbr_gold.refusal_class({}) == "full_refusal"


def test_rbr_convert_names_file_and_line_of_a_bad_record(tmp_path: Path) -> None:
    good = {
        "prompt": [{"role": "user", "content": "hi"}],
        "completion": [{"role": "assistant", "content": "hello"}],
        "propositions": {"fully_complies": True, "disallowed_content": False},
    }
    (tmp_path / "train.jsonl").write_text(json.dumps(good) + "\n")
    (tmp_path / "test.jsonl").write_text(json.dumps(good) + "\n" + '{"prompt": []}\n')
    with pytest.raises(InputError, match=r"test\.jsonl: line 2"):
        rbr_gold.convert(tmp_path)
    (tmp_path / "test.jsonl").write_text(json.dumps(good) + "\n")
    rows = rbr_gold.convert(tmp_path)
    assert [r["split"] for r in rows] == ["train", "test"]
    assert rows[0]["refusal"] == "full_compliance" and rows[0]["harmful"] is False


def test_shipped_sources_have_the_documented_counts() -> None:
    train, test = rbr_gold.load("train"), rbr_gold.load("test")
    assert (len(train), len(test)) == (351, 167)
    assert sum(r["harmful"] for r in test) == 24
    answers = smol_answers.load()
    assert len(answers) == 260 and len({r["group"] for r in answers}) == 130
    assert [b[1] for b in smol_answers.banks()][answers[-1]["group"]] == answers[-1]["prompt"]


def test_model_answers_become_compliance_and_partials_never_harmful() -> None:
    rows = [
        {"group": 0, "prompt_type": "hazardous", "prompt": "p", "topic": "t", "domain": "d",
         "response": "Here is a long rambling answer. It goes on. And on."},
        {"group": 1, "prompt_type": "benign", "prompt": "q", "topic": "t", "domain": "d",
         "response": "I'm sorry, but I can't help with that."},
    ]  # fmt: skip
    ex = from_model_answers(rows * 20, seed=1)
    assert {e.prompt for e in ex} == {"p"}  # the refusal is left out, not labelled compliance
    assert not any(e.harmful for e in ex)
    assert {e.refusal for e in ex} == {"full_compliance", "partial_refusal"}


def test_refusal_cues_are_anchored_on_position() -> None:
    def cues(text: str) -> dict[str, float]:
        o, b, _ = split_response(text)
        return dict(zip(LEX_NAMES, _lex(text, o, b), strict=True))

    refusal = cues("I can't help with that. It is dangerous.")
    assert refusal["starts_refusal"] == 1.0 and refusal["refusal_in_open"] == 1.0
    answer = cues("Sure! Step 1: open the file. Step 2: note that you can't skip this.")
    assert answer["starts_refusal"] == 0.0 and answer["starts_comply"] == 1.0
    partial = cues("I cannot provide that. However, here is some general information: x.")
    assert partial["turn_after_refusal"] == 1.0
    withhold = cues("Here is an overview. I can't provide the exact quantities, though.")
    assert withhold["withhold"] == 1.0 and withhold["starts_refusal"] == 0.0


def test_split_response_keeps_first_rest_and_last_sentence() -> None:
    assert split_response("One. Two. Three.") == ("One.", "Two. Three.", "Three.")
    assert split_response("Only one sentence") == ("Only one sentence", "", "")
    assert split_response("   ") == ("", "", "")


def test_encode_embeds_each_new_text_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []

    class Fake:
        def encode(self, texts: list[str], **_: object) -> np.ndarray:
            calls.append(list(texts))
            return np.stack([np.full(embedding.EMBED_DIM, len(t), np.float32) for t in texts])

    monkeypatch.setattr(embedding, "get_encoder", lambda: Fake())
    monkeypatch.setattr(embedding, "_cache", type(embedding._cache)())
    a = embedding.encode(["alpha", "beta", "alpha", ""])
    b = embedding.encode(["beta", "gamma"])
    assert calls == [["alpha", "beta"], ["gamma"]]
    assert a[0][0] == 5 and a[2][0] == 5 and not a[3].any()
    assert b[0][0] == 4 and b[1][0] == 5


def test_shipped_jsonl_gz_is_byte_for_byte_reproducible(tmp_path: Path) -> None:
    from coalign.io import read_jsonl_gz, write_jsonl_gz

    rows = [{"b": 1, "a": "x"}, {"a": "é"}]
    assert write_jsonl_gz(tmp_path / "one.jsonl.gz", rows) == 2
    write_jsonl_gz(tmp_path / "two.jsonl.gz", rows)
    assert (tmp_path / "one.jsonl.gz").read_bytes() == (tmp_path / "two.jsonl.gz").read_bytes()
    assert read_jsonl_gz(tmp_path / "two.jsonl.gz") == rows
