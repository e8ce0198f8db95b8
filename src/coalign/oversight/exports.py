"""Exports of final human decisions: DPO preference pairs and a regression test set.

Preference pairs (TRL conversational format, :class:`coalign.pairs.PreferencePair`): for each
response people finally judged ``unsafe``, ``rejected`` is that response and ``chosen`` is the
corrected response the deciding reviewers wrote, or else a response to the same prompt that
people judged ``safe``. ``source.ids`` are the ids of every review behind both responses.

Regression set: one JSONL record per prompt with a final human decision, in the sample format
Inspect's ``json_dataset`` reads (``id``, ``input``, ``target``, ``metadata``). The original
sample metadata is kept whole (``benchmark``, ``item_id`` and grouping fields), so the
benchmark that produced the prompt can re-run it; ``metadata["oversight"]`` lists what people
decided about each response seen so far. :func:`coalign.oversight.regression.oversight_regression`
re-runs the set directly with any judge.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from coalign.io import write_jsonl
from coalign.oversight.accounts import get_project
from coalign.oversight.db import Store
from coalign.oversight.models import FinalDecision, Item, Run
from coalign.pairs import Message, PairSource, PreferencePair


@dataclass
class ExportResult:
    """How many records were written and why others were left out."""

    path: str
    written: int
    skipped: dict[str, int] = field(default_factory=dict)


def final_decisions(store: Store, project: str) -> list[tuple[Item, FinalDecision, str]]:
    """Every item of ``project`` with a final decision, with its final decision and eval id."""
    proj = get_project(store, project)
    with store.session() as s:
        return [
            (item, final, eval_id)
            for item, final, eval_id in s.execute(
                select(Item, FinalDecision, Run.eval_id)
                .join(FinalDecision, FinalDecision.item_id == Item.id)
                .join(Run, Run.id == Item.run_id)
                .where(Item.project_id == proj.id)
                .order_by(Item.id)
            ).all()
        ]


def _prompt_key(item: Item) -> tuple[str, str, str]:
    return (item.benchmark, item.item_key, item.prompt)


def item_pair(
    item: Item, chosen: str, rejected: str, *, kind: str, ids: list[str], project: str
) -> PreferencePair:
    """A preference pair on ``item``'s prompt, with the reviews behind it as provenance."""
    return PreferencePair(
        id=f"{kind}-{project}-{item.id}",
        prompt=[Message(role=m["role"], content=m["content"]) for m in item.prompt_messages],
        chosen=[Message(role="assistant", content=chosen)],
        rejected=[Message(role="assistant", content=rejected)],
        source=PairSource(kind=kind, ids=ids, item_id=item.item_key, benchmark=item.benchmark),
    )


def build_pairs(store: Store, project: str) -> tuple[list[PreferencePair], dict[str, int]]:
    """Preference pairs from ``project``'s final decisions, and counts of what was skipped."""
    finals = final_decisions(store, project)
    skipped: dict[str, int] = defaultdict(int)
    safe_by_prompt: dict[tuple[str, str, str], list[tuple[Item, FinalDecision]]] = defaultdict(list)
    for item, final, _ in finals:
        if final.label == "safe" and not item.is_agentic and item.response.strip():
            safe_by_prompt[_prompt_key(item)].append((item, final))
    pairs: list[PreferencePair] = []
    for item, final, _ in finals:
        if final.label != "unsafe":
            continue
        if item.is_agentic:
            # A multi-step trajectory with tool calls is not a single assistant turn.
            skipped["agent trajectory"] += 1
            continue
        if not item.response.strip() or not item.prompt_messages:
            skipped["empty prompt or response"] += 1
            continue
        ids = [str(r) for r in final.review_ids]
        if final.corrected_response:
            chosen = final.corrected_response
        elif safe_by_prompt.get(_prompt_key(item)):
            other_item, other_final = safe_by_prompt[_prompt_key(item)][0]
            chosen = other_item.response
            ids += [str(r) for r in other_final.review_ids]
        else:
            skipped["no corrected or safe response for the prompt"] += 1
            continue
        if chosen.strip() == item.response.strip():
            skipped["chosen equals rejected"] += 1
            continue
        pairs.append(
            item_pair(item, chosen, item.response, kind="oversight", ids=ids, project=project)
        )
    return pairs, dict(skipped)


def export_pairs(store: Store, project: str, path: str | os.PathLike[str]) -> ExportResult:
    """Write ``project``'s preference pairs to ``path`` (atomically)."""
    pairs, skipped = build_pairs(store, project)
    n = write_jsonl(path, pairs)
    return ExportResult(path=str(path), written=n, skipped=skipped)


def build_regression_set(store: Store, project: str) -> list[dict[str, Any]]:
    """One Inspect-style sample per prompt with a final human decision."""
    records: dict[tuple[str, str, str], dict[str, Any]] = {}
    for item, final, eval_id in final_decisions(store, project):
        key = _prompt_key(item)
        rec = records.get(key)
        if rec is None:
            meta = dict(item.meta)
            meta.setdefault("benchmark", item.benchmark)
            meta.setdefault("item_id", item.item_key)
            meta["oversight"] = {"project": project, "cases": []}
            rec = {
                "id": f"{item.benchmark}:{item.item_key}:{item.id}",
                "input": item.prompt_messages or [{"role": "user", "content": item.prompt}],
                "target": "",
                "metadata": meta,
            }
            records[key] = rec
        if final.corrected_response and not rec["target"]:
            rec["target"] = final.corrected_response
        rec["metadata"]["oversight"]["cases"].append(
            {
                "item": item.id,
                "eval_id": eval_id,
                "model": item.model,
                "response": item.response,
                "agentic": item.is_agentic,
                "human_label": final.label,
                "method": final.method,
                "review_ids": list(final.review_ids),
            }
        )
    out = list(records.values())
    for rec in out:
        labels = {c["human_label"] for c in rec["metadata"]["oversight"]["cases"]}
        # "unsafe" if people ever found a response to this prompt unsafe: the prompt is then a
        # known failure that a corrected model must not repeat.
        rec["metadata"]["oversight"]["worst_label"] = "unsafe" if "unsafe" in labels else "safe"
    return out


def export_regression(store: Store, project: str, path: str | os.PathLike[str]) -> ExportResult:
    """Write ``project``'s regression test set as JSONL (atomically)."""
    records = build_regression_set(store, project)
    n = write_jsonl(path, records)
    return ExportResult(path=str(path), written=n)
