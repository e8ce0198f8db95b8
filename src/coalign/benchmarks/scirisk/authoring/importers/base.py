"""The importer base class, file/hub row readers and the category mapping."""

from __future__ import annotations

import csv
import json
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml
from pydantic import ValidationError

from coalign.benchmarks.scirisk.schema import FieldError, SciRiskItem, check_item
from coalign.io import InputError, iter_jsonl, validation_error
from coalign.taxonomy.scirisk import load_taxonomy

CATEGORY_MAP_PATH = Path(__file__).with_name("category_map.yaml")

Row = dict[str, Any]
Cell = tuple[str, str, str]


def read_rows(path: str | os.PathLike[str]) -> list[tuple[int, Row]]:
    """``(line, row)`` pairs from a CSV (header on line 1), JSONL or JSON-array file."""
    p = Path(path)
    if not p.exists():
        raise InputError("file not found", file=p)
    suffix = p.suffix.lower()
    if suffix == ".jsonl":
        return list(iter_jsonl(p))
    if suffix == ".json":
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            raise InputError(f"malformed JSON ({e.msg})", file=p, line=e.lineno) from None
        if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
            raise InputError("expected a JSON array of objects", file=p)
        return [(i + 1, row) for i, row in enumerate(data)]
    if suffix in (".csv", ".tsv"):
        with p.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh, delimiter="\t" if suffix == ".tsv" else ",")
            rows = []
            start = 2
            for row in reader:
                if None in row:
                    raise InputError(
                        "row has more values than the header has columns", file=p, line=start
                    )
                rows.append((start, dict(row)))
                start = reader.line_num + 1
            return rows
    raise InputError(f"unsupported file type {suffix!r} (use .csv, .tsv, .jsonl or .json)", file=p)


@dataclass
class CategoryMap:
    """Source categories and prompt keywords -> taxonomy cells."""

    keyword_rules: list[tuple[re.Pattern[str], Cell, int]]
    sources: dict[str, dict[str, dict[str, Any]]]

    def keyword_cell(self, text: str) -> tuple[Cell, int] | None:
        """The first keyword rule matching ``text``."""
        for pattern, cell, severity in self.keyword_rules:
            if pattern.search(text):
                return cell, severity
        return None

    def resolve(self, source: str, category: str | None, text: str) -> tuple[Cell, int] | str:
        """The cell and severity for a row, or the reason it is skipped."""
        rules = self.sources.get(source, {})
        spec = rules.get(category or "", rules.get("default"))
        if spec is None:
            spec = {"keywords_only": True}
        if spec.get("skip"):
            return f"category {category!r} is outside science risk"
        kw = (
            self.keyword_cell(text) if (spec.get("keywords") or spec.get("keywords_only")) else None
        )
        if kw:
            return kw
        if spec.get("keywords_only") or "cell" not in spec:
            return f"category {category!r}: no science keyword matched"
        return tuple(spec["cell"]), int(spec.get("severity", 3))  # type: ignore[return-value]


def load_category_map(path: str | os.PathLike[str] = CATEGORY_MAP_PATH) -> CategoryMap:
    """Read and check a category map (every cell must be an applicable taxonomy cell)."""
    p = Path(path)
    if not p.exists():
        raise InputError("category map not found", file=p)
    data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    tax = load_taxonomy()

    def cell_of(raw: Any, where: str) -> Cell:
        if not isinstance(raw, list) or len(raw) != 3:
            raise InputError(
                "cell must be [discipline, subdiscipline, risk_dimension]",
                file=p,
                record=where,
                field="cell",
            )
        disc, sub, dim = (str(x) for x in raw)
        if sub not in tax.subdiscipline_ids or tax.discipline_of(sub) != disc:
            raise InputError(
                f"unknown subdiscipline {sub!r} for {disc!r}", file=p, record=where, field="cell"
            )
        if not tax.applies(sub, dim):
            raise InputError(
                f"risk dimension {dim!r} does not apply to {sub!r}",
                file=p,
                record=where,
                field="cell",
            )
        return disc, sub, dim

    rules = []
    for i, r in enumerate(data.get("keyword_rules") or []):
        try:
            pattern = re.compile(r["pattern"], re.I)
        except (KeyError, re.error) as e:
            raise InputError(
                f"bad pattern: {e}", file=p, record=f"keyword_rules[{i}]", field="pattern"
            ) from None
        rules.append(
            (pattern, cell_of(r.get("cell"), f"keyword_rules[{i}]"), int(r.get("severity", 3)))
        )
    sources: dict[str, dict[str, dict[str, Any]]] = {}
    for key, val in data.items():
        if key == "keyword_rules":
            continue
        if not isinstance(val, dict):
            raise InputError("expected a mapping of category -> rule", file=p, record=key)
        for cat, spec in val.items():
            if "cell" in spec:
                cell_of(spec["cell"], f"{key}.{cat}")
        sources[key] = val
    return CategoryMap(keyword_rules=rules, sources=sources)


