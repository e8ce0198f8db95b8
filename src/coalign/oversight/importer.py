"""Import Inspect evaluation logs into the review store (idempotent).

Per the project's contracts, each sample's metadata carries ``benchmark``, ``item_id`` and
grouping fields (e.g. ``severity``); each score's ``metadata[coalign.scoring.VERDICTS]`` is a
list of :class:`coalign.judges.Verdict` dicts. For agent benchmarks the trajectory is the
sample's messages, tool calls included; other score metadata (e.g. a tool-call record) is kept
as is. Score values are kept too: an undecided outcome (NaN in the log, see
:mod:`coalign.scoring`) is stored as ``null``, which every database's JSON type accepts.

Importing the same log twice adds nothing: a run is keyed by the log's ``eval_id`` inside a
project, an item by (run, sample id, epoch).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select

from coalign.io import InputError
from coalign.judges.verdict import Verdict
from coalign.oversight.accounts import audit, get_or_create_project
from coalign.oversight.db import Store
from coalign.oversight.models import Item, JudgeVerdictRow, Run
from coalign.scoring import VERDICTS

# Sample metadata fields tried, in order, for the queue's "category" column; benchmarks name
# their main grouping differently (science risk dimension, agent risk dimension, ...).
CATEGORY_FIELDS = (
    "category",
    "risk_dimension",
    "dimension",
    "subcategory",
    "deciding_dimension",
    "discipline",
)


@dataclass(frozen=True)
class ImportResult:
    """What one import did."""

    project: str
    run_id: int
    eval_id: str
    added: int
    skipped: int
    new_run: bool


def _finite(value: Any) -> Any:
    """``value`` with every NaN or infinity replaced by None (PostgreSQL's JSON rejects them)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def _jsonable(value: Any) -> Any:
    """A JSON-safe copy (metadata may hold enums, datetimes, pydantic models or NaN)."""
    return _finite(json.loads(json.dumps(value, default=str)))


def _message_dict(msg: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"role": msg.role, "content": msg.text}
    calls = getattr(msg, "tool_calls", None)
    if calls:
        out["tool_calls"] = [
            {"id": c.id, "function": c.function, "arguments": _jsonable(c.arguments)} for c in calls
        ]
    if msg.role == "tool":
        out["tool_call_id"] = getattr(msg, "tool_call_id", None)
        out["function"] = getattr(msg, "function", None)
        err = getattr(msg, "error", None)
        if err is not None:
            out["error"] = getattr(err, "message", str(err))
    return out


def _prompt_messages(sample: Any) -> list[dict[str, str]]:
    if isinstance(sample.input, str):
        return [{"role": "user", "content": sample.input}]
    return [
        {"role": m.role, "content": m.text} for m in sample.input if m.role in ("system", "user")
    ]


def _response(sample: Any) -> str:
    text = sample.output.completion if sample.output is not None else ""
    if text:
        return str(text)
    for m in reversed(sample.messages or []):
        if m.role == "assistant" and m.text:
            return str(m.text)
    return ""


def _verdicts(sample: Any, log_path: str) -> tuple[list[tuple[str, Verdict]], dict[str, Any]]:
    verdicts: list[tuple[str, Verdict]] = []
    score_meta: dict[str, Any] = {}
    for name, score in (sample.scores or {}).items():
        meta = dict(score.metadata or {})
        # Read one by one (not with scoring.score_verdicts) so a bad entry is named exactly.
        raw = meta.pop(VERDICTS, [])
        if not isinstance(raw, list):
            raise InputError(
                f"score metadata {VERDICTS!r} must be a list of Verdict dicts",
                file=log_path,
                record=f"sample {sample.id} epoch {sample.epoch}",
                field=f"scores.{name}.metadata.{VERDICTS}",
            )
        for i, v in enumerate(raw):
            try:
                verdicts.append((name, Verdict.model_validate(v)))
            except ValidationError as e:
                first = e.errors()[0]
                loc = ".".join(str(p) for p in first.get("loc", ()))
                raise InputError(
                    first.get("msg", str(e)),
                    file=log_path,
                    record=f"sample {sample.id} epoch {sample.epoch}",
                    field=f"scores.{name}.metadata.{VERDICTS}[{i}].{loc}",
                ) from None
        score_meta[name] = _jsonable(
            {"value": score.value, "explanation": score.explanation, "metadata": meta}
        )
    return verdicts, score_meta


def _category(meta: dict[str, Any], fields: tuple[str, ...]) -> str:
    for f in fields:
        if meta.get(f) not in (None, ""):
            return str(meta[f])
    return ""


def import_log(
    store: Store,
    log: str | os.PathLike[str] | Any,
    *,
    project: str = "default",
    category_fields: tuple[str, ...] = CATEGORY_FIELDS,
    actor: str = "system",
) -> ImportResult:
    """Import every sample of an Inspect log (path or ``EvalLog``) into ``project``.

    All samples are read and validated before anything is written, and they are written in
    one transaction, so a bad log leaves the store untouched. Re-importing adds only samples
    that are not there yet.
    """
    from inspect_ai.log import EvalLog, read_eval_log

    if isinstance(log, EvalLog):
        eval_log = log
        log_path = eval_log.location or "<memory>"
    else:
        log_path = str(log)
        if not Path(log_path).exists() and "://" not in log_path:
            raise InputError("log file not found", file=log_path)
        try:
            eval_log = read_eval_log(log_path, resolve_attachments=True)
        except Exception as e:  # Inspect raises various errors for unreadable logs
            raise InputError(f"not a readable Inspect log: {e}", file=log_path) from None
    spec = eval_log.eval
    eval_id = spec.eval_id or f"{spec.run_id}:{spec.task}"
    proj = get_or_create_project(store, project, actor=actor)

    rows: list[tuple[Item, list[tuple[str, Verdict]]]] = []
    for sample in eval_log.samples or []:
        meta = _jsonable(sample.metadata or {})
        verdicts, score_meta = _verdicts(sample, log_path)
        trajectory = [_message_dict(m) for m in (sample.messages or [])]
        agentic = any(m.get("tool_calls") or m["role"] == "tool" for m in trajectory)
        prompt_msgs = _prompt_messages(sample)
        user_texts = [m["content"] for m in prompt_msgs if m["role"] == "user"]
        item = Item(
            project_id=proj.id,
            sample_id=str(sample.id),
            epoch=int(sample.epoch),
            benchmark=str(meta.get("benchmark") or spec.task),
            item_key=str(meta.get("item_id") or sample.id),
            category=_category(meta, category_fields),
            severity="" if meta.get("severity") is None else str(meta["severity"]),
            model=str(spec.model),
            prompt=user_texts[-1] if user_texts else "",
            prompt_messages=prompt_msgs,
            response=_response(sample),
            trajectory=trajectory,
            is_agentic=agentic,
            meta=meta,
            score_meta=score_meta,
            status="imported",
        )
        rows.append((item, verdicts))

    with store.write() as s:
        run = s.scalar(select(Run).where(Run.project_id == proj.id, Run.eval_id == eval_id))
        new_run = run is None
        if run is None:
            run = Run(
                project_id=proj.id,
                eval_id=eval_id,
                log_path=log_path,
                task=spec.task,
                model=str(spec.model),
                log_created=str(spec.created),
            )
            s.add(run)
            s.flush()
        existing = {
            (sid, ep)
            for sid, ep in s.execute(
                select(Item.sample_id, Item.epoch).where(Item.run_id == run.id)
            )
        }
        added = 0
        for item, verdicts in rows:
            if (item.sample_id, item.epoch) in existing:
                continue
            item.run_id = run.id
            s.add(item)
            s.flush()
            for scorer, v in verdicts:
                s.add(
                    JudgeVerdictRow(
                        item_id=item.id,
                        scorer=scorer,
                        judge_id=v.judge_id,
                        label=v.label,
                        confidence=v.confidence,
                        rationale=v.rationale,
                        details=_jsonable(v.details),
                    )
                )
            added += 1
        audit(
            s,
            "log.import",
            actor=actor,
            project_id=proj.id,
            log=log_path,
            eval_id=eval_id,
            added=added,
            skipped=len(rows) - added,
        )
        run_id = run.id
    return ImportResult(
        project=project,
        run_id=run_id,
        eval_id=eval_id,
        added=added,
        skipped=len(rows) - added,
        new_run=new_run,
    )
