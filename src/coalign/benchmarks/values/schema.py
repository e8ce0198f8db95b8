"""Typed records of the values benchmark: persona, item, datasheet, and the dataset loader.

Bad input is refused before anything runs: an unknown country code, a preferred index out of
range, a duplicate id or an item naming a persona that does not exist raises
:class:`coalign.io.InputError` with the file, line and field.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from coalign.benchmarks.values.countries import countries
from coalign.benchmarks.values.dimensions import dimension_ids
from coalign.io import InputError, iter_jsonl, read_jsonl_models

DATA_DIR = Path(__file__).parent / "data"
ITEMS_FILE = DATA_DIR / "items.jsonl"
PERSONAS_FILE = DATA_DIR / "personas.jsonl"
DATASHEET_JSON = DATA_DIR / "datasheet.json"

DEMOGRAPHIC_FIELDS = (
    "age",
    "gender",
    "education",
    "employment_status",
    "english_proficiency",
    "marital_status",
)


def _check_country(code: str | None) -> str | None:
    if code is None:
        return None
    if code not in countries():
        raise ValueError(f"unknown country code {code!r} (expected an ISO 3166-1 alpha-2 code)")
    return code


class Persona(BaseModel):
    """A person: where they live, demographics, and how much they value each dimension (0-100)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    country: str = Field(description="ISO 3166-1 alpha-2 code of the country the persona is from")
    region: str | None = Field(default=None, description="filled from the country table")
    birth_country: str | None = Field(default=None, description="ISO alpha-2; defaults to country")
    age: str = "unspecified"
    gender: str = "unspecified"
    education: str = "unspecified"
    employment_status: str = "unspecified"
    english_proficiency: str = "unspecified"
    marital_status: str = "unspecified"
    weights: dict[str, float] = Field(
        default_factory=dict, description="stated importance 0-100 per value dimension"
    )
    preference: str = Field(default="", description="one-line summary of what they value")
    source: str = "synthetic"

    @field_validator("country")
    @classmethod
    def _country_known(cls, v: str) -> str:
        _check_country(v)
        return v

    @field_validator("birth_country")
    @classmethod
    def _birth_known(cls, v: str | None) -> str | None:
        return _check_country(v)

    @field_validator("region")
    @classmethod
    def _region_matches(cls, v: str | None, info: ValidationInfo) -> str | None:
        code = info.data.get("country")
        if code is None:  # the country itself failed; that error is reported
            return v
        expected = countries()[code].region
        if v is not None and v != expected:
            raise ValueError(f"region {v!r} does not match country {code} ({expected})")
        return expected

    @field_validator("weights")
    @classmethod
    def _weights_valid(cls, v: dict[str, float]) -> dict[str, float]:
        known = set(dimension_ids())
        for key, value in v.items():
            if key not in known:
                raise ValueError(f"unknown value dimension {key!r}; known: {sorted(known)}")
            if not 0 <= value <= 100:
                raise ValueError(f"weight of {key!r} must be between 0 and 100, got {value}")
        return v

    def model_post_init(self, __context: Any) -> None:
        if self.region is None:
            self.region = countries()[self.country].region

    @property
    def country_name(self) -> str:
        """The country's name."""
        return countries()[self.country].name

    def ranked_dimensions(self) -> list[str]:
        """Dimensions with a stated weight, most important first (ties by dimension order)."""
        order = {d: i for i, d in enumerate(dimension_ids())}
        return sorted(self.weights, key=lambda d: (-self.weights[d], order[d]))


class Item(BaseModel):
    """A question from a persona, candidate responses, and which one that persona prefers."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    persona_id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    responses: list[str] = Field(min_length=2)
    preferred: int = Field(description="index into responses of the one this persona prefers")
    contrast: dict[str, int] = Field(
        default_factory=dict,
        description="for each dimension on which the responses differ: index of the better one",
    )
    deciding_dimension: str | None = Field(
        default=None, description="the contrasted dimension the persona weights highest"
    )
    scenario_id: str | None = None
    topic: str | None = None
    source: str = "synthetic"
    generated: bool = False

    @field_validator("responses")
    @classmethod
    def _non_empty(cls, v: list[str]) -> list[str]:
        for i, text in enumerate(v):
            if not text.strip():
                raise ValueError(f"response {i} is empty")
        return v

    @field_validator("preferred")
    @classmethod
    def _preferred_in_range(cls, v: int, info: ValidationInfo) -> int:
        responses = info.data.get("responses")
        if responses is not None and not 0 <= v < len(responses):
            raise ValueError(f"preferred index {v} is out of range for {len(responses)} responses")
        return v

    @field_validator("contrast")
    @classmethod
    def _contrast_valid(cls, v: dict[str, int], info: ValidationInfo) -> dict[str, int]:
        responses = info.data.get("responses") or []
        known = set(dimension_ids())
        for dim, idx in v.items():
            if dim not in known:
                raise ValueError(f"unknown value dimension {dim!r}")
            if not 0 <= idx < len(responses):
                raise ValueError(f"contrast index {idx} for {dim!r} is out of range")
        return v

    @field_validator("deciding_dimension")
    @classmethod
    def _deciding_known(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v is None:
            return v
        if v not in dimension_ids():
            raise ValueError(f"unknown value dimension {v!r}")
        contrast = info.data.get("contrast")
        if contrast and v not in contrast:
            raise ValueError(f"deciding dimension {v!r} is not one of the contrasted dimensions")
        return v


class Datasheet(BaseModel):
    """Machine-readable datasheet of a values dataset (the DATASHEET.md is rendered from it)."""

    name: str
    version: str
    synthetic: bool
    how_made: str
    seed: int | None = None
    license: str
    counts: dict[str, int]
    coverage: dict[str, Any] = Field(default_factory=dict)
    checks: dict[str, Any] = Field(default_factory=dict)
    fields: dict[str, str] = Field(default_factory=dict)


@dataclass
class ValuesDataset:
    """Personas by id and the items that reference them."""

    personas: dict[str, Persona]
    items: list[Item]
    source: dict[str, str] = field(default_factory=dict)

    def persona(self, item: Item) -> Persona:
        """The persona of an item."""
        return self.personas[item.persona_id]


def load_personas(path: str | os.PathLike[str] = PERSONAS_FILE) -> dict[str, Persona]:
    """Read and validate a personas JSONL file (whole file or nothing)."""
    return {p.id: p for p in read_jsonl_models(path, Persona)}


def load_items(
    path: str | os.PathLike[str], personas: dict[str, Persona] | None = None
) -> list[Item]:
    """Read and validate an items JSONL file; with ``personas``, every persona_id must exist."""
    items = read_jsonl_models(path, Item)
    unknown = [i for i in items if personas is not None and i.persona_id not in personas]
    if unknown:
        bad = unknown[0]
        # Only on this error is the file read again, to name the line.
        line = next(n for n, obj in iter_jsonl(path) if obj.get("id") == bad.id)
        raise InputError(
            f"unknown persona {bad.persona_id!r}",
            file=path,
            line=line,
            record=bad.id,
            field="persona_id",
        )
    return items


def load_dataset(
    items: str | os.PathLike[str] | None = None, personas: str | os.PathLike[str] | None = None
) -> ValuesDataset:
    """Load items and personas (the shipped dataset by default), validating both files first."""
    items_path = Path(items) if items else ITEMS_FILE
    personas_path = Path(personas) if personas else items_path.parent / PERSONAS_FILE.name
    people = load_personas(personas_path)
    return ValuesDataset(
        personas=people,
        items=load_items(items_path, people),
        source={"items": str(items_path), "personas": str(personas_path)},
    )
