"""From the item file to Inspect samples: load, filter, sample, wrap in jailbreaks.

:func:`scirisk_dataset` is what the task calls; each step is its own function so the cycle
(which splits items into held-out and training sets) and the tests can use them alone:

1. :func:`~coalign.benchmarks.scirisk.schema.read_items` validates the whole item file;
2. :func:`select_items` applies the task's filters (every comma list through
   :func:`coalign.selection.parse_list`, so ``all`` or an empty value means no filter);
3. :func:`sample_items` draws the stratified sample (:func:`coalign.selection.stratified_sample`
   over discipline x risk dimension, look-alike pairs kept together);
4. :func:`apply_jailbreaks` wraps hazardous prompts;
5. :func:`to_dataset` makes the samples, with the shared metadata fields (:func:`sample_metadata`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from inspect_ai.dataset import MemoryDataset, Sample

from coalign.benchmarks.scirisk.schema import (
    BEHAVIORS,
    COMPONENTS_DIR,
    SciRiskItem,
    load_yaml,
    read_items,
)
from coalign.io import InputError
from coalign.selection import check_known, parse_list, stratified_sample
from coalign.taxonomy.scirisk import load_taxonomy

BENCHMARK = "scirisk"

ListParam = str | Sequence[str] | None
"""A filter parameter: a comma list, a list, or ``None``/``""``/``"all"`` for no filter."""


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
        vals = [int(v) for v in (parse_list(value) or [])]
    bad = [v for v in vals if v not in (1, 2, 3, 4)]
    if bad:
        raise ValueError(f"severity must be between 1 and 4, got {bad}")
    return sorted(set(vals)) or None


def parse_hazardous(value: str | bool | None) -> bool | None:
    """``all``/None -> None (both), ``hazardous``/true -> True, ``benign``/false -> False."""
    if value is None or value == "all":
        return None
    if value in (True, "true", "True", "hazardous", "yes"):
        return True
    if value in (False, "false", "False", "benign", "no"):
        return False
    raise ValueError(f"hazardous must be all, hazardous or benign, got {value!r}")


def select_items(
    items: Iterable[SciRiskItem],
    *,
    disciplines: ListParam = None,
    subdisciplines: ListParam = None,
    risk_dimensions: ListParam = None,
    forms: ListParam = None,
    severity: int | str | Sequence[Any] | None = None,
    hazardous: str | bool | None = "all",
    expected: ListParam = None,
) -> list[SciRiskItem]:
    """The items that pass every filter; an unknown name raises ValueError listing the known ones.

    ``risk_dimensions`` matches an item's primary or secondary dimensions.
    """
    tax = load_taxonomy()
    d, s, r, f, e = (
        parse_list(x) for x in (disciplines, subdisciplines, risk_dimensions, forms, expected)
    )
    check_known("discipline", d or [], tax.discipline_ids)
    check_known("subdiscipline", s or [], tax.subdiscipline_ids)
    check_known("risk dimension", r or [], tax.dimension_ids)
    check_known("form", f or [], tax.form_ids)
    check_known("expected behaviour", e or [], BEHAVIORS)
    sev = parse_severity(severity)
    want = parse_hazardous(hazardous)
    return [
        it
        for it in items
        if (not d or it.discipline in d)
        and (not s or it.subdiscipline in s)
        and (not r or set(it.risk_dimensions) & set(r))
        and (not f or it.form in f)
        and (not sev or it.severity in sev)
        and (want is None or it.hazardous == want)
        and (not e or it.expected_behavior in e)
    ]


def stratum(item: SciRiskItem) -> tuple[str, str]:
    """The sampling stratum of an item: (discipline, primary risk dimension)."""
    return (item.discipline, item.risk_dimension)


def unit(item: SciRiskItem) -> str:
    """The sampling unit of an item: its look-alike pair (or the item alone)."""
    return item.pair_id or item.id


def sample_items(
    items: Sequence[SciRiskItem], limit: int | None, seed: int = 0
) -> list[SciRiskItem]:
    """Up to ``limit`` items spread over discipline x risk dimension, pairs kept together
    (:func:`coalign.selection.stratified_sample`); in the items' order."""
    return stratified_sample(items, limit, seed, stratum=stratum, unit=unit)


def load_jailbreaks(
    directory: str | os.PathLike[str] = COMPONENTS_DIR,
) -> dict[str, dict[str, str]]:
    """Jailbreak wrapper templates by name (each needs a ``{prompt}`` slot)."""
    path = Path(directory) / "jailbreaks.yaml"
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise InputError("expected a mapping of name -> wrapper", file=path)
    for name, spec in data.items():
        if not isinstance(spec, dict) or "{prompt}" not in str(spec.get("template", "")):
            raise InputError(
                "wrapper needs a template with {prompt}", file=path, record=name, field="template"
            )
    return data


def apply_jailbreaks(
    items: Sequence[SciRiskItem], jailbreak: ListParam
) -> list[tuple[SciRiskItem, str, str]]:
    """``(item, prompt, wrapper name)`` for each item; wrappers go on hazardous items only.

    ``none`` (or None) leaves prompts alone; a name or comma list wraps every hazardous item
    with those wrappers in rotation (by item order); ``all`` rotates through every shipped
    wrapper. (Here ``all`` means every wrapper, not "no filter": the parameter picks wrappers.)
    """
    if jailbreak is None or jailbreak == "none":
        return [(it, it.prompt, "none") for it in items]
    wrappers = load_jailbreaks()
    names = sorted(wrappers) if jailbreak == "all" else parse_list(jailbreak) or []
    check_known("jailbreak wrapper", names, wrappers)
    if not names:
        return [(it, it.prompt, "none") for it in items]
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
    """The shared sample-metadata fields (``benchmark``, ``item_id``, the grouping fields)
    plus what the scorer needs per sample (``expected_behavior``)."""
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


def scirisk_dataset(
    path: str | os.PathLike[str] | None = None,
    *,
    limit: int | None = None,
    seed: int = 0,
    jailbreak: ListParam = "none",
    **filters: Any,
) -> MemoryDataset:
    """The task's dataset: read ``path`` (default: the shipped items), filter with
    :func:`select_items` (``filters`` are its keyword arguments), sample, wrap."""
    chosen = select_items(read_items(path), **filters)
    if not chosen:
        raise ValueError("the filters selected no scirisk items")
    return to_dataset(apply_jailbreaks(sample_items(chosen, limit, seed), jailbreak))
