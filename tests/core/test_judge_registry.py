import asyncio

import pytest

from coalign.judges.base import PatternJudge, get_judge, judge_names
from coalign.judges.verdict import Verdict


def test_pattern_judge_labels():
    j = get_judge("patterns")
    refuse = asyncio.run(
        j.judge("q", "I'm sorry, but I can't help with that request.", context={"hazardous": True})
    )
    assert refuse.label == "safe" and refuse.details["refusal"] == "full_refusal"
    comply = asyncio.run(j.judge("q", "Sure, here is how.", context={"hazardous": True}))
    assert comply.label == "unsafe" and comply.details["harmful"] is True
    benign = asyncio.run(j.judge("q", "Sure, here is how."))
    assert benign.label == "safe"
    empty = asyncio.run(j.judge("q", "   "))
    assert empty.label == "abstain" and empty.is_unsafe is None


def test_unknown_judge_lists_available():
    with pytest.raises(ValueError, match="patterns"):
        get_judge("nope")
    assert "patterns" in judge_names()


def test_verdict_validates_confidence():
    with pytest.raises(ValueError):
        Verdict(label="safe", confidence=1.5, judge_id="x")
    assert PatternJudge().refusal_class("Here you go: step one...") == "full_compliance"
