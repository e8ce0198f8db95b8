"""The seven value dimensions, loaded from ``coalign/taxonomy/values_dimensions.yaml``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel

import coalign

DIMENSIONS_FILE = Path(coalign.__file__).parent / "taxonomy" / "values_dimensions.yaml"


class Dimension(BaseModel):
    """One value dimension of an answer."""

    id: str
    name: str
    prism_key: str
    description: str
    prefers: str


@lru_cache(maxsize=1)
def dimensions() -> tuple[Dimension, ...]:
    """All dimensions in their fixed order."""
    data = yaml.safe_load(DIMENSIONS_FILE.read_text(encoding="utf-8"))
    return tuple(Dimension.model_validate(d) for d in data["dimensions"])


def dimension_ids() -> tuple[str, ...]:
    """Dimension ids in their fixed order (creativity ... helpfulness)."""
    return tuple(d.id for d in dimensions())


def dimension(dim_id: str) -> Dimension:
    """Look a dimension up by id; ``KeyError`` names the known ids."""
    for d in dimensions():
        if d.id == dim_id:
            return d
    raise KeyError(f"unknown value dimension {dim_id!r}; known: {', '.join(dimension_ids())}")
