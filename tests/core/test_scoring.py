"""The shared score contract: outcomes, exclusions, rates and their definitions."""

from __future__ import annotations

import math

import pytest
from inspect_ai.scorer import SampleScore, Score

from coalign.judges.verdict import Verdict
from coalign.scoring import (
    EXCLUDED,
    VERDICTS,
    RateDef,
    rate_of,
    record,
    records,
    rescorable,
    score_verdicts,
    verdict_score,
)


def _sample(value: dict[str, float], meta: dict[str, object], **md: object) -> SampleScore:
    return SampleScore(score=Score(value=value, metadata=dict(md)), sample_metadata=meta)


def test_verdict_score_marks_undecided_outcomes_nan_with_reasons() -> None:
    v = Verdict.abstain("j", "no idea")
    s = verdict_score(
        {"unsafe": None, "refused": True, "omitted": None},
        verdicts=[v],
        reasons={"omitted": "refused"},
        answer="x",
    )
    assert math.isnan(s.value["unsafe"]) and s.value["refused"] == 1.0  # type: ignore[index]
    assert s.metadata[EXCLUDED] == {"unsafe": "abstain", "omitted": "refused"}  # type: ignore[index]
    assert s.explanation == "no idea" and s.reason is None  # one outcome is decided
    assert score_verdicts(s) == [v]
    assert verdict_score({"unsafe": None}).reason == "abstain"  # nothing decided
    assert s.metadata[VERDICTS][0]["judge_id"] == "j"  # type: ignore[index]


def test_record_reads_nan_as_none_and_epoch_means_by_majority() -> None:
    s = Score(value={"a": math.nan, "b": 0.5, "c": 0.25}, metadata={VERDICTS: [], "k": 1})
    rec = record({"item_id": "i"}, s)
    assert rec == {"item_id": "i", "k": 1, "a": None, "b": True, "c": False}


def test_rate_of_counts_exclusions_by_reason_within_the_population() -> None:
    recs = records(
        [
            _sample({"unsafe": 1.0}, {"hazardous": True}),
            _sample({"unsafe": 0.0}, {"hazardous": True}),
            _sample({"unsafe": math.nan}, {"hazardous": True}, excluded={"unsafe": "abstain"}),
            _sample({"unsafe": math.nan}, {"hazardous": True}, excluded={"unsafe": "tie"}),
            _sample({"unsafe": 1.0}, {"hazardous": False}),
        ]
    )
    r = rate_of(recs, "unsafe", {"hazardous": True})
    assert (r.k, r.n, r.excluded) == (1, 2, 2)
    assert dict(r.excluded_reasons) == {"abstain": 1, "tie": 1}
    assert rate_of(recs, "unsafe", {"hazardous": [True, False]}).n == 3


def test_rate_def_gives_the_same_rate_as_its_metric() -> None:
    scores = [
        _sample({"x": 1.0}, {"g": "a"}, hits=2, calls=3),
        _sample({"x": 0.0}, {"g": "b"}, hits=0, calls=5),
        _sample({"x": math.nan}, {"g": "a"}, hits=1, calls=1),
    ]
    outcome = RateDef("x rate", outcome="x", where={"g": "a"})
    logged = outcome.metric("xr")(scores)
    direct = outcome.of(records(scores))
    assert logged["xr"] == direct.value == 1.0  # type: ignore[index]
    assert logged["xr_n"] == 1 and logged["xr_excluded"] == 1  # type: ignore[index]
    pooled = RateDef("hit rate", numerator="hits", denominator="calls")
    assert pooled.metric("hr")(scores)["hr"] == pytest.approx(3 / 9)  # type: ignore[index]
    assert pooled.of(records(scores), {"g": "b"}).value == 0.0
    with pytest.raises(ValueError, match="either an outcome"):
        RateDef("both", outcome="x", numerator="a", denominator="b")
    with pytest.raises(ValueError, match="either an outcome"):
        RateDef("neither")


def test_rescorable_leaves_someone_elses_scorer_alone() -> None:
    from inspect_ai._util.registry import registry_lookup
    from inspect_ai.scorer import Scorer, Target, scorer
    from inspect_ai.solver import TaskState

    import coalign.judges.scorer as ours

    # A script's own scorer of the same unqualified name, registered after coalign's alias.
    @scorer(metrics=[])
    def judge_scorer() -> Scorer:
        async def score(state: TaskState, target: Target) -> Score:
            return Score(value=0)

        return score

    try:
        with pytest.warns(UserWarning, match="already registered"):
            rescorable(ours.judge_scorer)
        assert registry_lookup("scorer", "judge_scorer") is judge_scorer
    finally:  # give the alias back to coalign for the other tests
        from inspect_ai._util.registry import _registry

        _registry["scorer:judge_scorer"] = ours.judge_scorer
