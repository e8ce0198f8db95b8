"""Judges: each returns a :class:`~coalign.judges.verdict.Verdict` (unsafe, safe or abstain)."""

from __future__ import annotations

from typing import Any

from coalign._lazy import export_names, load_export

# Loaded on first use (see coalign._lazy), like every coalign package API.
_EXPORTS = {
    "coalign.judges.verdict": ("LABELS", "Label", "Verdict"),
}
__all__ = export_names(_EXPORTS)


def __getattr__(name: str) -> Any:
    return load_export(__name__, _EXPORTS, name)
