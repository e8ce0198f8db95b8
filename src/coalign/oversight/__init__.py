"""Human oversight: review store, escalation, reviewer web app, agreement statistics, exports.

The Python API used by the CLI, the web app and the co-alignment cycle::

    store = open_store("sqlite:///review.db")          # or postgresql://..., or COALIGN_DB_URL
    import_log(store, "logs/run.eval", project="demo")  # idempotent
    escalate(store, "demo", load_policy("policy.yaml"))
    record_review(store, item_id, "alice", "unsafe", corrected_response="I can't help ...")
    finalize(store, "demo")
    export_pairs(store, "demo", "pairs.jsonl")
"""

from __future__ import annotations

from typing import Any

from coalign._lazy import export_names, load_export

# Loaded on first use (see coalign._lazy): the store needs SQLAlchemy and Alembic, and importing
# coalign.oversight.regression (an Inspect task) must not pay for them.
_EXPORTS = {
    "coalign.oversight.accounts": (
        "Forbidden",
        "NotFound",
        "OversightError",
        "add_member",
        "create_user",
        "get_or_create_project",
        "list_users",
    ),
    "coalign.oversight.agreement": (
        "AgreementStats",
        "compute_agreement",
        "fleiss_kappa",
        "krippendorff_alpha_nominal",
    ),
    "coalign.oversight.db": ("Store", "open_store", "resolve_url"),
    "coalign.oversight.escalation": ("EscalationPolicy", "escalate", "load_policy"),
    "coalign.oversight.exports": ("build_pairs", "export_pairs", "export_regression"),
    "coalign.oversight.importer": ("import_log",),
    "coalign.oversight.report": ("report_sections", "write_stats_report"),
    "coalign.oversight.reviews": (
        "DuplicateReview",
        "ItemClosed",
        "finalize",
        "queue",
        "record_review",
        "set_reviewers_per_item",
    ),
    "coalign.oversight.workflow": ("import_and_escalate",),
}
__all__ = export_names(_EXPORTS)


def __getattr__(name: str) -> Any:
    return load_export(__name__, _EXPORTS, name)
