"""Load, validate, split, filter and sample the values items into Inspect samples.

Filters (``countries``, ``regions``, ``dimensions``) go through
:func:`coalign.selection.parse_list`, so ``None``, ``""`` and ``"all"`` mean no filter, and
unknown values are refused by name. ``limit`` draws with
:func:`coalign.selection.stratified_sample` over (region, deciding dimension).
"""

from __future__ import annotations

from typing import Any

from inspect_ai.dataset import Sample
from inspect_ai.model import ChatMessageSystem, ChatMessageUser

from coalign.benchmarks.values.countries import countries as country_table
from coalign.benchmarks.values.dimensions import dimension_ids
from coalign.benchmarks.values.prompts import (
    LETTERS,
    PersonaView,
    choice_prompt,
    generation_messages,
)
from coalign.benchmarks.values.schema import (
    DEMOGRAPHIC_FIELDS,
    Item,
    Persona,
    ValuesDataset,
    load_dataset,
)
from coalign.benchmarks.values.splits import select_split
from coalign.selection import check_known, parse_list, stratified_sample

BENCHMARK = "values"
MODES = ("choice", "likelihood", "generation")
PERSONA_VIEWS = ("values", "demographics")


def filter_items(
    ds: ValuesDataset,
    items: list[Item],
    *,
    countries: list[str] | None = None,
    regions: list[str] | None = None,
    dimensions: list[str] | None = None,
) -> list[Item]:
    """Items whose persona is in ``countries``/``regions`` and whose deciding dimension is in
    ``dimensions`` (``None``: no filter)."""
    out = []
    for item in items:
        p = ds.persona(item)
        if countries and p.country not in countries:
            continue
        if regions and p.region not in regions:
            continue
        if dimensions and item.deciding_dimension not in dimensions:
            continue
        out.append(item)
    return out


def sample_items(ds: ValuesDataset, items: list[Item], limit: int | None, seed: int) -> list[Item]:
    """Up to ``limit`` items spread over region x deciding dimension (seeded, stable order)."""
    return stratified_sample(
        items,
        limit,
        seed,
        stratum=lambda i: (str(ds.persona(i).region), str(i.deciding_dimension)),
    )


def sample_metadata(item: Item, persona: Persona, mode: str) -> dict[str, Any]:
    """Sample metadata: contract fields (benchmark, item_id, grouping fields) plus the records
    the scorers rebuild the item and persona from."""
    return {
        "benchmark": BENCHMARK,
        "item_id": item.id,
        "mode": mode,
        "country": persona.country,
        "country_name": persona.country_name,
        "region": persona.region,
        **{f: getattr(persona, f) for f in DEMOGRAPHIC_FIELDS},
        "deciding_dimension": item.deciding_dimension,
        "scenario_id": item.scenario_id,
        "topic": item.topic,
        "persona_id": persona.id,
        "preferred": item.preferred,
        "values_item": item.model_dump(mode="json"),
        "values_persona": persona.model_dump(mode="json"),
    }


def to_sample(item: Item, persona: Persona, mode: str, view: PersonaView) -> Sample:
    """An Inspect sample for one item in one mode."""
    meta = sample_metadata(item, persona, mode)
    if mode == "choice":
        return Sample(
            id=item.id,
            input=[ChatMessageUser(content=choice_prompt(item, persona, view))],
            target=LETTERS[item.preferred],
            metadata=meta,
        )
    sys_msg, user_msg = generation_messages(item, persona, view)
    return Sample(
        id=item.id,
        input=[
            ChatMessageSystem(content=sys_msg["content"]),
            ChatMessageUser(content=user_msg["content"]),
        ],
        target=item.responses[item.preferred],
        metadata=meta,
    )


def build_samples(
    *,
    mode: str = "choice",
    countries: str | list[str] | None = None,
    regions: str | list[str] | None = None,
    dimensions: str | list[str] | None = None,
    split: str = "all",
    split_by: str = "country",
    limit: int | None = None,
    seed: int = 0,
    persona_view: str = "values",
    items: str | None = None,
    personas: str | None = None,
) -> list[Sample]:
    """Load, validate, split, filter and sample the dataset into Inspect samples.

    Raises:
        coalign.io.InputError: a bad items or personas file (file, line and field named).
        ValueError: an unknown mode, persona view, split, country, region or dimension, or a
            selection that matches no item.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
    if persona_view not in PERSONA_VIEWS:
        raise ValueError(f"persona_view must be one of {', '.join(PERSONA_VIEWS)}")
    wanted_countries = [c.upper() for c in parse_list(countries) or []] or None
    wanted_regions = parse_list(regions)
    wanted_dims = parse_list(dimensions)
    check_known("country", wanted_countries or [], country_table())
    # The table's regions, "Unspecified" (imported personas of unknown country) included.
    check_known("region", wanted_regions or [], {c.region for c in country_table().values()})
    check_known("dimension", wanted_dims or [], dimension_ids())
    ds = load_dataset(items, personas)
    chosen = select_split(ds, split, split_by, seed)  # type: ignore[arg-type]
    chosen = filter_items(
        ds, chosen, countries=wanted_countries, regions=wanted_regions, dimensions=wanted_dims
    )
    if not chosen:
        raise ValueError("no items match the given countries/regions/dimensions/split")
    chosen = sample_items(ds, chosen, None if limit is None else int(limit), seed)
    view: PersonaView = persona_view  # type: ignore[assignment]
    return [to_sample(i, ds.persona(i), mode, view) for i in chosen]
