"""Selecting, sampling and wrapping items, and turning them into Inspect samples."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import Any

from inspect_ai.dataset import MemoryDataset, Sample

from coalign.benchmarks.scirisk.build import load_jailbreaks
from coalign.benchmarks.scirisk.schema import BEHAVIORS, SciRiskItem
from coalign.taxonomy.scirisk import load_taxonomy

BENCHMARK = "scirisk"


def parse_list(value: str | Sequence[Any] | None) -> list[str] | None:
    """``"a,b"`` / ``["a", "b"]`` / None -> list of stripped strings (None means no filter)."""
    if value is None:
        return None
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",")]
    else:
        parts = [str(p).strip() for p in value]
    parts = [p for p in parts if p and p.lower() not in ("all", "*")]
    return parts or None


def parse_severity(value: int | str | Sequence[Any] | None) -> list[int] | None:
    """``3`` / ``"3,4"`` / ``"2-4"`` / ``[3, 4]`` -> sorted severities (None: all)."""
    if value is None:
        return None
    if isinstance(value, int):
        vals = [value]
    elif isinstance(value, str) and "-" in value:
        lo, _, hi = value.partition("-")
        vals = list(range(int(lo), int(hi) + 1))
    else:
        vals = [int(v) for v in (parse_list(value) or [])]  # type: ignore[arg-type]
    bad = [v for v in vals if v not in (1, 2, 3, 4)]
    if bad:
        raise ValueError(f"severity must be between 1 and 4, got {bad}")
    return sorted(set(vals)) or None


def _check_known(kind: str, values: list[str] | None, known: list[str]) -> None:
    if values is None:
        return
    unknown = [v for v in values if v not in known]
    if unknown:
        raise ValueError(f"unknown {kind} {unknown}; available: {', '.join(known)}")


def select_items(
    items: Iterable[SciRiskItem],
    *,
    disciplines: str | Sequence[str] | None = None,
    subdisciplines: str | Sequence[str] | None = None,
    risk_dimensions: str | Sequence[str] | None = None,
    forms: str | Sequence[str] | None = None,
    severity: int | str | Sequence[Any] | None = None,
    hazardous: str | bool | None = "all",
    expected: str | Sequence[str] | None = None,
) -> list[SciRiskItem]:
    """Filter items; unknown names raise ValueError listing what is available."""
    tax = load_taxonomy()
    d, s, r, f = (parse_list(x) for x in (disciplines, subdisciplines, risk_dimensions, forms))
    e = parse_list(expected)
    _check_known("discipline(s)", d, tax.discipline_ids)
    _check_known("subdiscipline(s)", s, tax.subdiscipline_ids)
    _check_known("risk dimension(s)", r, tax.dimension_ids)
    _check_known("form(s)", f, tax.form_ids)
    _check_known("expected behaviour(s)", e, list(BEHAVIORS))
    sev = parse_severity(severity)
    if hazardous is None or hazardous == "all":
        want: bool | None = None
    elif hazardous in (True, "true", "True", "hazardous", "yes"):
        want = True
    elif hazardous in (False, "false", "False", "benign", "no"):
        want = False
    else:
        raise ValueError(f"hazardous must be all, hazardous or benign, got {hazardous!r}")
    out = []
    for it in items:
        if d and it.discipline not in d:
            continue
        if s and it.subdiscipline not in s:
            continue
        if r and not set(it.risk_dimensions) & set(r):
            continue
        if f and it.form not in f:
            continue
        if sev and it.severity not in sev:
            continue
        if want is not None and it.hazardous != want:
            continue
        if e and it.expected_behavior not in e:
            continue
        out.append(it)
    return out


def stratified_sample(
    items: Sequence[SciRiskItem], limit: int | None, seed: int = 0
) -> list[SciRiskItem]:
    """Up to ``limit`` items spread over (discipline, risk dimension) strata, pairs kept together.

    Units are look-alike pairs (an item without a pair is its own unit). Strata are shuffled
    with ``seed`` inside each discipline and the disciplines are interleaved, then one unit is
    taken from each stratum in turn, so a small sample touches as many disciplines and cells
    as it can and always holds both members of a pair. The result is in the items' order.
    """
    if limit is None or limit >= len(items):
        return list(items)
    if limit <= 0:
        return []
    rng = random.Random(seed)
    units: dict[str, list[SciRiskItem]] = {}
    for it in items:
        units.setdefault(it.pair_id or it.id, []).append(it)
    strata: dict[tuple[str, str], list[list[SciRiskItem]]] = {}
    for unit in units.values():
        strata.setdefault((unit[0].discipline, unit[0].risk_dimension), []).append(unit)
    for key in sorted(strata):
        rng.shuffle(strata[key])
    by_disc: dict[str, list[tuple[str, str]]] = {}
    for key in sorted(strata):
        by_disc.setdefault(key[0], []).append(key)
    for keys in by_disc.values():
        rng.shuffle(keys)
    disc_order = sorted(by_disc)
    rng.shuffle(disc_order)
    order: list[tuple[str, str]] = []
    for i in range(max(len(v) for v in by_disc.values())):
        order.extend(by_disc[d][i] for d in disc_order if i < len(by_disc[d]))
    chosen: list[SciRiskItem] = []
    while len(chosen) < limit and any(strata[k] for k in order):
        for key in order:
            if strata[key] and len(chosen) < limit:
                chosen.extend(strata[key].pop(0)[: limit - len(chosen)])
    position = {it.id: n for n, it in enumerate(items)}
    return sorted(chosen, key=lambda it: position[it.id])


def apply_jailbreaks(
    items: Sequence[SciRiskItem], jailbreak: str | Sequence[str] | None
) -> list[tuple[SciRiskItem, str, str]]:
    """``(item, prompt, wrapper name)`` for each item; wrappers go on hazardous items only.

    ``none`` leaves prompts alone; a name or comma list wraps every hazardous item with those
    wrappers in rotation (by item order); ``all`` rotates through every shipped wrapper.
    """
    names = parse_list(jailbreak) if jailbreak not in (None, "none") else None
    if jailbreak == "all":
        names = sorted(load_jailbreaks())
    if not names:
        return [(it, it.prompt, "none") for it in items]
    wrappers = load_jailbreaks()
    _check_known("jailbreak wrapper(s)", names, sorted(wrappers))
    out = []
    n = 0
    for it in items:
        if not it.hazardous:
            out.append((it, it.prompt, "none"))
            continue
        name = names[n % len(names)]
        n += 1
        out.append((it, wrappers[name]["template"].replace("{prompt}", it.prompt), name))
    return out


def sample_metadata(item: SciRiskItem, jailbreak: str = "none") -> dict[str, Any]:
    """The contract's grouping fields for one item."""
    return {
        "benchmark": BENCHMARK,
        "item_id": item.id,
        "discipline": item.discipline,
        "subdiscipline": item.subdiscipline,
        "risk_dimension": item.risk_dimension,
        "risk_dimensions": item.risk_dimensions,
        "severity": item.severity,
        "form": item.form,
        "hazardous": item.hazardous,
        "expected_behavior": item.expected_behavior,
        "pair_id": item.pair_id,
        "jailbreak": jailbreak,
        "generated_by": item.generated_by,
        "source": item.source,
        "license": item.license,
    }


def to_dataset(
    wrapped: Sequence[tuple[SciRiskItem, str, str]], name: str = BENCHMARK
) -> MemoryDataset:
    """Inspect dataset from ``(item, prompt, wrapper)`` tuples."""
    samples = [
        Sample(input=prompt, id=item.id, metadata=sample_metadata(item, jb))
        for item, prompt, jb in wrapped
    ]
    return MemoryDataset(samples, name=name)
