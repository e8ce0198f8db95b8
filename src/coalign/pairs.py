"""Preference pairs: the contract between oversight/values exports and correction imports.

The JSONL format is TRL's conversational preference format (``prompt`` as chat messages,
``chosen`` and ``rejected`` as single assistant messages) plus ``source``: which kind of
record produced the pair and the ids of the reviews or items it came from, so every trained
adapter can be traced back to human decisions.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from coalign.io import read_jsonl_models, write_jsonl


class Message(BaseModel):
    """One chat message."""

    role: Literal["system", "user", "assistant"]
    content: str


class PairSource(BaseModel):
    """Where a pair came from."""

    kind: str = Field(description="e.g. 'oversight', 'values', 'scirisk'")
    ids: list[str] = Field(min_length=1, description="review or item ids the pair came from")
    item_id: str | None = Field(default=None, description="benchmark item the prompt came from")
    benchmark: str | None = None


class PreferencePair(BaseModel):
    """A DPO preference pair in TRL's conversational format with provenance."""

    id: str
    prompt: list[Message] = Field(min_length=1)
    chosen: list[Message] = Field(min_length=1)
    rejected: list[Message] = Field(min_length=1)
    source: PairSource

    @field_validator("chosen", "rejected")
    @classmethod
    def _assistant_only(cls, v: list[Message]) -> list[Message]:
        if any(m.role != "assistant" for m in v):
            raise ValueError("chosen/rejected must contain assistant messages only")
        if not any(m.content.strip() for m in v):
            raise ValueError("chosen/rejected must not be empty")
        return v

    def to_trl(self) -> dict[str, object]:
        """The record as TRL's DPOTrainer reads it (extra provenance dropped)."""
        return {
            "prompt": [m.model_dump() for m in self.prompt],
            "chosen": [m.model_dump() for m in self.chosen],
            "rejected": [m.model_dump() for m in self.rejected],
        }


def read_pairs(path: str | os.PathLike[str]) -> list[PreferencePair]:
    """Read and validate a preference-pair JSONL file (whole file or nothing)."""
    return read_jsonl_models(path, PreferencePair, id_field="id")


def write_pairs(path: str | os.PathLike[str], pairs: Iterable[PreferencePair]) -> int:
    """Atomically write preference pairs as JSONL."""
    return write_jsonl(path, pairs)
