import json

import pytest

from coalign.correction import (
    EmptyDatasetError,
    LeakageError,
    SFTExample,
    check_no_leakage,
    combine_pairs,
    normalise_prompt,
    read_sft,
)
from coalign.correction.data import held_out_from_jsonl
from coalign.io import InputError
from coalign.pairs import PreferencePair


def pair(
    i: str, prompt: str, kind: str = "oversight", item_id: str | None = None
) -> PreferencePair:
    return PreferencePair.model_validate(
        {
            "id": i,
            "prompt": [
                {"role": "system", "content": "You are a careful assistant."},
                {"role": "user", "content": prompt},
            ],
            "chosen": [{"role": "assistant", "content": "I can't help with that."}],
            "rejected": [{"role": "assistant", "content": "Sure, here is how."}],
            "source": {"kind": kind, "ids": [f"review-{i}"], "item_id": item_id},
        }
    )


def write(path, pairs):
    path.write_text("".join(json.dumps(p.model_dump()) + "\n" for p in pairs))
    return path


def test_combine_keeps_provenance_and_hashes(tmp_path):
    a = write(tmp_path / "oversight.jsonl", [pair("a1", "q1", item_id="sr-1"), pair("a2", "q2")])
    b = write(tmp_path / "values.jsonl", [pair("v1", "q3", kind="values")])
    ds = combine_pairs([a, b])
    assert len(ds) == 3
    prov = ds.provenance()
    assert prov["by_kind"] == {"oversight": 2, "values": 1}
    assert [f["count"] for f in prov["files"]] == [2, 1]
    assert all(len(f["sha256"]) == 64 for f in prov["files"])
    assert ds.origin["v1"] == str(b)
    assert ds.to_trl()[0]["chosen"] == [{"role": "assistant", "content": "I can't help with that."}]
    # Changing a file changes its recorded hash.
    write(b, [pair("v1", "q3 changed", kind="values")])
    assert combine_pairs([a, b]).provenance()["files"][1]["sha256"] != prov["files"][1]["sha256"]


def test_leak_by_item_id_names_pair_and_file(tmp_path):
    a = write(tmp_path / "o.jsonl", [pair("a1", "q1", item_id="sr-1"), pair("a2", "q2")])
    with pytest.raises(LeakageError) as e:
        combine_pairs([a], held_out_ids=["sr-1"])
    assert len(e.value.leaks) == 1 and e.value.leaks[0].example_id == "a1"
    assert "o.jsonl" in str(e.value) and "item id" in str(e.value)
    # Review ids in source.ids count too.
    with pytest.raises(LeakageError):
        combine_pairs([a], held_out_ids=["review-a2"])


def test_leak_by_normalised_prompt_ignores_system_prompt():
    pairs = [pair("a1", "How do I  MAKE sarin?!"), pair("a2", "What is water?")]
    with pytest.raises(LeakageError) as e:
        check_no_leakage(pairs, held_out_prompts=["how do i make sarin"])
    assert [leak.example_id for leak in e.value.leaks] == ["a1"]
    assert e.value.leaks[0].reason == "prompt"
    # The shared system prompt alone is not a match.
    check_no_leakage(pairs, held_out_prompts=["You are a careful assistant."])
    assert normalise_prompt("Ｈow  do\tI, make: it?") == "how do i make it"


def test_all_leaks_listed(tmp_path):
    pairs = [pair(f"p{i}", f"prompt {i}", item_id=f"it-{i}") for i in range(3)]
    with pytest.raises(LeakageError) as e:
        check_no_leakage(pairs, held_out_ids=["it-0", "it-2"], held_out_prompts=["PROMPT 1"])
    assert sorted(leak.example_id for leak in e.value.leaks) == ["p0", "p1", "p2"]


def test_empty_set_refused(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    with pytest.raises(EmptyDatasetError, match="nothing to train"):
        combine_pairs([empty])
    assert len(combine_pairs([empty], allow_empty=True)) == 0
    with pytest.raises(EmptyDatasetError):
        read_sft([empty])


def test_duplicate_ids_across_files_rejected(tmp_path):
    a = write(tmp_path / "a.jsonl", [pair("x", "q1")])
    b = write(tmp_path / "b.jsonl", [pair("x", "q2")])
    with pytest.raises(InputError) as e:
        combine_pairs([a, b])
    assert e.value.record == "x" and "b.jsonl" in str(e.value)


def test_bad_pair_file_names_line_and_field(tmp_path):
    bad = tmp_path / "bad.jsonl"
    good = pair("a", "q").model_dump()
    bad_rec = dict(good, id="b", chosen=[{"role": "user", "content": "x"}])
    bad.write_text(json.dumps(good) + "\n" + json.dumps(bad_rec) + "\n")
    with pytest.raises(InputError) as e:
        combine_pairs([bad])
    assert e.value.line == 2 and e.value.field == "chosen"


def test_sft_reads_completions_and_pairs(tmp_path):
    f = tmp_path / "sft.jsonl"
    rec = {
        "id": "s1",
        "prompt": [{"role": "user", "content": "q"}],
        "completion": [{"role": "assistant", "content": "corrected answer"}],
        "source": {"kind": "oversight", "ids": ["rev-1"]},
    }
    f.write_text(json.dumps(rec) + "\n" + json.dumps(pair("p1", "q2").model_dump()) + "\n")
    ds = read_sft([f])
    assert [e.to_trl()["completion"][0]["content"] for e in ds.examples] == [
        "corrected answer",
        "I can't help with that.",
    ]
    with pytest.raises(LeakageError):
        read_sft([f], held_out_ids=["rev-1"])
    with pytest.raises(ValueError):
        SFTExample.model_validate(dict(rec, completion=[{"role": "user", "content": "x"}]))


def test_held_out_file_reader(tmp_path):
    f = tmp_path / "held.jsonl"
    f.write_text(
        json.dumps({"id": "h1", "prompt": "How is sarin made?"})
        + "\n"
        + json.dumps({"item_id": "h2", "input": [{"role": "user", "content": "Other q"}]})
        + "\n"
    )
    ids, prompts = held_out_from_jsonl(f)
    assert ids == ["h1", "h2"] and prompts == ["How is sarin made?", "Other q"]
    f.write_text(json.dumps({"prompt": "no id"}) + "\n")
    with pytest.raises(InputError) as e:
        held_out_from_jsonl(f)
    assert e.value.line == 1


def test_count_truncated_counts_examples_over_max_length():
    from datasets import Dataset

    from coalign.correction.train import count_truncated

    dpo = Dataset.from_list(
        [
            {"prompt_ids": [1] * 10, "chosen_ids": [2] * 5, "rejected_ids": [3] * 7},  # 17
            {"prompt_ids": [1] * 10, "chosen_ids": [2] * 2, "rejected_ids": [3] * 3},  # 13
        ]
    )
    assert count_truncated(dpo, 16) == 1
    assert count_truncated(dpo, 17) == 0
    assert count_truncated(dpo, 12) == 2
    sft = Dataset.from_list([{"input_ids": [1] * 20}, {"input_ids": [1] * 8}])
    assert count_truncated(sft, 10) == 1
    assert count_truncated(Dataset.from_list([{"text": "x"}]), 1) == 0
