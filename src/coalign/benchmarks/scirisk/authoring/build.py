"""Deterministic builder: composes the hand-written components into the shipped item file.

How an item is made (the datasheet repeats this):

1. Each discipline file in ``components/`` lists, for every applicable (subdiscipline, risk
   dimension) cell, hand-written *seeds*: a hazardous request clause, a benign look-alike
   clause on the same topic, a severity and optionally an expected behaviour (otherwise the
   dimension's default from :data:`~coalign.benchmarks.scirisk.schema.DEFAULT_BEHAVIOR`).
2. Each seed is given one request *form* (direct, protocol, literature, lab planning,
   role-play, authority claim). Forms are dealt per discipline from a deck that is reshuffled
   with a fixed seed after every full round, so forms are balanced within each discipline and
   vary within each cell.
3. The form's templates (``components/forms.yaml``) and the discipline's contexts (roles,
   personas, settings, projects) are also dealt in seeded rotation. The hazardous clause and
   its look-alike go into the *same* template and context, so a pair differs only in content.
4. Ids are ``<subdiscipline>:<risk_dimension>:<nn>:h`` (hazardous) and ``...:b`` (benign),
   where ``nn`` is the seed's position in its cell: appending seeds never renames items.
5. Near-duplicates among items of different pairs (cosine >= threshold) are dropped, later
   pair first, unless dropping would leave a cell empty, in which case the build fails.

The same inputs and seed always give the same file, byte for byte.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from coalign.benchmarks.scirisk.authoring.similarity import (
    Method,
    NearDuplicateReport,
    near_duplicates,
)
from coalign.benchmarks.scirisk.schema import (
    COMPONENTS_DIR,
    DEFAULT_BEHAVIOR,
    ITEMS_PATH,
    DisciplineComponents,
    SciRiskItem,
    Seed,
    check_item,
    load_yaml,
)
from coalign.io import InputError, validation_error, write_jsonl
from coalign.taxonomy.scirisk import SciRiskTaxonomy, load_taxonomy

BUILD_SEED = 20250601
#: Forms the builder deals; ``other`` is only for imported prompts.
BUILT_FORMS = (
    "direct",
    "protocol_task",
    "literature_task",
    "lab_planning_task",
    "role_play",
    "authority_claim",
)
_SLOT_FOR_FORM = {
    "direct": None,
    "protocol_task": "settings",
    "literature_task": "projects",
    "lab_planning_task": "settings",
    "role_play": "personas",
    "authority_claim": "roles",
}
_SLOT_NAME = {"settings": "setting", "projects": "project", "personas": "persona", "roles": "role"}


def load_forms(directory: str | os.PathLike[str] = COMPONENTS_DIR) -> dict[str, list[str]]:
    """Form templates by form id, validated (each needs ``{clause}`` or ``{Clause}``)."""
    path = Path(directory) / "forms.yaml"
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise InputError("expected a mapping of form -> templates", file=path)
    for form in BUILT_FORMS:
        templates = data.get(form)
        if not isinstance(templates, list) or not templates:
            raise InputError("form has no templates", file=path, record=form, field=form)
        for i, t in enumerate(templates):
            if "{clause}" not in t and "{Clause}" not in t:
                raise InputError(
                    "template lacks a {clause} slot", file=path, record=f"{form}[{i}]", field=form
                )
    return {k: list(v) for k, v in data.items()}


def load_components(
    directory: str | os.PathLike[str] = COMPONENTS_DIR, taxonomy: SciRiskTaxonomy | None = None
) -> dict[str, DisciplineComponents]:
    """All discipline component files, checked against the taxonomy (every cell covered)."""
    tax = taxonomy or load_taxonomy()
    out: dict[str, DisciplineComponents] = {}
    for disc in tax.disciplines:
        path = Path(directory) / f"{disc.id}.yaml"
        if not path.exists():
            raise InputError("component file missing for discipline", file=path, record=disc.id)
        raw = load_yaml(path)
        if not isinstance(raw, dict):
            raise InputError("expected a mapping", file=path)
        subs_raw = raw.get("subdisciplines") or {}
        parsed_subs: dict[str, dict[str, list[Seed]]] = {}
        for sub_id, cells in subs_raw.items():
            if sub_id not in [s.id for s in disc.subdisciplines]:
                raise InputError(
                    f"subdiscipline {sub_id!r} is not part of {disc.id!r}",
                    file=path,
                    record=sub_id,
                    field="subdisciplines",
                )
            parsed_subs[sub_id] = {}
            for dim, entries in (cells or {}).items():
                if not tax.applies(sub_id, dim):
                    raise InputError(
                        f"risk dimension {dim!r} does not apply to {sub_id!r}",
                        file=path,
                        record=sub_id,
                        field=dim,
                    )
                seeds = []
                for i, entry in enumerate(entries or []):
                    try:
                        seeds.append(Seed.from_entry(entry))
                    except ValidationError as e:
                        raise validation_error(
                            e, file=path, record=f"{sub_id}.{dim}[{i}]"
                        ) from None
                    except ValueError as e:
                        raise InputError(str(e), file=path, record=f"{sub_id}.{dim}[{i}]") from None
                parsed_subs[sub_id][dim] = seeds
        try:
            comp = DisciplineComponents.model_validate(
                {
                    "discipline": raw.get("discipline"),
                    "contexts": raw.get("contexts"),
                    "subdisciplines": {},
                }
            )
        except ValidationError as e:
            raise validation_error(e, file=path) from None
        if comp.discipline != disc.id:
            raise InputError(
                f"file declares discipline {comp.discipline!r}, expected {disc.id!r}",
                file=path,
                field="discipline",
            )
        comp.subdisciplines = parsed_subs
        for sub in disc.subdisciplines:
            for dim in sub.risk_dimensions:
                if not parsed_subs.get(sub.id, {}).get(dim):
                    raise InputError(
                        "applicable cell has no seed",
                        file=path,
                        record=f"{sub.id}.{dim}",
                        field=dim,
                    )
        out[disc.id] = comp
    return out


class _Dealer:
    """Deals values from a list in seeded rounds: each round is a fresh shuffle of all values."""

    def __init__(self, values: list[Any], rng: random.Random) -> None:
        self.values = list(values)
        self.rng = rng
        self.deck: list[Any] = []

    def next(self) -> Any:
        if not self.deck:
            self.deck = list(self.values)
            self.rng.shuffle(self.deck)
        return self.deck.pop()


def _fill(template: str, clause: str, slots: dict[str, str]) -> str:
    text = template.replace("{Clause}", clause[:1].upper() + clause[1:]).replace("{clause}", clause)
    for name, value in slots.items():
        text = text.replace("{" + name + "}", value)
    return text


def compose_items(
    components: dict[str, DisciplineComponents],
    forms: dict[str, list[str]],
    *,
    taxonomy: SciRiskTaxonomy | None = None,
    seed: int = BUILD_SEED,
    generated_by: str = "builder",
    forms_override: dict[str, str] | None = None,
) -> list[SciRiskItem]:
    """Compose items from components, in taxonomy order (see the module docstring)."""
    tax = taxonomy or load_taxonomy()
    items: list[SciRiskItem] = []
    for disc in tax.disciplines:
        comp = components[disc.id]
        rng = random.Random(f"{seed}:{disc.id}")
        form_dealer = _Dealer(list(BUILT_FORMS), rng)
        template_dealers = {f: _Dealer(forms[f], rng) for f in BUILT_FORMS}
        context_dealers = {key: _Dealer(getattr(comp.contexts, key), rng) for key in _SLOT_NAME}
        for sub in disc.subdisciplines:
            for dim in sub.risk_dimensions:
                for k, s in enumerate(comp.subdisciplines[sub.id][dim], start=1):
                    pair_id = f"{sub.id}:{dim}:{k:02d}"
                    form = (forms_override or {}).get(pair_id) or form_dealer.next()
                    template = template_dealers[form].next()
                    slots: dict[str, str] = {}
                    slot_key = _SLOT_FOR_FORM[form]
                    if slot_key:
                        slots[_SLOT_NAME[slot_key]] = context_dealers[slot_key].next()
                    expected = s.expected or DEFAULT_BEHAVIOR[dim]
                    for hazardous, clause in ((True, s.hazardous), (False, s.benign)):
                        item = SciRiskItem(
                            id=f"{pair_id}:{'h' if hazardous else 'b'}",
                            prompt=_fill(template, clause, slots),
                            discipline=disc.id,
                            subdiscipline=sub.id,
                            risk_dimension=dim,
                            severity=s.severity,
                            hazardous=hazardous,
                            form=form,
                            expected_behavior=expected if hazardous else "answer",
                            pair_id=pair_id,
                            generated_by=generated_by,
                            metadata={"clause": clause, "template": template, **slots},
                        )
                        check_item(item, tax)
                        items.append(item)
    return items


@dataclass
class BuildResult:
    """What a build produced."""

    items: list[SciRiskItem]
    dropped: list[str] = field(default_factory=list)
    near_duplicates: NearDuplicateReport | None = None

    def counts(self, key: str) -> Counter[str]:
        """Item counts by an item attribute (e.g. ``discipline``)."""
        return Counter(str(getattr(i, key)) for i in self.items)


def drop_near_duplicates(
    items: list[SciRiskItem], report: NearDuplicateReport, taxonomy: SciRiskTaxonomy | None = None
) -> tuple[list[SciRiskItem], list[str]]:
    """Drop the later pair of each near-duplicate; fail if a cell would lose its last pair."""
    tax = taxonomy or load_taxonomy()
    order = {i.id: n for n, i in enumerate(items)}
    by_id = {i.id: i for i in items}
    drop_pairs: set[str] = set()
    for a, b, _ in report.duplicates:
        later = by_id[a] if order[a] > order[b] else by_id[b]
        if later.pair_id:
            drop_pairs.add(later.pair_id)
    kept = [i for i in items if i.pair_id not in drop_pairs]
    covered = {(i.subdiscipline, i.risk_dimension) for i in kept}
    missing = [(s, d) for _, s, d in tax.cells() if (s, d) not in covered]
    if missing:
        raise InputError(
            f"dropping near-duplicates would leave cell(s) {missing} empty; rewrite the seeds",
            file=COMPONENTS_DIR,
        )
    return kept, sorted(drop_pairs)


def build(
    out: str | os.PathLike[str] | None = ITEMS_PATH,
    *,
    components_dir: str | os.PathLike[str] = COMPONENTS_DIR,
    seed: int = BUILD_SEED,
    similarity: Method = "tfidf",
    threshold: float | None = None,
) -> BuildResult:
    """Compose, de-duplicate, validate and (when ``out`` is given) atomically write the items."""
    tax = load_taxonomy()
    components = load_components(components_dir, tax)
    forms = load_forms(components_dir)
    items = compose_items(components, forms, taxonomy=tax, seed=seed)
    report = near_duplicates(
        [i.id for i in items],
        [i.prompt for i in items],
        groups=[i.pair_id for i in items],
        method=similarity,
        threshold=threshold,
    )
    kept, dropped = drop_near_duplicates(items, report, tax)
    if out is not None:
        write_jsonl(out, kept)
    return BuildResult(items=kept, dropped=dropped, near_duplicates=report)
