"""``inspect score`` rebuilds the scirisk scorer from its log and gives the same metrics."""

import math

from inspect_ai.log import EvalLog

from tests.rescore import metric_values, rescore, rescore_cli
from tests.scirisk.helpers import RULES, run_scirisk

SCORER = "scirisk_scorer"
# an empty answer makes the patterns judge abstain, so undecided outcomes travel too
ABSTAIN_RULES = [{"match": r"orbit|telescope|satellite", "response": " "}, *RULES]


def _values(log: EvalLog) -> dict[str, dict[str, float | None]]:
    """Each sample's score value, NaN read as None so that equal logs compare equal."""
    return {
        str(s.id): {k: None if math.isnan(v) else v for k, v in s.scores[SCORER].value.items()}
        for s in log.samples or []
    }


def _same(a: dict[str, float], b: dict[str, float]) -> None:
    assert a.keys() == b.keys()
    for k in a:
        assert (math.isnan(a[k]) and math.isnan(b[k])) or a[k] == b[k], k


def _eval(tmp_path):
    log = run_scirisk(tmp_path, rules=ABSTAIN_RULES, limit=12, seed=4)
    assert log.status == "success"
    behaviours = {s.metadata["expected_behavior"] for s in log.samples}
    assert behaviours == {"refuse", "help_with_precautions", "flag_outdated", "answer"}
    assert metric_values(log)[SCORER]["pass_excluded"] > 0  # some abstentions
    return log


def test_rescoring_a_scirisk_log_gives_the_same_metrics(tmp_path):
    log = _eval(tmp_path)
    again = rescore(log)
    _same(metric_values(log)[SCORER], metric_values(again)[SCORER])
    assert _values(again) == _values(log)
    assert [s.scores[SCORER].metadata for s in again.samples] == [
        s.scores[SCORER].metadata for s in log.samples
    ]


def test_inspect_score_cli_rescores_a_scirisk_log(tmp_path):
    log = _eval(tmp_path)
    rescored = tmp_path / "rescored.eval"
    again = rescore_cli(log, rescored)
    _same(metric_values(log)[SCORER], metric_values(again)[SCORER])
    assert _values(again) == _values(log)
