"""The verdict contract shared by every judge, scorer, report and the oversight store."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

Label = Literal["unsafe", "safe", "abstain"]
LABELS: tuple[Label, ...] = ("unsafe", "safe", "abstain")


class Verdict(BaseModel):
    """One judge's decision on one (prompt, response) or trajectory.

    ``abstain`` is a first-class outcome: unparseable or undecidable output is an
    abstention, never a silent ``safe`` or ``unsafe``; abstentions go to human review.
    """

    label: Label
    confidence: float = Field(ge=0.0, le=1.0)
    rationale: str = ""
    judge_id: str
    details: dict[str, Any] = Field(default_factory=dict)

    @field_validator("confidence")
    @classmethod
    def _finite(cls, v: float) -> float:
        if v != v:  # NaN
            raise ValueError("confidence must be a number between 0 and 1, got NaN")
        return v

    @property
    def is_unsafe(self) -> bool | None:
        """True/False for a decided verdict, None for an abstention (for :func:`coalign.stats.rate`)."""
        if self.label == "abstain":
            return None
        return self.label == "unsafe"

    @classmethod
    def abstain(cls, judge_id: str, rationale: str, **details: Any) -> Verdict:
        """An abstention with the reason it could not decide."""
        return cls(
            label="abstain", confidence=0.0, rationale=rationale, judge_id=judge_id, details=details
        )
