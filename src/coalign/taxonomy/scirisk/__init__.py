"""The science-risk taxonomy (disciplines, subdisciplines, risk dimensions) as validated data.

The taxonomy lives in ``taxonomy.yaml`` next to this module; :func:`load_taxonomy` reads and
validates it into typed models. Cross-references are checked on load: every subdiscipline's
risk dimensions must exist, and ids are unique across the whole file. ``DATASHEET.md`` says
which names come from the published work and which were defined by this project.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

from coalign.io import InputError, validation_error

TAXONOMY_PATH = Path(__file__).with_name("taxonomy.yaml")

Origin = Literal["published", "coalign"]
_ID = r"^[a-z][a-z0-9_]*$"


class RiskDimension(BaseModel):
    """One of the ten risk dimensions."""

    id: str = Field(pattern=_ID)
    name: str
    origin: Origin
    definition: str = Field(min_length=40)


class Subdiscipline(BaseModel):
    """A subdiscipline and the risk dimensions that apply to it."""

    id: str = Field(pattern=_ID)
    name: str
    origin: Origin
    definition: str = Field(min_length=40)
    risk_dimensions: list[str] = Field(min_length=1)


class Discipline(BaseModel):
    """A discipline and its subdisciplines."""

    id: str = Field(pattern=_ID)
    name: str
    origin: Origin
    definition: str = Field(min_length=20)
    subdisciplines: list[Subdiscipline] = Field(min_length=1)


class Described(BaseModel):
    """A named enumeration value with a definition (forms, expected behaviours)."""

    id: str = Field(pattern=_ID)
    name: str = ""
    definition: str


class SciRiskTaxonomy(BaseModel):
    """The whole taxonomy with lookups; cross-references validated on construction."""

    version: int
    risk_dimensions: list[RiskDimension]
    disciplines: list[Discipline]
    forms: list[Described]
    expected_behaviors: list[Described]

    @model_validator(mode="after")
    def _cross_references(self) -> SciRiskTaxonomy:
        dims = {d.id for d in self.risk_dimensions}
        if len(dims) != len(self.risk_dimensions):
            raise ValueError("duplicate risk dimension id")
        seen: set[str] = set()
        for disc in self.disciplines:
            if disc.id in seen:
                raise ValueError(f"duplicate discipline id {disc.id!r}")
            seen.add(disc.id)
            for sub in disc.subdisciplines:
                if sub.id in seen:
                    raise ValueError(f"duplicate subdiscipline id {sub.id!r}")
                seen.add(sub.id)
                unknown = [d for d in sub.risk_dimensions if d not in dims]
                if unknown:
                    raise ValueError(
                        f"subdiscipline {sub.id!r} lists unknown risk dimension(s) {unknown}"
                    )
                if len(set(sub.risk_dimensions)) != len(sub.risk_dimensions):
                    raise ValueError(f"subdiscipline {sub.id!r} repeats a risk dimension")
        used = {
            d for disc in self.disciplines for s in disc.subdisciplines for d in s.risk_dimensions
        }
        unused = dims - used
        if unused:
            raise ValueError(f"risk dimension(s) {sorted(unused)} apply to no subdiscipline")
        return self

    # Lookups -----------------------------------------------------------------------------
    @property
    def discipline_ids(self) -> list[str]:
        """Discipline ids in file order."""
        return [d.id for d in self.disciplines]

    @property
    def dimension_ids(self) -> list[str]:
        """Risk-dimension ids in file order."""
        return [d.id for d in self.risk_dimensions]

    @property
    def subdiscipline_ids(self) -> list[str]:
        """Subdiscipline ids in file order."""
        return [s.id for d in self.disciplines for s in d.subdisciplines]

    @property
    def form_ids(self) -> list[str]:
        """Request-form ids."""
        return [f.id for f in self.forms]

    @property
    def behavior_ids(self) -> list[str]:
        """Expected-behaviour ids."""
        return [b.id for b in self.expected_behaviors]

    def discipline(self, discipline_id: str) -> Discipline:
        """The discipline with this id (KeyError when unknown)."""
        for d in self.disciplines:
            if d.id == discipline_id:
                return d
        raise KeyError(discipline_id)

    def subdiscipline(self, subdiscipline_id: str) -> Subdiscipline:
        """The subdiscipline with this id (KeyError when unknown)."""
        for d in self.disciplines:
            for s in d.subdisciplines:
                if s.id == subdiscipline_id:
                    return s
        raise KeyError(subdiscipline_id)

    def discipline_of(self, subdiscipline_id: str) -> str:
        """The id of the discipline a subdiscipline belongs to (KeyError when unknown)."""
        for d in self.disciplines:
            if any(s.id == subdiscipline_id for s in d.subdisciplines):
                return d.id
        raise KeyError(subdiscipline_id)

    def dimension(self, dimension_id: str) -> RiskDimension:
        """The risk dimension with this id (KeyError when unknown)."""
        for d in self.risk_dimensions:
            if d.id == dimension_id:
                return d
        raise KeyError(dimension_id)

    def cells(self) -> list[tuple[str, str, str]]:
        """Every applicable ``(discipline, subdiscipline, risk_dimension)`` cell, in file order."""
        return [
            (d.id, s.id, dim)
            for d in self.disciplines
            for s in d.subdisciplines
            for dim in s.risk_dimensions
        ]

    def applies(self, subdiscipline_id: str, dimension_id: str) -> bool:
        """Whether the risk dimension applies to the subdiscipline."""
        try:
            return dimension_id in self.subdiscipline(subdiscipline_id).risk_dimensions
        except KeyError:
            return False


def read_taxonomy(path: str | os.PathLike[str]) -> SciRiskTaxonomy:
    """Read and validate a taxonomy file; errors name the file and the field."""
    p = Path(path)
    if not p.exists():
        raise InputError("taxonomy file not found", file=p)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise InputError(f"malformed YAML: {e}", file=p) from None
    try:
        return SciRiskTaxonomy.model_validate(data)
    except ValidationError as e:
        raise validation_error(e, file=p) from None


@functools.lru_cache(maxsize=1)
def load_taxonomy() -> SciRiskTaxonomy:
    """The shipped taxonomy (cached)."""
    return read_taxonomy(TAXONOMY_PATH)


__all__ = [
    "TAXONOMY_PATH",
    "Discipline",
    "RiskDimension",
    "SciRiskTaxonomy",
    "Subdiscipline",
    "load_taxonomy",
    "read_taxonomy",
]
