"""Input validation and crash-safe output shared by every part of coalign.

Bad input is reported as an :class:`InputError` naming the file, the line (or record) and the
field. Readers validate the whole file before returning anything, so a bad file is refused
whole rather than half-loaded. Writers go through a temporary file and an atomic rename, so a
crash never leaves a partial result behind.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class InputError(ValueError):
    """Bad input, located precisely: file, line/record and field."""

    def __init__(
        self,
        message: str,
        *,
        file: str | os.PathLike[str] | None = None,
        line: int | None = None,
        record: str | None = None,
        field: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.line = line
        self.record = record
        self.field = field
        self.message = message
        where = []
        if self.file:
            where.append(self.file)
        if line is not None:
            where.append(f"line {line}")
        if record is not None:
            where.append(f"record {record!r}")
        if field is not None:
            where.append(f"field {field!r}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class FieldError(ValueError):
    """A rule violation that knows which field it concerns (raised by record checks)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def validation_error(
    exc: ValidationError,
    *,
    file: str | os.PathLike[str],
    line: int | None = None,
    record: str | None = None,
) -> InputError:
    """Turn pydantic's error into an :class:`InputError` naming the first bad field."""
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first.get("loc", ())) or None
    return InputError(first.get("msg", str(exc)), file=file, line=line, record=record, field=field)


def iter_jsonl(path: str | os.PathLike[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, object)`` for each non-blank line; malformed JSON is an InputError."""
    p = Path(path)
    if not p.exists():
        raise InputError("file not found", file=p)
    with p.open(encoding="utf-8") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as e:
                raise InputError(
                    f"malformed JSON ({e.msg} at column {e.colno})", file=p, line=lineno
                ) from None
            if not isinstance(obj, dict):
                raise InputError("expected a JSON object", file=p, line=lineno)
            yield lineno, obj


def read_jsonl_models(
    path: str | os.PathLike[str],
    model: type[M],
    *,
    id_field: str | None = "id",
    check: Callable[[M], None] | None = None,
) -> list[M]:
    """Read and validate a whole JSONL file into ``model`` objects, or raise on the first error.

    Duplicate values of ``id_field`` are rejected. ``check`` may raise ``ValueError`` for
    cross-field rules; its message is reported with the file and line, and with the field when
    it is a :class:`FieldError`.
    """
    items: list[M] = []
    seen: dict[Any, int] = {}
    for lineno, obj in iter_jsonl(path):
        record = str(obj.get(id_field)) if id_field and id_field in obj else None
        try:
            item = model.model_validate(obj)
        except ValidationError as e:
            raise validation_error(e, file=path, line=lineno, record=record) from None
        if id_field:
            key = getattr(item, id_field)
            if key in seen:
                raise InputError(
                    f"duplicate id (first seen on line {seen[key]})",
                    file=path,
                    line=lineno,
                    record=str(key),
                    field=id_field,
                )
            seen[key] = lineno
        if check is not None:
            try:
                check(item)
            except ValueError as e:
                raise InputError(
                    str(e), file=path, line=lineno, record=record, field=getattr(e, "field", None)
                ) from None
        items.append(item)
    return items


@contextmanager
def atomic_writer(path: str | os.PathLike[str], mode: str = "w") -> Iterator[IO[Any]]:
    """Open a temporary file next to ``path``; rename it over ``path`` only on success."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_jsonl_gz(path: str | os.PathLike[str], rows: Iterable[dict[str, Any]]) -> int:
    """Write gzipped JSONL atomically with sorted keys and a zero mtime, so the same rows
    always give the same bytes (shipped data files stay reproducible). Returns the count."""
    n = 0
    with (
        atomic_writer(path, "wb") as raw,
        gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as gz,
    ):
        for r in rows:
            gz.write((json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n").encode())
            n += 1
    return n


def read_jsonl_gz(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Every record of a gzipped JSONL file written by :func:`write_jsonl_gz`."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def write_jsonl(path: str | os.PathLike[str], records: Iterable[BaseModel | dict[str, Any]]) -> int:
    """Atomically write records as JSONL; returns how many were written."""
    count = 0
    with atomic_writer(path) as fh:
        for r in records:
            data = r.model_dump(mode="json") if isinstance(r, BaseModel) else r
            fh.write(json.dumps(data, ensure_ascii=False) + "\n")
            count += 1
    return count


def append_jsonl(fh: IO[str], record: dict[str, Any]) -> None:
    """Append one record to an open journal file and make it durable (used for resumable runs)."""
    fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    fh.flush()
    os.fsync(fh.fileno())


def hub_rows(
    dataset_id: str, split: str = "train", config: str | None = None
) -> list[tuple[int, dict[str, Any]]]:
    """``(row number, row)`` for a Hugging Face hub dataset (needs the ``train`` extra's
    ``datasets`` and a network connection).

    A missing package names the extra; an unreachable hub (offline, auth, not found) is a
    RuntimeError saying to import a local file instead, never a half-finished import.
    """
    from coalign._extras import require

    datasets = require("datasets", "train", "loading from the Hugging Face hub")
    try:
        ds = datasets.load_dataset(dataset_id, config, split=split)
    except Exception as e:  # network, auth and not-found errors all arrive here
        raise RuntimeError(
            f"could not load {dataset_id!r} (split {split!r}) from the Hugging Face hub; "
            f"are you offline? ({type(e).__name__}: {e}). Import a local file instead."
        ) from None
    return [(i + 1, dict(row)) for i, row in enumerate(ds)]
