"""SQLAlchemy 2 models of the review store.

The schema itself is created by the Alembic migrations shipped in ``migrations/``; these
classes describe the same tables for the ORM. Reviews, final decisions and the audit log are
append-only: the migrations install triggers that refuse UPDATE and DELETE on them, so not even
a bug in this package (or a hand-written SQL statement) can rewrite a human decision.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ROLES = ("reviewer", "adjudicator", "admin")
DECISIONS = ("safe", "unsafe", "escalate")
FINAL_LABELS = ("safe", "unsafe")
REVIEW_KINDS = ("review", "adjudication")
# Item lifecycle: imported -> auto (judge stands, not escalated) | escalated -> in_review
# -> adjudication (tie or a reviewer asked for an adjudicator) -> final.
ITEM_STATUSES = ("imported", "auto", "escalated", "in_review", "adjudication", "final")
APPEND_ONLY_TABLES = ("audit_log", "reviews", "final_decisions")


def utcnow() -> dt.datetime:
    """Timezone-aware now in UTC (stored as naive UTC so SQLite and PostgreSQL agree)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Declarative base; JSON columns map to JSON on SQLite and PostgreSQL alike."""

    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Project(Base):
    """A review project: the unit of isolation between teams and data sets."""

    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    reviewers_per_item: Mapped[int] = mapped_column(Integer, default=1)
    blind_models: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Run(Base):
    """One Inspect evaluation log imported into a project."""

    __tablename__ = "runs"
    __table_args__ = (UniqueConstraint("project_id", "eval_id", name="uq_runs_project_eval"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    eval_id: Mapped[str] = mapped_column(String(200))
    log_path: Mapped[str] = mapped_column(Text)
    task: Mapped[str] = mapped_column(String(300), default="")
    model: Mapped[str] = mapped_column(String(300), default="")
    log_created: Mapped[str] = mapped_column(String(64), default="")
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Item(Base):
    """One sample of one run: prompt, response or trajectory, metadata and review state."""

    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("run_id", "sample_id", "epoch", name="uq_items_run_sample_epoch"),
        Index("ix_items_project_status", "project_id", "status"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    sample_id: Mapped[str] = mapped_column(String(300))
    epoch: Mapped[int] = mapped_column(Integer, default=1)
    benchmark: Mapped[str] = mapped_column(String(200), default="")
    item_key: Mapped[str] = mapped_column(String(300), default="")
    category: Mapped[str] = mapped_column(String(200), default="")
    severity: Mapped[str] = mapped_column(String(64), default="")
    model: Mapped[str] = mapped_column(String(300), default="")
    prompt: Mapped[str] = mapped_column(Text, default="")
    prompt_messages: Mapped[list[Any]] = mapped_column(JSON, default=list)
    response: Mapped[str] = mapped_column(Text, default="")
    trajectory: Mapped[list[Any]] = mapped_column(JSON, default=list)
    is_agentic: Mapped[bool] = mapped_column(Boolean, default=False)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    score_meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="imported")

    verdicts: Mapped[list[JudgeVerdictRow]] = relationship(
        order_by="JudgeVerdictRow.id", lazy="selectin"
    )
    escalation: Mapped[Escalation | None] = relationship(lazy="selectin", uselist=False)


class JudgeVerdictRow(Base):
    """One judge verdict attached to an item: the stored form of a
    :class:`coalign.judges.Verdict` from a score's ``metadata[coalign.scoring.VERDICTS]``."""

    __tablename__ = "verdicts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    scorer: Mapped[str] = mapped_column(String(200), default="")
    judge_id: Mapped[str] = mapped_column(String(300))
    label: Mapped[str] = mapped_column(String(16))
    confidence: Mapped[float] = mapped_column(Float)
    rationale: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Escalation(Base):
    """Why an item was sent to people: the first rule that fired, and all that did."""

    __tablename__ = "escalations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), unique=True)
    rule: Mapped[str] = mapped_column(String(40), index=True)
    rules: Mapped[list[Any]] = mapped_column(JSON, default=list)
    detail: Mapped[str] = mapped_column(Text, default="")
    policy_digest: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class User(Base):
    """A reviewer account; the password is stored as an argon2id hash only."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20), default="reviewer")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Membership(Base):
    """Which projects a (non-admin) user may see."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "project_id", name="uq_membership"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)


class Review(Base):
    """One person's decision on one item (append-only; one per user, item and kind)."""

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("item_id", "user_id", "kind", name="uq_reviews_item_user_kind"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="review")
    decision: Mapped[str] = mapped_column(String(16))
    corrected_response: Mapped[str | None] = mapped_column(Text, nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    time_spent_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class FinalDecision(Base):
    """The human decision that stands for an item (append-only; one per item)."""

    __tablename__ = "final_decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), unique=True)
    label: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(20))
    corrected_response: Mapped[str | None] = mapped_column(Text, nullable=True)
    review_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AuditEntry(Base):
    """Append-only log of every state-changing action (who, what, when, where)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(60))
    project_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    item_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
