"""Panel of judges: strict majority of member verdicts, otherwise ``abstain``.

Spec ``panel:<spec>,<spec>,...``, e.g. ``panel:classifier,patterns,model:openai/gpt-4o``.
A member spec may itself contain commas (``classifier:threshold=0.7,heads=x.npz``): a piece
that does not start with a registered judge name is joined to the member before it.

The panel's label is the label given by more than half of the members (an abstaining member
counts as a vote for ``abstain``); with no strict majority the panel abstains. Member verdicts,
the vote counts and the dissenting members are recorded in ``details``.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from typing import Any

from coalign.judges.base import Judge, get_judge, judge_names, register_judge
from coalign.judges.verdict import Verdict


def split_members(arg: str) -> list[str]:
    """Split a panel argument into member specs (see module docstring)."""
    known = set(judge_names())
    members: list[str] = []
    for piece in (p.strip() for p in arg.split(",")):
        if not piece:
            continue
        if piece.partition(":")[0] in known or not members:
            members.append(piece)
        else:
            members[-1] += "," + piece
    return members


def _majority(values: Sequence[Any], n: int) -> Any:
    if not values:
        return None
    value, count = Counter(values).most_common(1)[0]
    return value if count * 2 > n else None


class PanelJudge:
    """Runs every member concurrently and takes a strict majority."""

    def __init__(self, members: Sequence[Judge]) -> None:
        if len(members) < 2:
            raise ValueError("a panel needs at least two judges")
        self.members = list(members)
        self.judge_id = "panel:" + ",".join(m.judge_id for m in self.members)

    def combine(self, verdicts: Sequence[Verdict]) -> Verdict:
        """The panel verdict from its members' verdicts."""
        n = len(verdicts)
        votes = Counter(v.label for v in verdicts)
        label, count = votes.most_common(1)[0]
        majority = label if count * 2 > n else None
        dissent = [v.judge_id for v in verdicts if v.label != majority]
        details: dict[str, Any] = {
            "members": [v.model_dump() for v in verdicts],
            "votes": dict(votes),
            "disagreement": len(votes) > 1,
            "dissenting": dissent,
        }
        refusal = _majority([v.details["refusal"] for v in verdicts if "refusal" in v.details], n)
        harmful = _majority([v.details["harmful"] for v in verdicts if "harmful" in v.details], n)
        if refusal is not None:
            details["refusal"] = refusal
        if harmful is not None:
            details["harmful"] = harmful
        if majority is None or majority == "abstain":
            why = (
                f"no strict majority ({dict(votes)})"
                if majority is None
                else f"most members abstained ({dict(votes)})"
            )
            return Verdict.abstain(self.judge_id, f"panel: {why}", **details)
        agreeing = [v.confidence for v in verdicts if v.label == majority]
        return Verdict(
            label=majority,
            confidence=round(sum(agreeing) / len(agreeing) * count / n, 4),
            rationale=f"panel: {count}/{n} members say {majority}"
            + (f"; dissent: {', '.join(dissent)}" if dissent else ""),
            judge_id=self.judge_id,
            details=details,
        )

    async def judge(
        self, prompt: str, response: str, *, context: dict[str, Any] | None = None
    ) -> Verdict:
        """Judge with every member and combine."""
        verdicts = await asyncio.gather(
            *(m.judge(prompt, response, context=context) for m in self.members)
        )
        return self.combine(verdicts)


@register_judge("panel")
def _panel(arg: str) -> Judge:
    members = split_members(arg)
    if len(members) < 2:
        raise ValueError(f"panel needs at least two member specs, got {arg!r}")
    return PanelJudge([get_judge(m) for m in members])
