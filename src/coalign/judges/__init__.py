"""Judges: each returns a :class:`~coalign.judges.verdict.Verdict` (unsafe, safe or abstain)."""

from coalign.judges.verdict import LABELS, Label, Verdict

__all__ = ["LABELS", "Label", "Verdict"]
