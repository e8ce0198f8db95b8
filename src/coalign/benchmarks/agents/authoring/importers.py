"""Importer for released ForesightSafety-SAGE data, used unchanged.

Point it at a checkout's ``data/`` directory (or the repository root): family files are read
from ``families/<dimension>/<subcategory>.json`` and scenarios from
``tasks/<dimension>/<subcategory>_seeds/<file>`` (``benchmark.json`` by default, falling back
to ``seeds.json``). Every instance is validated and its tools resolved to simulators; the
first problem is reported with the file, the instance id and the field.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from pydantic import ValidationError

from coalign.benchmarks.agents.families import load_family_file
from coalign.benchmarks.agents.scenarios import parse_instance
from coalign.benchmarks.agents.schema import Family, ScenarioRecord, TaskFile
from coalign.io import InputError, validation_error


def sage_dirs(root: str | Path) -> tuple[Path, Path]:
    """``(families_dir, tasks_dir)`` of a SAGE checkout or its ``data/`` directory."""
    r = Path(root)
    for base in (r, r / "data"):
        if (base / "families").is_dir() and (base / "tasks").is_dir():
            return base / "families", base / "tasks"
    raise InputError("not a SAGE data directory (needs families/ and tasks/)", file=r)


def load_sage_families(families_dir: Path) -> dict[str, Family]:
    """All family files under ``families_dir``, keyed by family_id."""
    out: dict[str, Family] = {}
    for path in sorted(families_dir.glob("*/*.json")):
        for fam in load_family_file(path):
            out[fam.family_id] = fam
    if not out:
        raise InputError("no family files found", file=families_dir)
    return out


def import_sage(
    root: str | Path, *, file_name: str = "benchmark.json", fallback: str = "seeds.json"
) -> tuple[list[ScenarioRecord], dict[str, Family]]:
    """Validated scenarios and their families from a SAGE data directory."""
    fam_dir, task_dir = sage_dirs(root)
    families = load_sage_families(fam_dir)
    records: list[ScenarioRecord] = []
    seen: dict[str, str] = {}
    for sub_dir in sorted(p for p in task_dir.glob("*/*") if p.is_dir()):
        path = sub_dir / file_name if (sub_dir / file_name).exists() else sub_dir / fallback
        if not path.exists():
            continue
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            raise InputError(f"malformed JSON ({e.msg})", file=path, line=e.lineno) from None
        try:
            task = TaskFile.model_validate(doc)
        except ValidationError as e:
            raise validation_error(e, file=path) from None
        family = families.get(task.family_id)
        if family is None:
            raise InputError(f"no family file for {task.family_id!r}", file=path, field="family_id")
        rel = str(path.relative_to(task_dir))
        for i, raw in enumerate(task.instances):
            rec = parse_instance(raw, family, file=str(path), index=i, source=f"import:{rel}")
            if rec.instance_id in seen:
                raise InputError(
                    f"duplicate instance id (also in {seen[rec.instance_id]})",
                    file=path,
                    record=rec.instance_id,
                    field="instance_id",
                )
            seen[rec.instance_id] = rel
            records.append(rec)
    if not records:
        raise InputError(f"no task files named {file_name} or {fallback}", file=task_dir)
    return records, families


def summary(records: list[ScenarioRecord]) -> Counter[tuple[str, str]]:
    """Scenario counts per (dimension, subcategory)."""
    return Counter((r.dimension, r.subcategory) for r in records)
