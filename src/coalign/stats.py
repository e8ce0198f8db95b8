"""The one place where rates, their denominators and their 95% intervals are computed.

Every rate reported anywhere in coalign is a :class:`Rate` built here: it carries its
numerator, its denominator, how many records were excluded (and why), and a Wilson score
interval. Differences of rates (before/after, Trust minus Warning) are :class:`RateDiff`
with a Newcombe hybrid-score interval, which behaves well for small n and rates near 0 or 1.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

# The 0.975 quantile of the standard normal (scipy.stats.norm.ppf(0.975)), written out so that
# importing this module, which every task does, does not pull in scipy (over a second).
Z95 = 1.959963984540054


def wilson_interval(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for ``k`` successes out of ``n``.

    Returns ``(nan, nan)`` when ``n`` is 0, because no interval exists without data.
    """
    if n < 0 or k < 0 or k > n:
        raise ValueError(f"wilson_interval needs 0 <= k <= n, got k={k}, n={n}")
    if n == 0:
        return (math.nan, math.nan)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class Rate:
    """A proportion with its denominator, exclusions and Wilson 95% interval."""

    k: int
    n: int
    excluded: int = 0
    excluded_reasons: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.n < 0 or self.k < 0 or self.k > self.n:
            raise ValueError(f"Rate needs 0 <= k <= n, got k={self.k}, n={self.n}")

    @property
    def value(self) -> float:
        """The point estimate ``k / n`` (nan when n is 0)."""
        return self.k / self.n if self.n else math.nan

    @property
    def ci(self) -> tuple[float, float]:
        """Wilson 95% interval."""
        return wilson_interval(self.k, self.n)

    def format(self, digits: int = 1) -> str:
        """Human-readable ``12.5% [8.1, 18.7] (k/n)`` with exclusions when there are any."""
        if self.n == 0:
            text = "n/a (0/0)"
        else:
            lo, hi = self.ci
            text = (
                f"{100 * self.value:.{digits}f}% [{100 * lo:.{digits}f}, {100 * hi:.{digits}f}]"
                f" ({self.k}/{self.n})"
            )
        if self.excluded:
            text += f", {self.excluded} excluded"
        return text

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form for JSON, logs and reports."""
        lo, hi = self.ci
        return {
            "k": self.k,
            "n": self.n,
            "rate": None if self.n == 0 else self.value,
            "ci_low": None if self.n == 0 else lo,
            "ci_high": None if self.n == 0 else hi,
            "excluded": self.excluded,
            "excluded_reasons": dict(self.excluded_reasons),
        }


def rate(
    outcomes: Iterable[bool | None],
    *,
    exclusion_reason: str = "abstain",
) -> Rate:
    """Build a :class:`Rate` from outcomes where ``None`` means excluded (e.g. an abstention)."""
    k = n = excluded = 0
    for outcome in outcomes:
        if outcome is None:
            excluded += 1
            continue
        n += 1
        k += bool(outcome)
    reasons = {exclusion_reason: excluded} if excluded else {}
    return Rate(k=k, n=n, excluded=excluded, excluded_reasons=reasons)


def rates_by(
    records: Iterable[T],
    key: Callable[[T], Hashable],
    outcome: Callable[[T], bool | None],
    *,
    exclusion_reason: str = "abstain",
) -> dict[Hashable, Rate]:
    """Group ``records`` by ``key`` and compute one :class:`Rate` per group, sorted by key."""
    groups: dict[Hashable, list[bool | None]] = {}
    for record in records:
        groups.setdefault(key(record), []).append(outcome(record))
    return {
        g: rate(v, exclusion_reason=exclusion_reason)
        for g, v in sorted(groups.items(), key=lambda kv: str(kv[0]))
    }


@dataclass(frozen=True)
class RateDiff:
    """Difference ``a - b`` of two independent rates with a Newcombe (method 10) 95% interval."""

    a: Rate
    b: Rate

    @property
    def value(self) -> float:
        """Point estimate of ``a - b`` (nan when either side has no data)."""
        return self.a.value - self.b.value

    @property
    def ci(self) -> tuple[float, float]:
        """Newcombe hybrid score interval from the two Wilson intervals."""
        if self.a.n == 0 or self.b.n == 0:
            return (math.nan, math.nan)
        p1, p2 = self.a.value, self.b.value
        l1, u1 = self.a.ci
        l2, u2 = self.b.ci
        d = p1 - p2
        lower = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
        upper = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
        return (max(-1.0, lower), min(1.0, upper))

    def format(self, digits: int = 1) -> str:
        """Human-readable ``+4.2 pts [-1.0, 9.3]``."""
        if self.a.n == 0 or self.b.n == 0:
            return "n/a"
        lo, hi = self.ci
        return (
            f"{100 * self.value:+.{digits}f} pts [{100 * lo:+.{digits}f}, {100 * hi:+.{digits}f}]"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form for JSON, logs and reports."""
        lo, hi = self.ci
        empty = self.a.n == 0 or self.b.n == 0
        return {
            "diff": None if empty else self.value,
            "ci_low": None if empty else lo,
            "ci_high": None if empty else hi,
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
        }


def cohen_kappa(labels_a: Sequence[Hashable], labels_b: Sequence[Hashable]) -> float:
    """Cohen's kappa between two raters over the same items (nan when undefined)."""
    if len(labels_a) != len(labels_b):
        raise ValueError("cohen_kappa needs two label lists of equal length")
    n = len(labels_a)
    if n == 0:
        return math.nan
    categories = set(labels_a) | set(labels_b)
    observed = sum(a == b for a, b in zip(labels_a, labels_b, strict=True)) / n
    expected = sum((labels_a.count(c) / n) * (labels_b.count(c) / n) for c in categories)
    if expected == 1.0:
        return 1.0 if observed == 1.0 else math.nan
    return (observed - expected) / (1 - expected)
