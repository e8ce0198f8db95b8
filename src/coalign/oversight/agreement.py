"""Agreement statistics: judges against final human decisions, and reviewers among themselves.

* Judge vs final human decision, per judge: accuracy (a :class:`coalign.stats.Rate`;
  abstentions excluded and counted), Cohen's kappa (:func:`coalign.stats.cohen_kappa`), the
  confusion matrix (abstentions as their own row) and calibration by confidence bin.
* Judge accuracy on the random audit sample only: the audit rule samples confident cases that
  no other rule escalated, so this is an unbiased estimate of how often the judge is right on
  the cases people would otherwise never see (the full escalated set is biased toward hard
  cases by construction).
* Between reviewers: Fleiss' kappa (items with at least two reviews; the form that allows a
  varying number of raters per item) and Krippendorff's alpha for nominal data.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import select

from coalign.oversight.accounts import get_project
from coalign.oversight.db import Store
from coalign.oversight.models import Escalation, FinalDecision, Item, JudgeVerdictRow, Review
from coalign.stats import Rate, cohen_kappa, rate

CONFIDENCE_BINS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
REVIEW_CATEGORIES = ("safe", "unsafe", "escalate")


def fleiss_kappa(counts: Sequence[Sequence[int]]) -> float:
    """Fleiss' kappa from an items x categories table of rating counts.

    Items may have different numbers of raters (each needs at least two); the per-item
    agreement is ``(sum_j n_ij^2 - n_i) / (n_i (n_i - 1))`` and category shares are pooled over
    all ratings. Returns nan when undefined (no items, or every rating in one category).
    """
    rows = [list(r) for r in counts if sum(r) >= 2]
    if not rows:
        return math.nan
    if any(x < 0 for r in rows for x in r):
        raise ValueError("rating counts must be non-negative")
    total = sum(sum(r) for r in rows)
    n_cat = len(rows[0])
    p_j = [sum(r[j] for r in rows) / total for j in range(n_cat)]
    p_i = [(sum(x * x for x in r) - sum(r)) / (sum(r) * (sum(r) - 1)) for r in rows]
    p_bar = sum(p_i) / len(p_i)
    p_e = sum(p * p for p in p_j)
    if p_e == 1.0:
        return math.nan
    return (p_bar - p_e) / (1 - p_e)


def krippendorff_alpha_nominal(units: Sequence[Sequence[Hashable]]) -> float:
    """Krippendorff's alpha for nominal values; each unit lists the values its coders gave.

    Units with fewer than two values are not pairable and are ignored. Returns nan when
    undefined (fewer than two pairable values, or a single value used throughout).
    """
    coincidence: defaultdict[tuple[Hashable, Hashable], float] = defaultdict(float)
    for unit in units:
        m = len(unit)
        if m < 2:
            continue
        for i, a in enumerate(unit):
            for j, b in enumerate(unit):
                if i != j:
                    coincidence[(a, b)] += 1.0 / (m - 1)
    n_c: defaultdict[Hashable, float] = defaultdict(float)
    for (a, _), w in coincidence.items():
        n_c[a] += w
    n = sum(n_c.values())
    if n <= 1:
        return math.nan
    observed = sum(w for (a, b), w in coincidence.items() if a != b)
    expected = (n * n - sum(v * v for v in n_c.values())) / (n - 1)
    if expected == 0:
        return math.nan
    return 1.0 - observed / expected


@dataclass
class JudgeAgreement:
    """One judge against the final human decisions."""

    judge_id: str
    accuracy: Rate
    kappa: float
    confusion: pd.DataFrame
    calibration: list[dict[str, Any]]
    audit_accuracy: Rate

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {
            "judge_id": self.judge_id,
            "accuracy": self.accuracy.to_dict(),
            "kappa": None if math.isnan(self.kappa) else self.kappa,
            "confusion": self.confusion.to_dict(orient="index"),
            "calibration": [{**b, "accuracy": b["accuracy"].to_dict()} for b in self.calibration],
            "audit_accuracy": self.audit_accuracy.to_dict(),
        }


@dataclass
class AgreementStats:
    """All agreement statistics of one project."""

    project: str
    n_items: int
    status_counts: dict[str, int]
    rule_counts: dict[str, int]
    n_final: int
    final_methods: dict[str, int]
    n_reviews: int
    median_time_s: float | None
    judges: list[JudgeAgreement] = field(default_factory=list)
    reviewer_fleiss: float = math.nan
    reviewer_alpha: float = math.nan
    reviewer_items: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""

        def num(x: float) -> float | None:
            return None if x is None or math.isnan(x) else x

        return {
            "project": self.project,
            "n_items": self.n_items,
            "status_counts": self.status_counts,
            "escalation_rules": self.rule_counts,
            "n_final": self.n_final,
            "final_methods": self.final_methods,
            "n_reviews": self.n_reviews,
            "median_time_s": self.median_time_s,
            "judges": [j.to_dict() for j in self.judges],
            "reviewers": {
                "items_with_2plus_reviews": self.reviewer_items,
                "fleiss_kappa": num(self.reviewer_fleiss),
                "krippendorff_alpha": num(self.reviewer_alpha),
            },
        }


def _bin_label(lo: float, hi: float) -> str:
    return f"[{lo:.1f}, {hi:.1f}{']' if hi >= 1.0 else ')'}"


def judge_vs_human(
    pairs: Sequence[tuple[str, float, str, bool]], judge_id: str = "judge"
) -> JudgeAgreement:
    """Agreement from ``(judge_label, confidence, human_label, in_audit_sample)`` tuples."""
    outcomes = [None if jl == "abstain" else jl == hl for jl, _, hl, _ in pairs]
    decided = [(jl, hl) for jl, _, hl, _ in pairs if jl != "abstain"]
    kappa = cohen_kappa([a for a, _ in decided], [b for _, b in decided]) if decided else math.nan
    rows = ["unsafe", "safe", "abstain"]
    cols = ["unsafe", "safe"]
    table = pd.DataFrame(0, index=rows, columns=cols)
    for jl, _, hl, _ in pairs:
        table.loc[jl, hl] += 1
    table.index.name = "judge \\ human"
    calibration = []
    for lo, hi in zip(CONFIDENCE_BINS[:-1], CONFIDENCE_BINS[1:], strict=True):
        last = hi >= 1.0
        in_bin = [
            (jl, c, hl)
            for jl, c, hl, _ in pairs
            if jl != "abstain" and lo <= c and (c <= hi if last else c < hi)
        ]
        if not in_bin:
            continue
        calibration.append(
            {
                "bin": _bin_label(lo, hi),
                "n": len(in_bin),
                "mean_confidence": sum(c for _, c, _ in in_bin) / len(in_bin),
                "accuracy": rate(jl == hl for jl, _, hl in in_bin),
            }
        )
    audit = rate(None if jl == "abstain" else jl == hl for jl, _, hl, a in pairs if a)
    return JudgeAgreement(
        judge_id=judge_id,
        accuracy=rate(outcomes),
        kappa=kappa,
        confusion=table,
        calibration=calibration,
        audit_accuracy=audit,
    )


def compute_agreement(store: Store, project: str) -> AgreementStats:
    """Every agreement statistic of ``project`` from the store."""
    proj = get_project(store, project)
    with store.session() as s:
        statuses = dict(Counter(s.scalars(select(Item.status).where(Item.project_id == proj.id))))
        rules = dict(
            Counter(
                s.scalars(
                    select(Escalation.rule)
                    .join(Item, Item.id == Escalation.item_id)
                    .where(Item.project_id == proj.id)
                )
            )
        )
        finals = {
            f.item_id: f
            for f in s.scalars(
                select(FinalDecision)
                .join(Item, Item.id == FinalDecision.item_id)
                .where(Item.project_id == proj.id)
            )
        }
        rule_of = dict(
            s.execute(
                select(Escalation.item_id, Escalation.rule)
                .join(Item, Item.id == Escalation.item_id)
                .where(Item.project_id == proj.id)
            ).all()
        )
        verdict_rows = s.execute(
            select(
                JudgeVerdictRow.item_id,
                JudgeVerdictRow.judge_id,
                JudgeVerdictRow.label,
                JudgeVerdictRow.confidence,
            )
            .join(Item, Item.id == JudgeVerdictRow.item_id)
            .where(Item.project_id == proj.id, JudgeVerdictRow.item_id.in_(list(finals)))
            .order_by(JudgeVerdictRow.id)
        ).all()
        reviews = s.execute(
            select(Review.item_id, Review.decision, Review.time_spent_s)
            .join(Item, Item.id == Review.item_id)
            .where(Item.project_id == proj.id, Review.kind == "review")
        ).all()

    per_judge: dict[str, dict[int, tuple[str, float]]] = defaultdict(dict)
    for item_id, judge_id, label, conf in verdict_rows:
        per_judge[judge_id].setdefault(item_id, (label, conf))
    judges = []
    for judge_id in sorted(per_judge):
        pairs = [
            (label, conf, finals[item_id].label, rule_of.get(item_id) == "audit")
            for item_id, (label, conf) in sorted(per_judge[judge_id].items())
        ]
        judges.append(judge_vs_human(pairs, judge_id))

    by_item: dict[int, list[str]] = defaultdict(list)
    times = []
    for item_id, decision, t in reviews:
        by_item[item_id].append(decision)
        if t is not None:
            times.append(t)
    multi = [v for v in by_item.values() if len(v) >= 2]
    counts = [[Counter(v)[c] for c in REVIEW_CATEGORIES] for v in multi]
    times.sort()
    median = None
    if times:
        mid = len(times) // 2
        median = times[mid] if len(times) % 2 else (times[mid - 1] + times[mid]) / 2
    return AgreementStats(
        project=project,
        n_items=sum(statuses.values()),
        status_counts=statuses,
        rule_counts=rules,
        n_final=len(finals),
        final_methods=dict(Counter(f.method for f in finals.values())),
        n_reviews=len(reviews),
        median_time_s=median,
        judges=judges,
        reviewer_fleiss=fleiss_kappa(counts),
        reviewer_alpha=krippendorff_alpha_nominal(multi),
        reviewer_items=len(multi),
    )
