"""Disparity analysis of PAA across countries, regions and demographic groups.

For each grouping field: PAA per group with n, exclusions and a Wilson 95% interval; the gap
between the best and the worst group (with a Newcombe interval) among groups with at least
``min_n`` decided items; the worst group's PAA; and a permutation test of whether the groups
differ more than chance: the statistic is the n-weighted between-group variance of PAA, and
the p-value compares it with the same statistic after shuffling outcomes across items.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from coalign.benchmarks.values.metrics import MARGIN, OUTCOME
from coalign.benchmarks.values.schema import DEMOGRAPHIC_FIELDS
from coalign.scoring import EXCLUDED, record
from coalign.stats import Rate, RateDiff, rate, rates_by

GROUP_FIELDS: tuple[str, ...] = ("region", "country", *DEMOGRAPHIC_FIELDS, "deciding_dimension")


@dataclass
class Record:
    """One scored item: its grouping fields and outcome (None = abstained)."""

    item_id: str
    mode: str
    fields: dict[str, str]
    outcome: bool | None
    reason: str | None = None
    margin: float | None = None
    chosen: int | None = None


def records_from_logs(logs: Iterable[Any]) -> list[Record]:
    """Records of every values sample in Inspect ``EvalLog``s (other benchmarks are skipped).

    Read through :func:`coalign.scoring.record`, as the scorers' metrics read them, so the
    report and the log agree."""
    out: list[Record] = []
    for log in logs:
        for s in getattr(log, "samples", None) or []:
            meta = s.metadata or {}
            if meta.get("benchmark") != "values" or not s.scores:
                continue
            rec = record(meta, next(iter(s.scores.values())))
            outcome = rec.get(OUTCOME)
            out.append(
                Record(
                    item_id=str(meta.get("item_id", s.id)),
                    mode=str(meta.get("mode", "")),
                    fields={f: str(meta.get(f)) for f in GROUP_FIELDS if f in meta},
                    outcome=outcome,
                    reason=(rec.get(EXCLUDED) or {}).get(OUTCOME) if outcome is None else None,
                    margin=rec.get(MARGIN),
                    chosen=rec.get("chosen"),
                )
            )
    return out


def overall(records: Sequence[Record]) -> Rate:
    """PAA over all records, abstentions excluded (with their reasons)."""
    reasons: dict[str, int] = {}
    for r in records:
        if r.outcome is None:
            key = r.reason or "abstain"
            reasons[key] = reasons.get(key, 0) + 1
    base = rate(r.outcome for r in records)
    return Rate(k=base.k, n=base.n, excluded=base.excluded, excluded_reasons=reasons)


def first_position_rate(records: Sequence[Record]) -> Rate:
    """Share of decided choices that picked the first response (position bias; 50% is none)."""
    return rate(None if r.chosen is None else r.chosen == 0 for r in records)


def between_group_stat(groups: np.ndarray, outcomes: np.ndarray, n_groups: int) -> float:
    """n-weighted variance of group means around the overall mean."""
    counts = np.bincount(groups, minlength=n_groups)
    sums = np.bincount(groups, weights=outcomes, minlength=n_groups)
    mask = counts > 0
    means = sums[mask] / counts[mask]
    p = outcomes.mean()
    return float((counts[mask] * (means - p) ** 2).sum() / counts.sum())


def permutation_p(
    labels: Sequence[str], outcomes: Sequence[bool], *, n_perm: int = 2000, seed: int = 0
) -> float:
    """P-value that group differences this large arise by chance (shuffled outcomes)."""
    if len(set(labels)) < 2 or len(outcomes) < 3:
        return math.nan
    names = sorted(set(labels))
    idx = np.array([names.index(x) for x in labels])
    y = np.asarray(outcomes, dtype=float)
    observed = between_group_stat(idx, y, len(names))
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(n_perm):
        if between_group_stat(idx, rng.permutation(y), len(names)) >= observed - 1e-12:
            hits += 1
    return (hits + 1) / (n_perm + 1)


@dataclass
class Disparity:
    """PAA by group for one field, with gap, worst group and permutation p-value."""

    field: str
    rates: dict[str, Rate]
    best: str | None
    worst: str | None
    gap: RateDiff | None
    p_value: float
    min_n: int

    def summary(self) -> dict[str, Any]:
        """One table row."""
        return {
            "field": self.field,
            "groups": len(self.rates),
            "best group": self.best or "",
            "worst group": self.worst or "",
            "worst-group PAA": self.rates[self.worst] if self.worst else "",
            "gap best-worst": self.gap if self.gap else "n/a",
            "permutation p": self.p_value,
            f"groups with n>={self.min_n}": sum(r.n >= self.min_n for r in self.rates.values()),
        }


def disparity(
    records: Sequence[Record], field: str, *, min_n: int = 10, n_perm: int = 2000, seed: int = 0
) -> Disparity:
    """PAA per group of ``field``; gap and worst group among groups with ``min_n`` decided."""
    with_field = [r for r in records if field in r.fields]
    rates = {
        str(k): v
        for k, v in rates_by(with_field, lambda r: r.fields[field], lambda r: r.outcome).items()
    }
    eligible = {g: r for g, r in rates.items() if r.n >= min_n}
    best = max(eligible, key=lambda g: eligible[g].value) if eligible else None
    worst = min(eligible, key=lambda g: eligible[g].value) if eligible else None
    gap = RateDiff(eligible[best], eligible[worst]) if best and worst and best != worst else None
    decided = [r for r in with_field if r.outcome is not None]
    p = permutation_p(
        [r.fields[field] for r in decided],
        [bool(r.outcome) for r in decided],
        n_perm=n_perm,
        seed=seed,
    )
    return Disparity(
        field=field, rates=rates, best=best, worst=worst, gap=gap, p_value=p, min_n=min_n
    )


def all_disparities(
    records: Sequence[Record], fields: Sequence[str] = GROUP_FIELDS, **kwargs: Any
) -> list[Disparity]:
    """:func:`disparity` for every grouping field present in the records."""
    present = [f for f in fields if any(f in r.fields for r in records)]
    return [disparity(records, f, **kwargs) for f in present]
