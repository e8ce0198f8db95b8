"""Training data for corrections: preference pairs (DPO) and corrected responses (SFT).

Pairs come from several JSONL files (oversight exports, values training pairs, ...) in the
:mod:`coalign.pairs` format; they are combined into one :class:`PreferenceDataset` that keeps,
for every pair, the file it came from and its ``source`` (kind, review/item ids), and the
SHA-256 of each file for the adapter's manifest.

Held-out evaluation items are kept out by construction: :func:`check_no_leakage` refuses a
dataset in which any pair names a held-out item id (in ``source.ids`` or ``source.item_id``)
or whose user prompt equals a held-out prompt after normalisation (case, whitespace,
punctuation and Unicode form), and the training functions call it before anything loads.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator

from coalign.io import InputError, read_jsonl_models
from coalign.pairs import Message, PairSource, PreferencePair, read_pairs


class EmptyDatasetError(ValueError):
    """No training examples: training would do nothing, so it is refused."""


class LeakageError(ValueError):
    """Training data contains held-out evaluation items; lists every offending pair."""

    def __init__(self, leaks: list[Leak]) -> None:
        self.leaks = leaks
        shown = "\n".join(f"  - {leak.describe()}" for leak in leaks[:20])
        more = f"\n  ... and {len(leaks) - 20} more" if len(leaks) > 20 else ""
        super().__init__(
            f"{len(leaks)} training example(s) overlap the held-out evaluation items; "
            f"remove them before training, or the after-correction figures would be measured "
            f"on training data:\n{shown}{more}"
        )


@dataclass(frozen=True)
class Leak:
    """One training example that matches a held-out item."""

    example_id: str
    file: str | None
    reason: str  # "item id" | "prompt"
    matched: str

    def describe(self) -> str:
        """One line for the error message."""
        where = f" ({self.file})" if self.file else ""
        return (
            f"example {self.example_id!r}{where}: same {self.reason} as held-out {self.matched!r}"
        )


def normalise_prompt(text: str) -> str:
    """Canonical form for comparing prompts: NFKC, case-folded, punctuation and spacing removed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def _user_text(prompt: Sequence[Message]) -> str:
    # The held-out comparison is on what the user asked: system prompts (personas, policies) are
    # shared across items and would make every prompt look alike.
    users = [m.content for m in prompt if m.role == "user"]
    return "\n".join(users) if users else "\n".join(m.content for m in prompt)


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of a file's bytes (recorded in the adapter manifest)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class SFTExample(BaseModel):
    """A prompt and the response the model should learn (e.g. a human-corrected answer)."""

    id: str
    prompt: list[Message] = Field(min_length=1)
    completion: list[Message] = Field(min_length=1)
    source: PairSource

    @field_validator("completion")
    @classmethod
    def _assistant_only(cls, v: list[Message]) -> list[Message]:
        if any(m.role != "assistant" for m in v):
            raise ValueError("completion must contain assistant messages only")
        if not any(m.content.strip() for m in v):
            raise ValueError("completion must not be empty")
        return v

    @model_validator(mode="before")
    @classmethod
    def _from_pair(cls, data: Any) -> Any:
        # A preference pair is accepted as SFT data: its chosen response is the target.
        if isinstance(data, dict) and "completion" not in data and "chosen" in data:
            data = {k: v for k, v in data.items() if k not in ("chosen", "rejected")} | {
                "completion": data["chosen"]
            }
        return data

    def to_trl(self) -> dict[str, object]:
        """TRL's conversational prompt-completion record."""
        return {
            "prompt": [m.model_dump() for m in self.prompt],
            "completion": [m.model_dump() for m in self.completion],
        }


@dataclass
class DataFile:
    """One input file: path, hash and how many examples it gave."""

    path: str
    sha256: str
    count: int

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the manifest."""
        return {"path": self.path, "sha256": self.sha256, "count": self.count}


@dataclass
class _Dataset:
    files: list[DataFile] = field(default_factory=list)
    origin: dict[str, str] = field(default_factory=dict)  # example id -> file it came from

    def provenance(self) -> dict[str, Any]:
        """Files with hashes and counts of examples by source kind, for the manifest."""
        kinds: dict[str, int] = {}
        for ex in self._examples():
            kinds[ex.source.kind] = kinds.get(ex.source.kind, 0) + 1
        return {
            "files": [f.to_dict() for f in self.files],
            "count": len(self._examples()),
            "by_kind": dict(sorted(kinds.items())),
        }

    def _examples(self) -> Sequence[PreferencePair | SFTExample]:
        raise NotImplementedError

    def check_no_leakage(
        self, held_out_ids: Iterable[str] = (), held_out_prompts: Iterable[str] = ()
    ) -> None:
        """Raise :class:`LeakageError` if any example matches a held-out item id or prompt."""
        check_no_leakage(self._examples(), held_out_ids, held_out_prompts, origin=self.origin)

    def require_nonempty(self) -> None:
        """Raise :class:`EmptyDatasetError` when there is nothing to train on."""
        if not self._examples():
            files = ", ".join(f.path for f in self.files) or "no files"
            raise EmptyDatasetError(f"no training examples (read {files}); nothing to train on")


@dataclass
class PreferenceDataset(_Dataset):
    """Preference pairs combined from several sources, with provenance."""

    pairs: list[PreferencePair] = field(default_factory=list)

    def _examples(self) -> Sequence[PreferencePair]:
        return self.pairs

    def __len__(self) -> int:
        return len(self.pairs)

    def to_trl(self) -> list[dict[str, object]]:
        """Records for TRL's DPOTrainer."""
        return [p.to_trl() for p in self.pairs]


