"""Human oversight: review store, escalation, reviewer web app, agreement statistics, exports.

The Python API used by the CLI, the web app and the co-alignment cycle::

    store = open_store("sqlite:///review.db")          # or postgresql://..., or COALIGN_DB_URL
    import_log(store, "logs/run.eval", project="demo")  # idempotent
    escalate(store, "demo", load_policy("policy.yaml"))
    record_review(store, item_id, "alice", "unsafe", corrected_response="I can't help ...")
    finalize(store, "demo")
    export_pairs(store, "demo", "pairs.jsonl")
"""

from coalign.oversight.accounts import (
    Forbidden,
    NotFound,
    OversightError,
    add_member,
    create_user,
    get_or_create_project,
    list_users,
)
from coalign.oversight.agreement import (
    AgreementStats,
    compute_agreement,
    fleiss_kappa,
    krippendorff_alpha_nominal,
)
from coalign.oversight.db import Store, open_store, resolve_url
from coalign.oversight.escalation import EscalationPolicy, escalate, load_policy
from coalign.oversight.exports import build_pairs, export_pairs, export_regression
from coalign.oversight.importer import import_log
from coalign.oversight.report import report_sections, write_stats_report
from coalign.oversight.reviews import (
    DuplicateReview,
    ItemClosed,
    finalize,
    queue,
    record_review,
    set_reviewers_per_item,
)
from coalign.oversight.workflow import import_and_escalate

__all__ = [
    "AgreementStats",
    "DuplicateReview",
    "EscalationPolicy",
    "Forbidden",
    "ItemClosed",
    "NotFound",
    "OversightError",
    "Store",
    "add_member",
    "build_pairs",
    "compute_agreement",
    "create_user",
    "escalate",
    "export_pairs",
    "export_regression",
    "finalize",
    "fleiss_kappa",
    "get_or_create_project",
    "import_and_escalate",
    "import_log",
    "krippendorff_alpha_nominal",
    "list_users",
    "load_policy",
    "open_store",
    "queue",
    "record_review",
    "report_sections",
    "resolve_url",
    "set_reviewers_per_item",
    "write_stats_report",
]