@dataclass
class ImportResult:
    """Items imported, and rows skipped with the reason (outside science risk, no mapping)."""

    items: list[SciRiskItem] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the CLI."""
        return f"imported {len(self.items)} item(s), skipped {len(self.skipped)} row(s)"


class Importer(ABC):
    """One public format. Subclasses declare their columns and convert one row.

    ``columns`` maps each logical field to the accepted column names (first found wins; hub
    copies of a dataset often rename columns). Fields in ``required`` must be present in the
    header. A file is validated whole: the first bad row raises an InputError naming file,
    line and field, and nothing is returned.
    """

    name: ClassVar[str]
    source: ClassVar[str]
    license: ClassVar[str]
    columns: ClassVar[Mapping[str, tuple[str, ...]]]
    required: ClassVar[tuple[str, ...]] = ("prompt",)
    #: Fields whose value may not be empty in any row (default: the required columns).
    required_values: ClassVar[tuple[str, ...] | None] = None

    def __init__(self, category_map: CategoryMap | None = None) -> None:
        self.category_map = category_map or load_category_map()

    def _resolve_columns(self, header: Iterable[str], origin: str) -> dict[str, str]:
        cols = list(header)
        found: dict[str, str] = {}
        for logical, aliases in self.columns.items():
            for a in aliases:
                if a in cols:
                    found[logical] = a
                    break
        for logical in self.required:
            if logical not in found:
                raise InputError(
                    f"missing column for {logical!r} (expected one of {list(self.columns[logical])}); "
                    f"found columns {cols}",
                    file=origin,
                    line=1,
                    field=self.columns[logical][0],
                )
        return found

    @abstractmethod
    def convert(self, row: Mapping[str, Any], line: int) -> dict[str, Any] | str:
        """Item fields for one row (logical names), or a string saying why it is skipped."""

    def import_file(self, path: str | os.PathLike[str]) -> ImportResult:
        """Import a local CSV/JSONL/JSON file."""
        return self.import_rows(read_rows(path), origin=str(path))

    def import_rows(self, rows: list[tuple[int, Row]], origin: str) -> ImportResult:
        """Import already-read rows (from a file or the hub); validated whole."""
        result = ImportResult()
        if not rows:
            return result
        header: list[str] = []
        for _, r in rows:
            header.extend(k for k in r if k not in header)
        colmap = self._resolve_columns(header, origin)
        tax = load_taxonomy()
        seen: dict[str, int] = {}
        for line, raw in rows:
            row = {logical: raw.get(col) for logical, col in colmap.items()}
            for logical in self.required_values or self.required:
                if row.get(logical) in (None, ""):
                    raise InputError(
                        "empty required value", file=origin, line=line, field=colmap[logical]
                    )
            try:
                converted = self.convert(row, line)
            except FieldError as e:
                raise InputError(
                    str(e), file=origin, line=line, field=colmap.get(e.field, e.field)
                ) from None
            if isinstance(converted, str):
                result.skipped.append((line, converted))
                continue
            converted.setdefault("source", self.source)
            converted.setdefault("license", self.license)
            converted.setdefault("generated_by", f"import:{self.name}")
            converted["metadata"] = {
                "source": self.source,
                "license": self.license,
                "origin": origin,
                "line": line,
                **converted.get("metadata", {}),
            }
            try:
                item = SciRiskItem.model_validate(converted)
                check_item(item, tax)
            except ValidationError as e:
                err = validation_error(e, file=origin, line=line, record=str(converted.get("id")))
                raise InputError(
                    err.message,
                    file=origin,
                    line=line,
                    record=err.record,
                    field=colmap.get(str(err.field), err.field),
                ) from None
            except FieldError as e:
                raise InputError(
                    str(e),
                    file=origin,
                    line=line,
                    record=str(converted.get("id")),
                    field=colmap.get(e.field, e.field),
                ) from None
            if item.id in seen:
                raise InputError(
                    f"duplicate id (first seen on line {seen[item.id]})",
                    file=origin,
                    line=line,
                    record=item.id,
                    field=colmap.get("id", "id"),
                )
            seen[item.id] = line
            result.items.append(item)
        return result
