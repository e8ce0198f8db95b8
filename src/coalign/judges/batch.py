"""Judge a JSONL file of (prompt, response) records: validated, resumable, written atomically.

Used by ``coalign judge``. The whole input is validated before anything is judged (a bad line
is reported with file, line and field, and nothing is written). Each finished verdict is
appended to a journal next to the output (``<out>.journal``), so an interrupted run resumes
without re-judging finished records; the output itself appears only once complete (atomic
rename) and the journal is then removed.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coalign.io import InputError, append_jsonl, atomic_writer, iter_jsonl
from coalign.judges.base import Judge
from coalign.judges.verdict import Verdict

BATCH = 32
CONCURRENCY = 8


@dataclass
class Item:
    """One validated input record."""

    line: int
    record: dict[str, Any]
    prompt: str
    response: str
    context: dict[str, Any]

    def key(self, judge_id: str) -> str:
        """Identity of this judgement in the journal (line, texts, context and judge)."""
        h = hashlib.sha256()
        for part in (
            str(self.line),
            self.prompt,
            self.response,
            json.dumps(self.context, sort_keys=True),
            judge_id,
        ):
            h.update(part.encode("utf-8"))
            h.update(b"\0")
        return h.hexdigest()


@dataclass
class BatchResult:
    """What a run did."""

    items: list[Item]
    verdicts: list[Verdict]
    resumed: int = 0
    judged: int = 0
    out: Path = field(default_factory=Path)


def journal_path(out: Path) -> Path:
    """The journal file kept next to the output while a run is unfinished."""
    return out.with_name(out.name + ".journal")


def read_items(
    path: Path,
    prompt_field: str = "prompt",
    response_field: str = "response",
    hazardous_field: str = "hazardous",
    verdict_field: str = "verdict",
) -> list[Item]:
    """Validate the whole file; raises :class:`InputError` on the first bad line."""
    items = []
    for line, rec in iter_jsonl(path):
        for name in (prompt_field, response_field):
            if name not in rec:
                raise InputError("missing field", file=path, line=line, field=name)
            if not isinstance(rec[name], str):
                raise InputError(
                    f"expected a string, got {type(rec[name]).__name__}",
                    file=path,
                    line=line,
                    field=name,
                )
        if verdict_field in rec:
            raise InputError(
                "the record already has this field, which the output would overwrite "
                "(choose another name with --verdict-field)",
                file=path,
                line=line,
                field=verdict_field,
            )
        context: dict[str, Any] = {}
        if hazardous_field in rec and rec[hazardous_field] is not None:
            if not isinstance(rec[hazardous_field], bool):
                raise InputError(
                    "expected true, false or null", file=path, line=line, field=hazardous_field
                )
            context["hazardous"] = rec[hazardous_field]
        items.append(Item(line, rec, rec[prompt_field], rec[response_field], context))
    if not items:
        raise InputError("no records", file=path)
    return items


def load_journal(path: Path) -> dict[str, Verdict]:
    """Finished verdicts by key; a torn last line (crash mid-write) is ignored."""
    done: dict[str, Verdict] = {}
    if not path.exists():
        return done
    with path.open(encoding="utf-8") as fh:
        for raw in fh:
            try:
                entry = json.loads(raw)
                done[entry["key"]] = Verdict.model_validate(entry["verdict"])
            except (json.JSONDecodeError, KeyError, ValueError):
                continue
    return done


async def _judge_pending(
    judge: Judge,
    pending: Sequence[Item],
    record: Callable[[Item, Verdict], None],
    advance: Callable[[int], None],
) -> None:
    many = getattr(judge, "judge_many", None)
    if callable(many):
        for i in range(0, len(pending), BATCH):
            chunk = pending[i : i + BATCH]
            verdicts = await asyncio.to_thread(
                many,
                [(it.prompt, it.response) for it in chunk],
                [it.context or None for it in chunk],
            )
            for it, v in zip(chunk, verdicts, strict=True):
                record(it, v)
            advance(len(chunk))
        return
    sem = asyncio.Semaphore(CONCURRENCY)

    async def one(it: Item) -> None:
        async with sem:
            v = await judge.judge(it.prompt, it.response, context=it.context or None)
        record(it, v)
        advance(1)

    await asyncio.gather(*(one(it) for it in pending))


def judge_file(
    input_path: Path,
    out: Path,
    judge: Judge,
    *,
    prompt_field: str = "prompt",
    response_field: str = "response",
    hazardous_field: str = "hazardous",
    verdict_field: str = "verdict",
    progress: Callable[[int, int], Callable[[int], None]] | None = None,
) -> BatchResult:
    """Judge every record of ``input_path`` and write ``out`` (see module docstring).

    ``progress(total, already_done)`` may return a callback advanced by the number of newly
    judged records.
    """
    items = read_items(input_path, prompt_field, response_field, hazardous_field, verdict_field)
    jpath = journal_path(out)
    done = load_journal(jpath)
    keys = [it.key(judge.judge_id) for it in items]
    pending = [it for it, k in zip(items, keys, strict=True) if k not in done]
    resumed = len(items) - len(pending)
    advance = progress(len(items), resumed) if progress else (lambda n: None)
    jpath.parent.mkdir(parents=True, exist_ok=True)
    with jpath.open("a", encoding="utf-8") as jfh:

        def record(it: Item, v: Verdict) -> None:
            k = it.key(judge.judge_id)
            done[k] = v
            append_jsonl(jfh, {"key": k, "line": it.line, "verdict": v.model_dump(mode="json")})

        if pending:
            asyncio.run(_judge_pending(judge, pending, record, advance))
    verdicts = [done[k] for k in keys]
    with atomic_writer(out) as fh:
        for it, v in zip(items, verdicts, strict=True):
            row = dict(it.record)
            row[verdict_field] = v.model_dump(mode="json")
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    jpath.unlink(missing_ok=True)
    return BatchResult(items, verdicts, resumed=resumed, judged=len(pending), out=out)
