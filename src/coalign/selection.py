"""Choosing items: the one list parser for task parameters and the one stratified sampler.

Every task filter parameter (``disciplines``, ``countries``, ``subcategories``...) goes through
:func:`parse_list`, so ``None``, ``""`` and ``"all"`` mean the same thing everywhere: no
filter. Every benchmark samples with :func:`stratified_sample`, so ``limit`` and ``seed``
behave alike: a seeded, round-robin draw over strata that keeps look-alike units together.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

ALL = "all"


def parse_list(value: str | Iterable[Any] | None) -> list[str] | None:
    """A filter parameter as a list of strings, or ``None`` for "no filter".

    ``None``, ``""`` and ``"all"`` (any case) give ``None``; ``"a,b"`` gives ``["a", "b"]``;
    a list or tuple gives its items as strings (a lone ``"all"`` in it also means no filter).
    """
    if value is None:
        return None
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",") if p.strip()]
    else:
        parts = [str(p).strip() for p in value if str(p).strip()]
    if not parts or (len(parts) == 1 and parts[0].lower() == ALL):
        return None
    return parts


def check_known(what: str, wanted: Iterable[str], known: Iterable[str]) -> None:
    """Raise a ValueError naming every unknown value of a filter and the known ones."""
    known_set = set(known)
    bad = [w for w in wanted if w not in known_set]
    if bad:
        raise ValueError(f"unknown {what}: {', '.join(bad)}; known: {', '.join(sorted(known_set))}")


def stratified_sample(
    items: Sequence[T],
    limit: int | None,
    seed: int = 0,
    *,
    stratum: Callable[[T], tuple[Hashable, ...]],
    unit: Callable[[T], Hashable] | None = None,
) -> list[T]:
    """Up to ``limit`` items spread over strata, seeded, with units kept whole.

    Items are grouped into *units* (``unit(item)``, e.g. a look-alike pair; by default each
    item is its own unit) and units into *strata* (``stratum(first item)``, a tuple such as
    ``(discipline, risk_dimension)``). Strata are shuffled with ``seed`` inside each value of
    the stratum's first field and those values are interleaved, then one unit is taken from
    each stratum in turn, so a small sample touches as many first-field values and strata as
    it can. A unit is cut only when it would overshoot ``limit``. The result keeps the items'
    order.
    """
    if limit is None or limit >= len(items):
        return list(items)
    if limit <= 0:
        return []
    rng = random.Random(seed)
    units: dict[Hashable, list[T]] = {}
    for n, it in enumerate(items):
        units.setdefault(unit(it) if unit else n, []).append(it)
    strata: dict[tuple[Hashable, ...], list[list[T]]] = {}
    for members in units.values():
        strata.setdefault(tuple(stratum(members[0])), []).append(members)
    ordered_keys = sorted(strata, key=lambda k: tuple(map(str, k)))
    for key in ordered_keys:
        rng.shuffle(strata[key])
    by_first: dict[Hashable, list[tuple[Hashable, ...]]] = {}
    for key in ordered_keys:
        by_first.setdefault(key[0] if key else None, []).append(key)
    for keys in by_first.values():
        rng.shuffle(keys)
    first_order = sorted(by_first, key=str)
    rng.shuffle(first_order)
    order: list[tuple[Hashable, ...]] = []
    for i in range(max(len(v) for v in by_first.values())):
        order.extend(by_first[f][i] for f in first_order if i < len(by_first[f]))
    chosen: list[T] = []
    while len(chosen) < limit and any(strata[k] for k in order):
        for key in order:
            if strata[key] and len(chosen) < limit:
                chosen.extend(strata[key].pop(0)[: limit - len(chosen)])
    position = {id(it): n for n, it in enumerate(items)}
    return sorted(chosen, key=lambda it: position[id(it)])
