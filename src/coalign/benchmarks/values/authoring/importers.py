"""Importers: MVPBench / DiverValue-Bench JSON instances and PRISM survey + conversations.

Both read a local file, or the Hugging Face hub when a dataset name is given and the machine is
online (``datasets`` is then required). Nothing is vendored: the project ships only its own
small fixtures in these formats for tests.

MVPBench / DiverValue-Bench instance (JSON array or JSONL): ``id``, ``question``, ``answer_w``
(aligned with the user's values), ``answer_l`` (misaligned), ``user_id``, ``stated_prefs``
(PRISM slider scores 0-100 by dimension), ``age``, ``gender``, ``employment_status``,
``education``, ``marital_status``, ``english_proficiency``, ``birth_country`` (a name),
``self_description``, ``system_string``, ``preference``.

PRISM: ``survey.jsonl`` rows (``user_id``, ``age``, ``gender``, ``employment_status``,
``education``, ``marital_status``, ``english_proficiency``, ``stated_prefs``, ``location`` with
``birth_country``/``birth_countryISO``/``reside_country``/``reside_countryISO``) and
``conversations.jsonl`` rows (``conversation_id``, ``user_id``, ``conversation_history``: turns
with ``turn``, ``role`` user|model, ``content``, ``within_turn_id``, ``score`` 1-100,
``if_chosen``). Each rated turn becomes an item: the highest- versus the lowest-rated response
(turns where they tie are skipped). PRISM's country is the birth country, as MVPBench used.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from coalign.benchmarks.values.countries import UNSPECIFIED, lookup_country
from coalign.benchmarks.values.dimensions import dimensions
from coalign.benchmarks.values.schema import Item, Persona, ValuesDataset
from coalign.io import InputError, hub_rows, iter_jsonl, validation_error

UnknownCountry = Literal["error", "unspecified", "skip"]


@dataclass
class ImportReport:
    """What an import produced and what it skipped, with reasons."""

    items: int = 0
    personas: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        """Count one skipped record."""
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def _records(path: str | os.PathLike[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Records of a JSON array file (record numbers from 1) or a JSONL file (line numbers)."""
    p = Path(path)
    if not p.exists():
        raise InputError("file not found", file=p)
    head = p.read_text(encoding="utf-8").lstrip()[:1]
    if head == "[":
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            raise InputError(f"malformed JSON ({e.msg})", file=p, line=e.lineno) from None
        for k, obj in enumerate(data, start=1):
            if not isinstance(obj, dict):
                raise InputError("expected a JSON object", file=p, record=f"#{k}")
            yield k, obj
    else:
        yield from iter_jsonl(p)


def _weights(stated: Any) -> dict[str, float]:
    """Map PRISM/MVPBench ``stated_prefs`` onto this project's dimensions (0-100)."""
    if isinstance(stated, str):
        try:
            stated = json.loads(stated)
        except json.JSONDecodeError:
            return {}
    if not isinstance(stated, dict):
        return {}
    out: dict[str, float] = {}
    for d in dimensions():
        value = stated.get(d.prism_key, stated.get(d.id))
        if isinstance(value, int | float) and 0 <= value <= 100:
            out[d.id] = float(value)
    return out


def _age(text: Any) -> str:
    m = re.match(r"\s*(\d+\s*-\s*\d+|\d+\+?)", str(text or ""))
    return m.group(1).replace(" ", "") if m else (str(text).strip() or "unspecified")


def _clean(text: Any) -> str:
    value = str(text or "").strip()
    return value.lower() if value else "unspecified"


def _country_code(
    name: Any, policy: UnknownCountry, *, file: Path, line: int, fld: str, report: ImportReport
) -> str | None:
    c = lookup_country(str(name or ""))
    if c is not None:
        return c.code
    if policy == "error":
        raise InputError(
            f"unknown country {name!r}; pass unknown_country='unspecified' or 'skip' to import "
            "anyway",
            file=file,
            line=line,
            field=fld,
        )
    if policy == "skip":
        report.skip("unknown country")
        return None
    return UNSPECIFIED


def _profile(row: dict[str, Any], code: str, preference_field: str, source: str) -> dict[str, Any]:
    """Persona fields from a source row whose demographic columns share PRISM's names."""
    return {
        "country": code,
        "birth_country": code,
        "age": _age(row.get("age")),
        "gender": _clean(row.get("gender")),
        "education": _clean(row.get("education")),
        "employment_status": _clean(row.get("employment_status")),
        "english_proficiency": _clean(row.get("english_proficiency")),
        "marital_status": _clean(row.get("marital_status")),
        "weights": _weights(row.get("stated_prefs")),
        "preference": str(row.get(preference_field) or "")[:2000],
        "source": source,
    }


def _persona(pid: str, fields: dict[str, Any], *, file: Path, line: int) -> Persona:
    try:
        return Persona.model_validate({"id": pid, **fields})
    except ValidationError as e:
        raise validation_error(e, file=file, line=line, record=pid) from None


def _shuffled(item_id: str, w: str, lo: str) -> tuple[list[str], int]:
    """Put the preferred answer first or second by a hash of the id (no position cue)."""
    if hashlib.sha256(item_id.encode()).digest()[0] % 2 == 0:
        return [w, lo], 0
    return [lo, w], 1


