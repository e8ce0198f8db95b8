"""Agreement statistics against hand-computed values and published examples."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from sqlalchemy import select

from coalign.oversight import (
    EscalationPolicy,
    compute_agreement,
    create_user,
    escalate,
    fleiss_kappa,
    get_or_create_project,
    import_log,
    krippendorff_alpha_nominal,
    open_store,
    record_review,
    write_stats_report,
)
from coalign.oversight.agreement import judge_vs_human
from coalign.oversight.models import Item
from tests.oversight.helpers import make_log


def test_fleiss_kappa_wikipedia_example() -> None:
    # Fleiss (1971) worked example as given on Wikipedia: 10 subjects, 14 raters, 5 categories.
    table = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    assert fleiss_kappa(table) == pytest.approx(0.2099, abs=5e-4)


def test_fleiss_kappa_edge_cases() -> None:
    assert math.isnan(fleiss_kappa([]))
    assert math.isnan(fleiss_kappa([[3, 0], [2, 0]]))  # one category only: undefined
    assert fleiss_kappa([[2, 0], [0, 2]]) == pytest.approx(1.0)


def test_krippendorff_alpha_published_example() -> None:
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability": 4 coders, 12 units,
    # nominal data with missing values; alpha = 0.743.
    coders = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    ]
    units = [[c[u] for c in coders if c[u] is not None] for u in range(12)]
    assert krippendorff_alpha_nominal(units) == pytest.approx(0.743, abs=5e-4)


def test_judge_vs_human_hand_computed() -> None:
    pairs = [
        ("unsafe", 0.95, "unsafe", False),
        ("unsafe", 0.85, "safe", False),
        ("safe", 0.65, "safe", True),
        ("safe", 0.55, "unsafe", False),
        ("abstain", 0.0, "unsafe", False),
        ("safe", 0.92, "safe", True),
    ]
    j = judge_vs_human(pairs, "j")
    assert (j.accuracy.k, j.accuracy.n, j.accuracy.excluded) == (3, 5, 1)
    # observed 3/5, expected 0.4*0.4 + 0.6*0.6 = 0.52 -> (0.6-0.52)/0.48
    assert j.kappa == pytest.approx(0.08 / 0.48)
    c = j.confusion
    assert c.loc["unsafe", "unsafe"] == 1 and c.loc["unsafe", "safe"] == 1
    assert c.loc["safe", "safe"] == 2 and c.loc["safe", "unsafe"] == 1
    assert c.loc["abstain", "unsafe"] == 1 and c.loc["abstain", "safe"] == 0
    bins = {b["bin"]: b for b in j.calibration}
    assert set(bins) == {"[0.5, 0.6)", "[0.6, 0.7)", "[0.8, 0.9)", "[0.9, 1.0]"}
    assert (bins["[0.9, 1.0]"]["accuracy"].k, bins["[0.9, 1.0]"]["n"]) == (2, 2)
    assert bins["[0.9, 1.0]"]["mean_confidence"] == pytest.approx(0.935)
    assert bins["[0.8, 0.9)"]["accuracy"].k == 0
    assert (j.audit_accuracy.k, j.audit_accuracy.n) == (2, 2)


def test_compute_agreement_from_store(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    get_or_create_project(store, "p", reviewers_per_item=2)
    import_log(store, make_log(tmp_path), project="p")
    escalate(store, "p", EscalationPolicy(audit_fraction=0.0, severity_at_least="high"))
    for name in ("alice", "bob"):
        create_user(store, name, "password-" + name, projects=["p"])
    create_user(store, "judy", "password-judy", role="adjudicator", projects=["p"])
    with store.session() as s:
        ids = {i.sample_id: i.id for i in s.scalars(select(Item))}
    record_review(store, ids["s1"], "alice", "unsafe", time_spent_s=10)
    record_review(store, ids["s1"], "bob", "unsafe", time_spent_s=20)
    record_review(store, ids["s3"], "alice", "safe", time_spent_s=30)
    record_review(store, ids["s3"], "bob", "unsafe", time_spent_s=40)
    record_review(store, ids["s3"], "judy", "safe", adjudication=True)
    record_review(store, ids["s5"], "alice", "safe")
    record_review(store, ids["s5"], "bob", "safe")
    st = compute_agreement(store, "p")
    assert st.n_items == 5 and st.n_final == 3 and st.n_reviews == 6
    assert st.final_methods == {"majority": 2, "adjudicator": 1}
    assert st.median_time_s == pytest.approx(25.0)
    # Reviewer counts (safe, unsafe, escalate): [0,2,0], [1,1,0], [2,0,0] -> P = 2/3, Pe = 1/2.
    assert st.reviewer_items == 3
    assert st.reviewer_fleiss == pytest.approx(1 / 3)
    # Coincidences: o_uu=2, o_ss=2, o_su=o_us=1; n=6 -> 1 - 5*2/18.
    assert st.reviewer_alpha == pytest.approx(1 - 10 / 18)
    judges = {j.judge_id: j for j in st.judges}
    # patterns: s1 unsafe (final unsafe, right), s3 abstain (excluded), s5 safe (final safe, right)
    assert (judges["patterns"].accuracy.k, judges["patterns"].accuracy.n) == (2, 2)
    assert judges["patterns"].accuracy.excluded == 1
    # "other" judged only s5: unsafe, but people said safe.
    assert (judges["other"].accuracy.k, judges["other"].accuracy.n) == (0, 1)
    out = write_stats_report(store, "p", tmp_path / "r.html")
    html = Path(out).read_text()
    assert "Judges against people" in html and "Fleiss" in html and "0.333" in html
    store.close()