@dataclass
class SFTDataset(_Dataset):
    """Prompt/response examples for supervised fine-tuning, with provenance."""

    examples: list[SFTExample] = field(default_factory=list)

    def _examples(self) -> Sequence[SFTExample]:
        return self.examples

    def __len__(self) -> int:
        return len(self.examples)

    def to_trl(self) -> list[dict[str, object]]:
        """Records for TRL's SFTTrainer."""
        return [e.to_trl() for e in self.examples]


def _merge_ids(
    items: Iterable[tuple[str, PreferencePair | SFTExample]], origin: dict[str, str]
) -> None:
    for file, ex in items:
        if ex.id in origin:
            raise InputError(
                f"duplicate example id across files (also in {origin[ex.id]})",
                file=file,
                record=ex.id,
                field="id",
            )
        origin[ex.id] = file


def combine_pairs(
    sources: Iterable[str | os.PathLike[str] | PreferencePair],
    *,
    held_out_ids: Iterable[str] = (),
    held_out_prompts: Iterable[str] = (),
    allow_empty: bool = False,
) -> PreferenceDataset:
    """Read and combine preference-pair files (and/or in-memory pairs) into one dataset.

    Each file is validated whole (:func:`coalign.pairs.read_pairs`); ids must be unique across
    all sources. Held-out item ids and prompts are checked (:class:`LeakageError`) and an empty
    result is refused (:class:`EmptyDatasetError`) unless ``allow_empty``.
    """
    ds = PreferenceDataset()
    loose: list[PreferencePair] = []
    for src in sources:
        if isinstance(src, PreferencePair):
            loose.append(src)
            continue
        pairs = read_pairs(src)
        ds.files.append(DataFile(str(src), file_sha256(src), len(pairs)))
        _merge_ids(((str(src), p) for p in pairs), ds.origin)
        ds.pairs.extend(pairs)
    if loose:
        _merge_ids((("<in memory>", p) for p in loose), ds.origin)
        ds.pairs.extend(loose)
    ds.check_no_leakage(held_out_ids, held_out_prompts)
    if not allow_empty:
        ds.require_nonempty()
    return ds


def read_sft(
    sources: Iterable[str | os.PathLike[str] | SFTExample | PreferencePair],
    *,
    held_out_ids: Iterable[str] = (),
    held_out_prompts: Iterable[str] = (),
    allow_empty: bool = False,
) -> SFTDataset:
    """Read SFT examples (``prompt`` + ``completion``, or preference pairs whose ``chosen`` is used).

    Same validation, provenance, leakage and emptiness rules as :func:`combine_pairs`.
    """
    ds = SFTDataset()
    loose: list[SFTExample] = []
    for src in sources:
        if isinstance(src, SFTExample):
            loose.append(src)
            continue
        if isinstance(src, PreferencePair):
            loose.append(SFTExample.model_validate(src.model_dump()))
            continue
        examples = read_jsonl_models(src, SFTExample, id_field="id")
        ds.files.append(DataFile(str(src), file_sha256(src), len(examples)))
        _merge_ids(((str(src), e) for e in examples), ds.origin)
        ds.examples.extend(examples)
    if loose:
        _merge_ids((("<in memory>", e) for e in loose), ds.origin)
        ds.examples.extend(loose)
    ds.check_no_leakage(held_out_ids, held_out_prompts)
    if not allow_empty:
        ds.require_nonempty()
    return ds


def check_no_leakage(
    examples: Iterable[PreferencePair | SFTExample],
    held_out_ids: Iterable[str] = (),
    held_out_prompts: Iterable[str] = (),
    *,
    origin: dict[str, str] | None = None,
) -> None:
    """Fail loudly when training examples overlap held-out evaluation items.

    An example leaks when its ``source.item_id`` or any of its ``source.ids`` is a held-out item
    id (exact match), or when its user prompt equals a held-out prompt after
    :func:`normalise_prompt`. Every leak is listed in the :class:`LeakageError`.
    """
    ids = {str(i) for i in held_out_ids}
    prompts = {normalise_prompt(p): p for p in held_out_prompts}
    prompts.pop("", None)
    leaks: list[Leak] = []
    for ex in examples:
        file = (origin or {}).get(ex.id)
        named = ([ex.source.item_id] if ex.source.item_id else []) + list(ex.source.ids)
        hit = next((i for i in named if i in ids), None)
        if hit is not None:
            leaks.append(Leak(ex.id, file, "item id", hit))
            continue
        norm = normalise_prompt(_user_text(ex.prompt))
        if norm in prompts:
            leaks.append(Leak(ex.id, file, "prompt", prompts[norm][:80]))
    if leaks:
        raise LeakageError(leaks)


def held_out_from_jsonl(path: str | os.PathLike[str]) -> tuple[list[str], list[str]]:
    """Held-out item ids and prompts from a JSONL file of evaluation items.

    Each record needs an ``id`` (or ``item_id``) and may carry ``prompt`` / ``input`` as text or
    chat messages; this reads benchmark item files and Inspect-style sample exports alike.
    """
    from coalign.io import iter_jsonl

    ids: list[str] = []
    prompts: list[str] = []
    for line, obj in iter_jsonl(path):
        ident = obj.get("item_id", obj.get("id"))
        if ident is None:
            raise InputError("held-out item has no 'id' or 'item_id'", file=path, line=line)
        ids.append(str(ident))
        text = obj.get("prompt", obj.get("input"))
        if isinstance(text, list):
            text = "\n".join(
                str(m.get("content", ""))
                for m in text
                if isinstance(m, dict) and m.get("role") == "user"
            )
        if isinstance(text, str) and text.strip():
            prompts.append(text)
    return ids, prompts