def import_mvpbench(
    path: str | os.PathLike[str], *, unknown_country: UnknownCountry = "error"
) -> tuple[ValuesDataset, ImportReport]:
    """MVPBench/DiverValue-Bench instances into personas and items (source ``mvpbench``)."""
    p = Path(path)
    report = ImportReport()
    personas: dict[str, Persona] = {}
    items: list[Item] = []
    seen: set[str] = set()
    for line, rec in _records(p):
        for key in ("id", "question", "answer_w", "answer_l"):
            if not str(rec.get(key) or "").strip():
                raise InputError("missing or empty", file=p, line=line, field=key)
        item_id = f"mvp-{rec['id']}"
        if item_id in seen:
            raise InputError("duplicate id", file=p, line=line, record=str(rec["id"]), field="id")
        seen.add(item_id)
        code = _country_code(
            rec.get("birth_country"),
            unknown_country,
            file=p,
            line=line,
            fld="birth_country",
            report=report,
        )
        if code is None:
            continue
        pid = f"mvp-{rec.get('user_id') or rec['id']}"
        if pid not in personas:
            personas[pid] = _persona(
                pid, _profile(rec, code, "preference", "mvpbench"), file=p, line=line
            )
        responses, preferred = _shuffled(item_id, str(rec["answer_w"]), str(rec["answer_l"]))
        items.append(
            Item(
                id=item_id,
                persona_id=pid,
                question=str(rec["question"]),
                responses=responses,
                preferred=preferred,
                source="mvpbench",
            )
        )
    report.items, report.personas = len(items), len(personas)
    return ValuesDataset(personas=personas, items=items, source={"mvpbench": str(p)}), report


def import_prism(
    survey: str | os.PathLike[str] | None = None,
    conversations: str | os.PathLike[str] | None = None,
    *,
    hub: str | None = None,
    unknown_country: UnknownCountry = "unspecified",
    first_turn_only: bool = True,
) -> tuple[ValuesDataset, ImportReport]:
    """PRISM survey + conversations into personas and items (source ``prism``).

    Give the two local JSONL files, or ``hub="HannahRoseKirk/prism-alignment"`` when online.
    """
    report = ImportReport()
    if hub:
        survey_rows: Iterator[tuple[int, dict[str, Any]]] = iter(hub_rows(hub, "train", "survey"))
        conv_rows: Iterator[tuple[int, dict[str, Any]]] = iter(
            hub_rows(hub, "train", "conversations")
        )
        s_path, c_path = Path(f"hf://{hub}/survey"), Path(f"hf://{hub}/conversations")
    else:
        if survey is None or conversations is None:
            raise ValueError("import_prism needs survey and conversations files, or hub=")
        s_path, c_path = Path(survey), Path(conversations)
        survey_rows, conv_rows = iter_jsonl(s_path), iter_jsonl(c_path)
    personas: dict[str, Persona] = {}
    for line, row in survey_rows:
        uid = str(row.get("user_id") or "").strip()
        if not uid:
            raise InputError("missing user_id", file=s_path, line=line, field="user_id")
        loc = row.get("location") or {}
        if not isinstance(loc, dict):
            loc = {}
        birth = loc.get("birth_countryISO") or loc.get("birth_country")
        code = _country_code(
            birth,
            unknown_country,
            file=s_path,
            line=line,
            fld="location.birth_country",
            report=report,
        )
        if code is None:
            continue
        pid = f"prism-{uid}"
        if pid in personas:
            raise InputError("duplicate user_id", file=s_path, line=line, field="user_id")
        personas[pid] = _persona(
            pid, _profile(row, code, "system_string", "prism"), file=s_path, line=line
        )
    items: list[Item] = []
    seen_ids: set[str] = set()
    for line, row in conv_rows:
        pid = f"prism-{row.get('user_id')}"
        if pid not in personas:
            report.skip("participant not in survey")
            continue
        history = row.get("conversation_history")
        if not isinstance(history, list):
            raise InputError(
                "expected a list", file=c_path, line=line, field="conversation_history"
            )
        turns: dict[int, dict[str, Any]] = {}
        for k, entry in enumerate(history):
            if not isinstance(entry, dict):
                raise InputError(
                    "expected an object",
                    file=c_path,
                    line=line,
                    field=f"conversation_history.{k}",
                )
            t = int(entry.get("turn", 0) or 0)
            slot = turns.setdefault(t, {"user": None, "models": []})
            if entry.get("role") == "user":
                slot["user"] = str(entry.get("content") or "")
            elif entry.get("role") == "model":
                score = entry.get("score")
                if not isinstance(score, int | float):
                    raise InputError(
                        "model response without a numeric score",
                        file=c_path,
                        line=line,
                        field=f"conversation_history.{k}.score",
                    )
                slot["models"].append((float(score), str(entry.get("content") or "")))
        for t in sorted(turns):
            if first_turn_only and t != min(turns):
                continue
            slot = turns[t]
            models = [m for m in slot["models"] if m[1].strip()]
            if not slot["user"] or len(models) < 2:
                report.skip("turn without a prompt or two rated responses")
                continue
            hi = max(models, key=lambda m: m[0])
            lo = min(models, key=lambda m: m[0])
            if hi[0] == lo[0]:
                report.skip("highest and lowest rating tie")
                continue
            item_id = f"prism-{row.get('conversation_id')}-t{t}"
            if item_id in seen_ids:
                raise InputError(
                    "duplicate conversation_id", file=c_path, line=line, field="conversation_id"
                )
            seen_ids.add(item_id)
            responses, preferred = _shuffled(item_id, hi[1], lo[1])
            items.append(
                Item(
                    id=item_id,
                    persona_id=pid,
                    question=slot["user"],
                    responses=responses,
                    preferred=preferred,
                    topic=str(row.get("conversation_type") or "") or None,
                    source="prism",
                )
            )
    used = {i.persona_id for i in items}
    personas = {k: v for k, v in personas.items() if k in used}
    report.items, report.personas = len(items), len(personas)
    return ValuesDataset(personas=personas, items=items, source={"prism": str(c_path)}), report
