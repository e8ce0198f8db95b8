"""Typed records of the science-risk benchmark: items, and the hand-written components.

An item file is JSONL with one :class:`SciRiskItem` per line. :func:`read_items` validates the
whole file against the taxonomy (unknown discipline/subdiscipline/dimension, a dimension that
does not apply to the subdiscipline, a missing field, a duplicate id) and refuses it whole,
naming the file, the line and the field.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from coalign.io import FieldError, InputError, read_jsonl_models
from coalign.taxonomy.scirisk import SciRiskTaxonomy, load_taxonomy

Behavior = Literal["refuse", "help_with_precautions", "flag_outdated", "answer"]
BEHAVIORS: tuple[Behavior, ...] = ("refuse", "help_with_precautions", "flag_outdated", "answer")

#: The expected behaviour of a hazardous request when its component does not override it.
DEFAULT_BEHAVIOR: dict[str, Behavior] = {
    "safety_omission": "help_with_precautions",
    "laboratory_safety": "help_with_precautions",
    "knowledge_cutoff_drift": "flag_outdated",
    "privacy_leakage": "refuse",
    "mass_casualty_uplift": "refuse",
    "dangerous_synthesis": "refuse",
    "dual_use_dissemination": "refuse",
    "ecological_harm": "refuse",
    "research_integrity": "refuse",
    "infrastructure_harm": "refuse",
}

DATA_DIR = Path(__file__).with_name("data")
COMPONENTS_DIR = Path(__file__).with_name("components")
ITEMS_PATH = DATA_DIR / "scirisk_items.jsonl"


class SciRiskItem(BaseModel):
    """One request of the benchmark (a request only: the data never holds an answer)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.:\-]+$")
    prompt: str = Field(min_length=10)
    discipline: str
    subdiscipline: str
    risk_dimension: str = Field(description="the primary risk dimension (the item's cell)")
    secondary_dimensions: list[str] = Field(default_factory=list)
    severity: int = Field(ge=1, le=4, description="1 minor .. 4 catastrophic (benign: its pair's)")
    hazardous: bool
    form: str
    expected_behavior: Behavior
    pair_id: str | None = Field(
        default=None, description="shared by a hazardous item and its look-alike"
    )
    generated_by: str = Field(
        min_length=1,
        description="builder | template | model:<name> | import:<format>",
    )
    source: str = "coalign-scirisk"
    license: str = "Apache-2.0"
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("prompt")
    @classmethod
    def _strip(cls, v: str) -> str:
        v = v.strip()
        if len(v) < 10:
            raise ValueError("prompt is shorter than 10 characters")
        return v

    @property
    def risk_dimensions(self) -> list[str]:
        """Primary dimension first, then the secondary ones."""
        return [self.risk_dimension, *self.secondary_dimensions]


def check_item(item: SciRiskItem, taxonomy: SciRiskTaxonomy | None = None) -> None:
    """Cross-field rules against the taxonomy; raises ValueError naming the field."""
    tax = taxonomy or load_taxonomy()
    if item.discipline not in tax.discipline_ids:
        raise FieldError("discipline", f"unknown discipline {item.discipline!r}")
    if item.subdiscipline not in tax.subdiscipline_ids:
        raise FieldError("subdiscipline", f"unknown subdiscipline {item.subdiscipline!r}")
    if tax.discipline_of(item.subdiscipline) != item.discipline:
        raise FieldError(
            "subdiscipline",
            f"subdiscipline {item.subdiscipline!r} belongs to "
            f"{tax.discipline_of(item.subdiscipline)!r}, not {item.discipline!r}",
        )
    for fld, dim in [("risk_dimension", item.risk_dimension)] + [
        ("secondary_dimensions", d) for d in item.secondary_dimensions
    ]:
        if dim not in tax.dimension_ids:
            raise FieldError(fld, f"unknown risk dimension {dim!r}")
    if not tax.applies(item.subdiscipline, item.risk_dimension):
        raise FieldError(
            "risk_dimension",
            f"risk dimension {item.risk_dimension!r} does not apply to {item.subdiscipline!r}",
        )
    if item.form not in tax.form_ids:
        raise FieldError("form", f"unknown form {item.form!r}")
    if not item.hazardous and item.expected_behavior != "answer":
        raise FieldError("expected_behavior", "a benign item must expect 'answer'")
    if item.hazardous and item.expected_behavior == "answer":
        raise FieldError("expected_behavior", "a hazardous item cannot expect 'answer'")


def read_items(path: str | os.PathLike[str] | None = None) -> list[SciRiskItem]:
    """Read and validate a whole item file (default: the shipped dataset).

    Raises :class:`~coalign.io.InputError` naming file, line, record and field on the first
    problem (malformed JSON, a missing or bad field, an unknown discipline or dimension, a
    duplicate id); nothing is returned from a bad file.
    """
    tax = load_taxonomy()
    return read_jsonl_models(
        Path(path) if path is not None else ITEMS_PATH,
        SciRiskItem,
        check=lambda item: check_item(item, tax),
    )


# Components -----------------------------------------------------------------------------


def load_yaml(path: Path) -> Any:
    """One component YAML file; malformed YAML is an InputError naming the file."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise InputError(f"malformed YAML: {e}", file=path) from None


class Seed(BaseModel):
    """One hand-written pair: a hazardous clause and its benign look-alike in one cell."""

    severity: int = Field(ge=1, le=4)
    hazardous: str = Field(min_length=15)
    benign: str = Field(min_length=15)
    expected: Behavior | None = None

    @classmethod
    def from_entry(cls, entry: Any) -> Seed:
        """Build from the compact ``[severity, hazardous, benign, (expected)]`` list form."""
        if isinstance(entry, dict):
            return cls.model_validate(entry)
        if not isinstance(entry, list) or len(entry) not in (3, 4):
            raise ValueError("expected [severity, hazardous, benign] or with a 4th expected value")
        data: dict[str, Any] = {"severity": entry[0], "hazardous": entry[1], "benign": entry[2]}
        if len(entry) == 4:
            data["expected"] = entry[3]
        return cls.model_validate(data)


class Contexts(BaseModel):
    """Discipline-specific fillers for the request forms."""

    roles: list[str] = Field(min_length=3)
    personas: list[str] = Field(min_length=3)
    settings: list[str] = Field(min_length=3)
    projects: list[str] = Field(min_length=3)


class DisciplineComponents(BaseModel):
    """One discipline's component file."""

    discipline: str
    contexts: Contexts
    subdisciplines: dict[str, dict[str, list[Seed]]]
