import json
from collections import Counter

import pytest

from coalign.benchmarks.scirisk.authoring.build import build, load_components
from coalign.benchmarks.scirisk.authoring.generate import looks_like_answer
from coalign.benchmarks.scirisk.dataset import apply_jailbreaks, sample_items, select_items
from coalign.benchmarks.scirisk.schema import ITEMS_PATH, read_items
from coalign.io import InputError
from coalign.taxonomy.scirisk import load_taxonomy


@pytest.fixture(scope="module")
def items():
    return read_items()


def test_shipped_dataset_size_and_coverage(items):
    tax = load_taxonomy()
    assert len(items) >= 600
    haz = {(i.subdiscipline, i.risk_dimension) for i in items if i.hazardous}
    ben = {(i.subdiscipline, i.risk_dimension) for i in items if not i.hazardous}
    for _, sub, dim in tax.cells():
        assert (sub, dim) in haz and (sub, dim) in ben, (sub, dim)
    assert set(Counter(i.form for i in items)) == {
        "direct",
        "protocol_task",
        "literature_task",
        "lab_planning_task",
        "role_play",
        "authority_claim",
    }
    assert set(i.expected_behavior for i in items) == {
        "refuse",
        "help_with_precautions",
        "flag_outdated",
        "answer",
    }


def test_every_hazardous_item_has_a_benign_lookalike(items):
    pairs = {}
    for i in items:
        pairs.setdefault(i.pair_id, []).append(i)
    for pid, members in pairs.items():
        assert sorted(m.hazardous for m in members) == [False, True], pid
        h, b = sorted(members, key=lambda m: not m.hazardous)
        assert h.form == b.form and h.subdiscipline == b.subdiscipline
        assert b.expected_behavior == "answer" and h.expected_behavior != "answer"


def test_items_are_requests_not_answers(items):
    assert all(looks_like_answer(i.metadata["clause"]) is None for i in items)


def test_builder_is_deterministic_and_matches_shipped_file(tmp_path):
    out = tmp_path / "items.jsonl"
    res = build(out)
    assert out.read_bytes() == ITEMS_PATH.read_bytes()
    assert res.near_duplicates is not None and res.near_duplicates.duplicates == []
    assert res.dropped == []


def test_components_cover_every_cell():
    comps = load_components()
    tax = load_taxonomy()
    for disc, sub, dim in tax.cells():
        assert comps[disc].subdisciplines[sub][dim]


def _rewrite(tmp_path, items, mutate, line):
    rows = [json.loads(i.model_dump_json()) for i in items[:5]]
    mutate(rows[line - 1])
    p = tmp_path / "bad.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return p


@pytest.mark.parametrize(
    "mutate, field, message",
    [
        (lambda r: r.update(discipline="alchemy"), "discipline", "unknown discipline"),
        (
            lambda r: r.update(risk_dimension="bad_vibes"),
            "risk_dimension",
            "unknown risk dimension",
        ),
        (lambda r: r.pop("severity"), "severity", "required"),
        (lambda r: r.update(severity=7), "severity", "less than or equal"),
        (lambda r: r.update(form="haiku"), "form", "unknown form"),
        (lambda r: r.update(expected_behavior="answer"), "expected_behavior", "hazardous item"),
    ],
)
def test_bad_items_name_file_line_and_field(tmp_path, items, mutate, field, message):
    p = _rewrite(tmp_path, items, mutate, 3)
    with pytest.raises(InputError, match=message) as e:
        read_items(p)
    assert e.value.file == str(p) and e.value.line == 3 and e.value.field == field


def test_duplicate_id_refuses_whole_file(tmp_path, items):
    p = _rewrite(tmp_path, items, lambda r: r.update(id=items[0].id), 4)
    with pytest.raises(InputError, match="duplicate id") as e:
        read_items(p)
    assert e.value.line == 4 and e.value.field == "id"


def test_dimension_not_applicable_to_subdiscipline(tmp_path, items):
    p = _rewrite(
        tmp_path,
        items,
        lambda r: r.update(subdiscipline="rocketry_propulsion", risk_dimension="privacy_leakage"),
        2,
    )
    with pytest.raises(InputError, match="does not apply"):
        read_items(p)


def test_select_and_filters(items):
    sel = select_items(
        items, disciplines="physics,chemistry", severity="3-4", hazardous="hazardous"
    )
    assert sel and all(
        i.discipline in ("physics", "chemistry") and i.severity >= 3 and i.hazardous for i in sel
    )
    with pytest.raises(ValueError, match="unknown discipline: alchemy; known: astronomy"):
        select_items(items, disciplines="alchemy")
    assert all(i.form == "role_play" for i in select_items(items, forms=["role_play"]))
    # one meaning of "all" (and of an empty value) for every list parameter: no filter
    for everything in ("all", "ALL", "", None, ["all"]):
        assert select_items(items, disciplines=everything, forms=everything) == items


def test_stratified_sample_keeps_pairs_and_spreads(items):
    s1 = sample_items(items, 40, seed=1)
    s2 = sample_items(items, 40, seed=1)
    s3 = sample_items(items, 40, seed=2)
    assert [i.id for i in s1] == [i.id for i in s2] and [i.id for i in s1] != [i.id for i in s3]
    assert len(s1) == 40
    assert all(c == 2 for c in Counter(i.pair_id for i in s1).values())
    assert len({i.discipline for i in s1}) == 7
    assert len({(i.discipline, i.risk_dimension) for i in s1}) == 20


def test_jailbreak_wrappers_apply_to_hazardous_only(items):
    sel = sample_items(items, 6, seed=0)
    wrapped = apply_jailbreaks(sel, "hypothetical,prefix_injection")
    for item, prompt, name in wrapped:
        if item.hazardous:
            assert (
                name in ("hypothetical", "prefix_injection")
                and item.prompt in prompt
                and prompt != item.prompt
            )
        else:
            assert name == "none" and prompt == item.prompt
    with pytest.raises(ValueError, match="jailbreak"):
        apply_jailbreaks(sel, "nonexistent")
