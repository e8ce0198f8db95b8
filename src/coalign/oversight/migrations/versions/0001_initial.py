"""Initial review-store schema with append-only triggers.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY = ("audit_log", "reviews", "final_decisions")


def upgrade() -> None:
    """Create every table, then the triggers that make decisions and the audit log append-only."""
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("reviewers_per_item", sa.Integer, nullable=False),
        sa.Column("blind_models", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id"), nullable=False),
        sa.Column("eval_id", sa.String(200), nullable=False),
        sa.Column("log_path", sa.Text, nullable=False),
        sa.Column("task", sa.String(300), nullable=False),
        sa.Column("model", sa.String(300), nullable=False),
        sa.Column("log_created", sa.String(64), nullable=False),
        sa.Column("imported_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("project_id", "eval_id", name="uq_runs_project_eval"),
    )
    op.create_index("ix_runs_project_id", "runs", ["project_id"])
    op.create_table(
        "items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id"), nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("sample_id", sa.String(300), nullable=False),
        sa.Column("epoch", sa.Integer, nullable=False),
        sa.Column("benchmark", sa.String(200), nullable=False),
        sa.Column("item_key", sa.String(300), nullable=False),
        sa.Column("category", sa.String(200), nullable=False),
        sa.Column("severity", sa.String(64), nullable=False),
        sa.Column("model", sa.String(300), nullable=False),
        sa.Column("prompt", sa.Text, nullable=False),
        sa.Column("prompt_messages", sa.JSON, nullable=False),
        sa.Column("response", sa.Text, nullable=False),
        sa.Column("trajectory", sa.JSON, nullable=False),
        sa.Column("is_agentic", sa.Boolean, nullable=False),
        sa.Column("metadata", sa.JSON, nullable=False),
        sa.Column("score_meta", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.UniqueConstraint("run_id", "sample_id", "epoch", name="uq_items_run_sample_epoch"),
    )
    op.create_index("ix_items_run_id", "items", ["run_id"])
    op.create_index("ix_items_project_status", "items", ["project_id", "status"])
    op.create_table(
        "verdicts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), nullable=False),
        sa.Column("scorer", sa.String(200), nullable=False),
        sa.Column("judge_id", sa.String(300), nullable=False),
        sa.Column("label", sa.String(16), nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("rationale", sa.Text, nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
    )
    op.create_index("ix_verdicts_item_id", "verdicts", ["item_id"])
    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), nullable=False, unique=True),
        sa.Column("rule", sa.String(40), nullable=False),
        sa.Column("rules", sa.JSON, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("policy_digest", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_escalations_rule", "escalations", ["rule"])
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(100), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(300), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.CheckConstraint("role IN ('reviewer','adjudicator','admin')", name="ck_users_role"),
    )
    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id"), nullable=False),
        sa.UniqueConstraint("user_id", "project_id", name="uq_membership"),
    )
    op.create_index("ix_memberships_project_id", "memberships", ["project_id"])
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("corrected_response", sa.Text, nullable=True),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("time_spent_s", sa.Float, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("item_id", "user_id", "kind", name="uq_reviews_item_user_kind"),
        sa.CheckConstraint("decision IN ('safe','unsafe','escalate')", name="ck_reviews_decision"),
        sa.CheckConstraint("kind IN ('review','adjudication')", name="ck_reviews_kind"),
    )
    op.create_index("ix_reviews_item_id", "reviews", ["item_id"])
    op.create_index("ix_reviews_user_id", "reviews", ["user_id"])
    op.create_table(
        "final_decisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), nullable=False, unique=True),
        sa.Column("label", sa.String(16), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("corrected_response", sa.Text, nullable=True),
        sa.Column("review_ids", sa.JSON, nullable=False),
        sa.Column("decided_at", sa.DateTime, nullable=False),
        sa.CheckConstraint("label IN ('safe','unsafe')", name="ck_final_label"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("project_id", sa.Integer, nullable=True),
        sa.Column("item_id", sa.Integer, nullable=True),
        sa.Column("detail", sa.JSON, nullable=False),
    )
    op.create_index("ix_audit_log_project_id", "audit_log", ["project_id"])

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in APPEND_ONLY:
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )
    elif dialect == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION coalign_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME "
            "USING ERRCODE = 'insufficient_privilege'; END $$ LANGUAGE plpgsql"
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION coalign_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION coalign_append_only()"
            )


def downgrade() -> None:
    """Drop everything (triggers go with their tables)."""
    for table in (
        "audit_log",
        "final_decisions",
        "reviews",
        "memberships",
        "users",
        "escalations",
        "verdicts",
        "items",
        "runs",
        "projects",
    ):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS coalign_append_only()")
