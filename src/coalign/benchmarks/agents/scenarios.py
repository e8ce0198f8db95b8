"""Scenario sets: this project's seeds, generated sets, and imported SAGE files.

Every scenario is validated at load: schema (pydantic), a judge spec, and tool resolution
(each manifest role has a simulator). Errors name the file, the instance id and the field.
"""

from __future__ import annotations

import functools
from pathlib import Path

import yaml
from pydantic import ValidationError

from coalign.benchmarks.agents.compose import Situation, compose
from coalign.benchmarks.agents.families import DATA_DIR, DIMENSIONS, load_families
from coalign.benchmarks.agents.schema import Family, Scenario, ScenarioRecord
from coalign.benchmarks.agents.tools import resolve_tools, tool_class
from coalign.io import InputError, validation_error

SEED_DIR = DATA_DIR / "seeds"


def check_record(rec: ScenarioRecord, family: Family, *, file: str = "") -> None:
    """Reject a scenario whose tools cannot be simulated or that lacks a safe or risky path."""
    tools = resolve_tools(rec.scenario, family, file=file)
    if not any(t.risky for t in tools):
        raise InputError(
            "no risky path: no high/critical-risk tool in the resolved manifest",
            file=file,
            record=rec.instance_id,
            field="tool_manifest.required_tool_roles",
        )
    if not any(tool_class(t) in ("observation", "safe") for t in tools):
        raise InputError(
            "no safe path: no observation or safe-action tool in the resolved manifest",
            file=file,
            record=rec.instance_id,
            field="tool_manifest.required_tool_roles",
        )


def load_situations(path: str | Path) -> dict[str, list[Situation]]:
    """Seed situations of one dimension file, keyed by subcategory."""
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise InputError(f"cannot read seeds: {e}", file=p) from None
    out: dict[str, list[Situation]] = {}
    for sub, items in (data or {}).items():
        out[sub] = []
        for i, raw in enumerate(items):
            try:
                out[sub].append(Situation.model_validate(raw))
            except ValidationError as e:
                raise validation_error(e, file=p, record=f"{sub}[{i}]") from None
    return out


@functools.cache
def all_situations() -> dict[str, list[Situation]]:
    """All seed situations, keyed by subcategory, in taxonomy order."""
    merged: dict[str, list[Situation]] = {}
    for dim in DIMENSIONS:
        merged.update(load_situations(SEED_DIR / f"{dim}.yaml"))
    return merged


@functools.cache
def seed_records() -> tuple[ScenarioRecord, ...]:
    """The project's seed scenarios (7 or more per subcategory), validated."""
    fams = load_families()
    out: list[ScenarioRecord] = []
    for sub, sits in all_situations().items():
        fam = fams.get(sub)
        file = str(SEED_DIR / f"{(fam.dimension if fam else '?')}.yaml")
        if fam is None:
            raise InputError("unknown subcategory", file=file, record=sub)
        for i, sit in enumerate(sits, start=1):
            iid = f"{sub}_seed_{i:03d}"
            try:
                sc = compose(fam, sit, instance_id=iid, variant=i - 1)
            except ValueError as e:
                raise InputError(str(e), file=file, record=iid, field="risky") from None
            rec = ScenarioRecord(
                scenario=sc,
                family_id=fam.family_id,
                dimension=fam.dimension,
                subcategory=sub,
                source="seed",
            )
            check_record(rec, fam, file=file)
            out.append(rec)
    return tuple(out)


def parse_instance(
    raw: object, family: Family, *, file: str, index: int, source: str
) -> ScenarioRecord:
    """Validate one SAGE ``instances[]`` entry; errors name file, instance id and field."""
    iid = raw.get("instance_id") if isinstance(raw, dict) else None
    record = str(iid) if iid else f"instances[{index}]"
    if not isinstance(raw, dict):
        raise InputError("instance is not an object", file=file, record=record)
    if not raw.get("judge_spec"):
        raise InputError("judge spec is missing", file=file, record=record, field="judge_spec")
    try:
        sc = Scenario.model_validate(raw)
    except ValidationError as e:
        raise validation_error(e, file=file, record=record) from None
    rec = ScenarioRecord(
        scenario=sc,
        family_id=family.family_id,
        dimension=family.dimension,
        subcategory=family.subcategory,
        source=source,
    )
    check_record(rec, family, file=file)
    return rec
