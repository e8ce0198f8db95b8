"""In-domain / out-of-domain splits and the DPO preference-pair export.

``by="country"`` holds out a seeded share of countries (at least one per region with three or
more countries): their items are the out-of-domain test set. ``by="dimension"`` holds out value
dimensions: items decided by them are out-of-domain. The remaining items are split into
train and in-domain test by persona (a persona's items never straddle train and test), so a
model is never tested on a person it was trained on.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from coalign.benchmarks.values.dimensions import dimension_ids
from coalign.benchmarks.values.prompts import PersonaView, generation_messages
from coalign.benchmarks.values.schema import Item, ValuesDataset
from coalign.pairs import Message, PairSource, PreferencePair

SplitBy = Literal["country", "dimension"]
SPLIT_NAMES = ("all", "train", "test_id", "test_ood")


@dataclass
class Split:
    """Item ids per part, and what was held out."""

    by: str
    seed: int
    heldout: list[str]
    parts: dict[str, list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """Plain-data form (written by ``coalign values split``)."""
        return {
            "by": self.by,
            "seed": self.seed,
            "heldout": self.heldout,
            "counts": {k: len(v) for k, v in self.parts.items()},
            "parts": self.parts,
        }


def make_split(
    ds: ValuesDataset,
    by: SplitBy = "country",
    *,
    seed: int = 0,
    heldout_share: float = 0.2,
    heldout_dimensions: int = 1,
    test_share: float = 0.2,
) -> Split:
    """Reproducible split of ``ds`` (same data, arguments and seed give the same split)."""
    rng = random.Random(f"values-split-{by}-{seed}")
    if by == "country":
        by_region: dict[str, list[str]] = {}
        for p in sorted(ds.personas.values(), key=lambda p: p.id):
            codes = by_region.setdefault(str(p.region), [])
            if p.country not in codes:
                codes.append(p.country)
        heldout: list[str] = []
        for region in sorted(by_region):
            codes = sorted(by_region[region])
            k = round(len(codes) * heldout_share)
            if k == 0 and len(codes) >= 3:
                k = 1
            heldout += rng.sample(codes, k)
        held = set(heldout)
        ood = [i for i in ds.items if ds.persona(i).country in held]
    elif by == "dimension":
        dims = sorted({i.deciding_dimension for i in ds.items if i.deciding_dimension})
        if not dims:
            raise ValueError("split by dimension needs items with a deciding dimension")
        order = [d for d in dimension_ids() if d in dims]
        heldout = sorted(rng.sample(order, min(heldout_dimensions, len(order) - 1)))
        ood = [i for i in ds.items if i.deciding_dimension in heldout]
    else:
        raise ValueError(f"unknown split kind {by!r}; use country or dimension")
    ood_ids = {i.id for i in ood}
    rest = [i for i in ds.items if i.id not in ood_ids]
    people = sorted({i.persona_id for i in rest})
    rng.shuffle(people)
    test_people = set(people[: round(len(people) * test_share)])
    return Split(
        by=by,
        seed=seed,
        heldout=sorted(heldout),
        parts={
            "train": [i.id for i in rest if i.persona_id not in test_people],
            "test_id": [i.id for i in rest if i.persona_id in test_people],
            "test_ood": [i.id for i in ood],
        },
    )


def select_split(ds: ValuesDataset, split: str, by: SplitBy, seed: int) -> list[Item]:
    """Items of one part of a split (``all`` returns every item)."""
    if split == "all":
        return list(ds.items)
    if split not in SPLIT_NAMES:
        raise ValueError(f"unknown split {split!r}; use one of {', '.join(SPLIT_NAMES)}")
    wanted = set(make_split(ds, by, seed=seed).parts[split])
    return [i for i in ds.items if i.id in wanted]


def to_pairs(
    ds: ValuesDataset, items: Iterable[Item], view: PersonaView = "values"
) -> list[PreferencePair]:
    """DPO pairs in TRL's conversational format: prompt = profile + question, chosen/rejected."""
    pairs: list[PreferencePair] = []
    for item in items:
        messages = [Message(**m) for m in generation_messages(item, ds.persona(item), view)]  # type: ignore[arg-type]
        others = [j for j in range(len(item.responses)) if j != item.preferred]
        for j in others:
            pairs.append(
                PreferencePair(
                    id=item.id if len(others) == 1 else f"{item.id}#{j}",
                    prompt=messages,
                    chosen=[Message(role="assistant", content=item.responses[item.preferred])],
                    rejected=[Message(role="assistant", content=item.responses[j])],
                    source=PairSource(
                        kind="values", ids=[item.id], item_id=item.id, benchmark="values"
                    ),
                )
            )
    return pairs
