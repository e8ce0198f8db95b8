"""Which judged items go to people, and why.

A policy is a YAML file such as::

    abstain: true              # any judge abstained (or no judge verdict at all)
    disagreement: true         # decided judges gave different labels
    confidence_below: 0.7      # some decided verdict is less confident than this
    severity_at_least: high    # the item's severity is this or worse
    severity_order: [low, medium, high, critical]
    audit_fraction: 0.1        # random share of the remaining, confident cases
    seed: 20260101

Rules are checked in the order above; the escalation records the first rule that fired and
the list of all that did. The audit rule only samples items no other rule took, so the
audited items are a simple random sample of the confident cases, from which the judge's
accuracy on cases nobody would otherwise look at can be estimated without bias. The audit
draw is a hash of (seed, run, sample, epoch): the same item gets the same draw whatever order
items are processed in and however often :func:`escalate` is run.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator
from sqlalchemy import func, select

from coalign.io import InputError, validation_error
from coalign.oversight.accounts import audit, get_project
from coalign.oversight.db import Store
from coalign.oversight.models import Escalation, Item, Run

RULES = ("abstain", "disagreement", "low_confidence", "severity", "audit")


class EscalationPolicy(BaseModel):
    """Configurable escalation rules (see the module docstring for the file format)."""

    model_config = {"extra": "forbid"}

    abstain: bool = True
    disagreement: bool = True
    confidence_below: float | None = Field(default=0.7, ge=0.0, le=1.0)
    severity_at_least: str | float | None = None
    severity_order: list[str] = Field(default_factory=lambda: ["low", "medium", "high", "critical"])
    audit_fraction: float = Field(default=0.1, ge=0.0, le=1.0)
    seed: int = 0

    @field_validator("severity_order")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("severity_order must not repeat a level")
        return v

    def digest(self) -> str:
        """A short hash of the policy, stored with each escalation it produced."""
        text = json.dumps(self.model_dump(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def severity_rank(self, value: str | float | None) -> float | None:
        """Numeric rank of a severity: numbers as is, names by ``severity_order``."""
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            pass
        text = str(value).strip().lower()
        order = [s.lower() for s in self.severity_order]
        return float(order.index(text)) if text in order else None

    def audit_draw(self, run_key: str, sample_id: str, epoch: int) -> float:
        """Uniform number in [0, 1) fixed by the seed and the item's identity."""
        h = hashlib.sha256(f"{self.seed}|{run_key}|{sample_id}|{epoch}".encode()).digest()
        return int.from_bytes(h[:8], "big") / 2**64

    def rules_fired(
        self,
        verdicts: list[tuple[str, float]],
        severity: str | float | None,
        *,
        audit_draw: float,
    ) -> tuple[list[str], str]:
        """The rules that fire for an item with ``(label, confidence)`` verdicts, and why."""
        fired: list[str] = []
        why: list[str] = []
        decided = [(label, c) for label, c in verdicts if label != "abstain"]
        if self.abstain and (not verdicts or len(decided) < len(verdicts)):
            fired.append("abstain")
            why.append("no judge verdict" if not verdicts else "a judge abstained")
        if self.disagreement and len({label for label, _ in decided}) > 1:
            fired.append("disagreement")
            why.append("judges disagree: " + ", ".join(sorted(label for label, _ in decided)))
        if self.confidence_below is not None:
            low = [c for _, c in decided if c < self.confidence_below]
            if low:
                fired.append("low_confidence")
                why.append(f"confidence {min(low):.2f} < {self.confidence_below}")
        if self.severity_at_least is not None:
            rank = self.severity_rank(severity)
            threshold = self.severity_rank(self.severity_at_least)
            if threshold is None:
                raise ValueError(
                    f"severity_at_least {self.severity_at_least!r} is neither a number nor one "
                    f"of severity_order {self.severity_order}"
                )
            if rank is not None and rank >= threshold:
                fired.append("severity")
                why.append(f"severity {severity} >= {self.severity_at_least}")
        if not fired and audit_draw < self.audit_fraction:
            fired.append("audit")
            why.append(f"random audit sample ({self.audit_fraction:.0%} of confident cases)")
        return fired, "; ".join(why)


def load_policy(path: str | os.PathLike[str] | None) -> EscalationPolicy:
    """Read a YAML policy file (None gives the defaults)."""
    if path is None:
        return EscalationPolicy()
    p = Path(path)
    if not p.exists():
        raise InputError("policy file not found", file=p)
    try:
        data: Any = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        raise InputError(f"malformed YAML: {e}", file=p) from None
    if not isinstance(data, dict):
        raise InputError("expected a mapping of rule settings", file=p)
    try:
        policy = EscalationPolicy.model_validate(data)
    except ValidationError as e:
        raise validation_error(e, file=p) from None
    try:
        policy.rules_fired([], policy.severity_at_least, audit_draw=1.0)
    except ValueError as e:
        raise InputError(str(e), file=p, field="severity_at_least") from None
    return policy


@dataclass(frozen=True)
class EscalationResult:
    """Counts from one :func:`escalate` call."""

    escalated: dict[str, int]
    auto: int
    already: int

    @property
    def total_escalated(self) -> int:
        """Items newly sent to review."""
        return sum(self.escalated.values())


def escalate(
    store: Store,
    project: str,
    policy: EscalationPolicy | None = None,
    *,
    actor: str = "system",
) -> EscalationResult:
    """Apply ``policy`` to every not-yet-triaged item of ``project``.

    Items a rule takes become ``escalated`` with an :class:`Escalation` naming the rule; the
    rest become ``auto`` (the judge's verdict stands). Items already triaged are left alone,
    so running it again after another import only triages the new items.
    """
    policy = policy or EscalationPolicy()
    proj = get_project(store, project)
    counts: Counter[str] = Counter()
    auto = 0
    with store.write() as s:
        already = s.scalar(
            select(func.count(Item.id)).where(Item.project_id == proj.id, Item.status != "imported")
        )
        items = s.scalars(
            select(Item).where(Item.project_id == proj.id, Item.status == "imported")
        ).all()
        run_keys = {
            rid: key
            for rid, key in s.execute(select(Run.id, Run.eval_id).where(Run.project_id == proj.id))
        }
        digest = policy.digest()
        for item in items:
            fired, why = policy.rules_fired(
                [(v.label, v.confidence) for v in item.verdicts],
                item.severity,
                audit_draw=policy.audit_draw(run_keys[item.run_id], item.sample_id, item.epoch),
            )
            if fired:
                s.add(
                    Escalation(
                        item_id=item.id,
                        rule=fired[0],
                        rules=fired,
                        detail=why,
                        policy_digest=digest,
                    )
                )
                item.status = "escalated"
                counts[fired[0]] += 1
            else:
                item.status = "auto"
                auto += 1
        audit(
            s,
            "escalate",
            actor=actor,
            project_id=proj.id,
            policy=policy.model_dump(),
            escalated=dict(counts),
            auto=auto,
        )
    return EscalationResult(escalated=dict(counts), auto=auto, already=already or 0)
