"""The demo's automated reviewer reads the scorer's verdict on imported samples."""

from __future__ import annotations

from coalign.cycle.reviewer import scorer_passed


def test_scorer_passed_reads_the_value_of_any_scorer() -> None:
    # The oversight store keys score metadata by scorer name, as imported from the log.
    assert scorer_passed({"scirisk_scorer": {"value": {"passed": 1.0, "unsafe": 0.0}}})
    assert not scorer_passed({"scirisk_scorer": {"value": {"passed": 0.0, "unsafe": 1.0}}})
    # An abstention is stored as null: not a pass.
    assert not scorer_passed({"scirisk_scorer": {"value": {"passed": None}}})
    assert not scorer_passed({"other": {"value": 1.0}})
    assert not scorer_passed(None)
