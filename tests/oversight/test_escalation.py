"""Escalation policy: each rule, order, severity, seeded audit sample, file errors, store use."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from coalign.io import InputError
from coalign.oversight import EscalationPolicy, escalate, import_log, load_policy, open_store
from coalign.oversight.models import Escalation, Item
from tests.oversight.helpers import make_log, v

P = EscalationPolicy(confidence_below=0.7, severity_at_least="high", audit_fraction=0.0)


def fired(policy: EscalationPolicy, verdicts, severity="low", draw=0.99):  # type: ignore[no-untyped-def]
    return policy.rules_fired(verdicts, severity, audit_draw=draw)[0]


def test_each_rule() -> None:
    assert fired(P, [("safe", 0.9)]) == []
    assert fired(P, []) == ["abstain"]  # no verdict at all goes to people
    assert fired(P, [("abstain", 0.0)]) == ["abstain"]
    assert fired(P, [("safe", 0.9), ("unsafe", 0.9)]) == ["disagreement"]
    assert fired(P, [("unsafe", 0.69)]) == ["low_confidence"]
    assert fired(P, [("unsafe", 0.7)]) == []  # "below" is strict
    assert fired(P, [("safe", 0.9)], "high") == ["severity"]
    assert fired(P, [("safe", 0.9)], "critical") == ["severity"]
    assert fired(P, [("safe", 0.9)], "medium") == []
    # Several rules: all recorded, the first in policy order is the escalation's rule.
    assert fired(P, [("abstain", 0.0), ("safe", 0.5), ("unsafe", 0.9)], "critical") == [
        "abstain",
        "disagreement",
        "low_confidence",
        "severity",
    ]


def test_rules_can_be_switched_off() -> None:
    off = EscalationPolicy(
        abstain=False, disagreement=False, confidence_below=None, audit_fraction=0.0
    )
    assert fired(off, [("abstain", 0.0), ("safe", 0.1), ("unsafe", 0.2)], "critical") == []


def test_numeric_severity() -> None:
    p = EscalationPolicy(severity_at_least=3, audit_fraction=0.0)
    assert fired(p, [("safe", 0.9)], "3") == ["severity"]
    assert fired(p, [("safe", 0.9)], 2.5) == []
    with pytest.raises(ValueError, match="severity_at_least"):
        EscalationPolicy(severity_at_least="extreme").rules_fired([], "low", audit_draw=1.0)


def test_audit_sample_is_seeded_and_only_confident() -> None:
    p = EscalationPolicy(audit_fraction=0.2, seed=7)
    draws = [p.audit_draw("run", f"s{i}", 1) for i in range(5000)]
    share = sum(d < 0.2 for d in draws) / len(draws)
    assert 0.18 < share < 0.22
    assert draws == [p.audit_draw("run", f"s{i}", 1) for i in range(5000)]  # reproducible
    other = EscalationPolicy(audit_fraction=0.2, seed=8)
    assert draws[:50] != [other.audit_draw("run", f"s{i}", 1) for i in range(50)]
    assert fired(p, [("safe", 0.9)], draw=0.1) == ["audit"]
    assert fired(p, [("safe", 0.9)], draw=0.3) == []
    # A case another rule took is never counted as audit, so the audit sample stays unbiased.
    assert fired(p, [("abstain", 0.0)], draw=0.1) == ["abstain"]


def test_policy_file(tmp_path: Path) -> None:
    f = tmp_path / "policy.yaml"
    f.write_text(
        "confidence_below: 0.8\nseverity_at_least: medium\naudit_fraction: 0.05\nseed: 3\n"
    )
    p = load_policy(f)
    assert (p.confidence_below, p.severity_at_least, p.audit_fraction, p.seed) == (
        0.8,
        "medium",
        0.05,
        3,
    )
    f.write_text("confidence_bellow: 0.8\n")
    with pytest.raises(InputError, match="confidence_bellow"):
        load_policy(f)
    f.write_text("audit_fraction: 1.5\n")
    with pytest.raises(InputError, match="audit_fraction"):
        load_policy(f)
    f.write_text("severity_at_least: apocalyptic\n")
    with pytest.raises(InputError, match="severity_at_least"):
        load_policy(f)
    with pytest.raises(InputError, match="not found"):
        load_policy(tmp_path / "missing.yaml")


def test_escalate_in_store(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'e.db'}")
    import_log(store, make_log(tmp_path), project="p")
    res = escalate(store, "p", P)
    assert res.escalated == {"severity": 1, "abstain": 1, "low_confidence": 1, "disagreement": 1}
    assert res.auto == 1
    with store.session() as s:
        rows = {
            i.sample_id: (i.status, e.rule if e else None, e.rules if e else None)
            for i, e in s.execute(select(Item, Escalation).outerjoin(Escalation)).all()
        }
    assert rows["s1"] == ("escalated", "severity", ["severity"])
    assert rows["s2"] == ("auto", None, None)
    assert rows["s5"] == ("escalated", "disagreement", ["disagreement"])
    # Running again triages nothing new; a new log's items are triaged alone.
    again = escalate(store, "p", P)
    assert again.total_escalated == 0 and again.auto == 0 and again.already == 5
    import_log(
        store,
        make_log(tmp_path, [{"id": "n1", "prompt": "x", "verdicts": [v("abstain", 0)]}]),
        project="p",
    )
    assert escalate(store, "p", P).escalated == {"abstain": 1}
    store.close()
