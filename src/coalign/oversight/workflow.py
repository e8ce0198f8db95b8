"""One-call helpers for pipelines (the demo and the co-alignment cycle)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from coalign.oversight.db import open_store
from coalign.oversight.escalation import (
    EscalationPolicy,
    EscalationResult,
    escalate,
    load_policy,
)
from coalign.oversight.importer import ImportResult, import_log


@dataclass(frozen=True)
class ImportEscalateResult:
    """What :func:`import_and_escalate` did."""

    imported: ImportResult
    escalation: EscalationResult


def import_and_escalate(
    log_path: str | os.PathLike[str],
    db_url: str | None = None,
    *,
    project: str = "default",
    policy: EscalationPolicy | str | os.PathLike[str] | None = None,
    actor: str = "system",
) -> ImportEscalateResult:
    """Import an Inspect log into the store at ``db_url`` and triage the new items."""
    pol = policy if isinstance(policy, EscalationPolicy) else load_policy(policy)
    with open_store(db_url) as store:
        imported = import_log(store, log_path, project=project, actor=actor)
        escalation = escalate(store, project, pol, actor=actor)
    return ImportEscalateResult(imported=imported, escalation=escalation)
