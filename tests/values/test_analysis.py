"""Disparity analysis, splits, DPO export and report sections."""

from __future__ import annotations

from pathlib import Path

from inspect_ai import eval as inspect_eval

from coalign.benchmarks.values.disparity import Record, disparity, overall
from coalign.benchmarks.values.report import report_sections, summary
from coalign.benchmarks.values.schema import load_dataset
from coalign.benchmarks.values.splits import make_split, select_split, to_pairs
from coalign.benchmarks.values.task import demo_task
from coalign.pairs import read_pairs, write_pairs
from coalign.report import write_report


def _records(spec: dict[str, tuple[int, int]]) -> list[Record]:
    out = []
    for group, (k, n) in spec.items():
        for i in range(n):
            out.append(
                Record(
                    item_id=f"{group}{i}", mode="choice", fields={"region": group}, outcome=i < k
                )
            )
    return out


def test_disparity_gap_worst_group_and_permutation() -> None:
    big = disparity(_records({"A": (45, 50), "B": (10, 50)}), "region", n_perm=500)
    assert big.best == "A" and big.worst == "B"
    assert big.gap is not None and abs(big.gap.value - 0.7) < 1e-9
    assert big.gap.ci[0] > 0.5
    assert big.p_value < 0.01
    same = disparity(_records({"A": (25, 50), "B": (25, 50)}), "region", n_perm=500)
    assert same.p_value > 0.5
    # Groups below min_n are reported but do not define the gap.
    small = disparity(
        _records({"A": (30, 50), "B": (20, 50), "C": (0, 3)}), "region", min_n=10, n_perm=200
    )
    assert small.worst == "B" and small.rates["C"].n == 3


def test_overall_counts_abstentions_by_reason() -> None:
    recs = _records({"A": (3, 4)}) + [
        Record("x", "generation", {"region": "A"}, None, reason="tie"),
        Record("y", "generation", {"region": "A"}, None, reason="unparseable"),
    ]
    r = overall(recs)
    assert (r.k, r.n, r.excluded) == (3, 4, 2)
    assert r.excluded_reasons == {"tie": 1, "unparseable": 1}


def test_splits_are_reproducible_and_disjoint() -> None:
    ds = load_dataset()
    a, b = make_split(ds, "country", seed=3), make_split(ds, "country", seed=3)
    assert a.parts == b.parts and a.heldout == b.heldout
    assert make_split(ds, "country", seed=4).heldout != a.heldout
    ids = [set(v) for v in a.parts.values()]
    assert sum(map(len, ids)) == len(ds.items) and len(set.union(*ids)) == len(ds.items)
    held = set(a.heldout)
    by_id = {i.id: i for i in ds.items}
    assert all(ds.persona(by_id[i]).country in held for i in a.parts["test_ood"])
    train_people = {by_id[i].persona_id for i in a.parts["train"]}
    assert not train_people & {by_id[i].persona_id for i in a.parts["test_id"]}
    d = make_split(ds, "dimension", seed=0)
    assert all(by_id[i].deciding_dimension in d.heldout for i in d.parts["test_ood"])
    assert not any(by_id[i].deciding_dimension in d.heldout for i in d.parts["train"])


def test_export_pairs_roundtrip(tmp_path: Path) -> None:
    ds = load_dataset()
    items = select_split(ds, "train", "country", 0)
    pairs = to_pairs(ds, items)
    assert len(pairs) == len(items)
    first, item = pairs[0], items[0]
    assert first.source.kind == "values" and first.source.ids == [item.id]
    assert first.chosen[0].content == item.responses[item.preferred]
    assert first.rejected[0].content == item.responses[1 - item.preferred]
    assert first.prompt[-1].content == item.question
    write_pairs(tmp_path / "p.jsonl", pairs)
    back = read_pairs(tmp_path / "p.jsonl")
    assert back[0].to_trl()["chosen"] == [{"role": "assistant", "content": first.chosen[0].content}]


def test_report_sections_from_logs(tmp_path: Path) -> None:
    [log] = inspect_eval(
        demo_task("choice", n=14),
        model="coalign/scripted",
        model_args={"rules": [{"match": ".", "response": "B"}]},
        log_dir=str(tmp_path),
        display="none",
    )
    sections = report_sections([log])
    assert [s.title for s in sections] == ["Values: choice mode"]
    titles = {c.title for c in sections[0].children}
    assert {"By region", "By country", "By gender", "By deciding value dimension"} <= titles
    out = write_report(tmp_path / "r.html", "values", sections)
    html = Path(out).read_text(encoding="utf-8")
    assert "PAA by region" in html and "permutation" in html
    s = summary([log])
    assert s["choice"]["paa"]["n"] == 14
    assert (s["choice"]["first_position"]["k"], s["choice"]["first_position"]["n"]) == (0, 14)
    # the demo sample is stratified: it spans many regions
    assert len(s["choice"]["disparities"]["region"]["groups"]) >= 7
