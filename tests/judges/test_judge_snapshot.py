"""The shipped classifier's predictions on a fixed project-written set must not drift.

A judge figure is only reproducible if the same install gives the same verdicts. This test
fails when anything the shipped heads depend on changes their output: the heads file, the
feature code, the embedding model or the pinned torch / sentence-transformers / transformers
versions (``constraints.txt``). After an intended change (re-trained heads), rewrite the
expected file with ``python tests/judges/test_judge_snapshot.py`` and say why in the commit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).parent / "data"
PAIRS = DATA / "judge_snapshot_pairs.jsonl"
EXPECTED = DATA / "judge_snapshot_expected.json"
# Float drift between BLAS kernels on different CPUs stays far below this.
TOLERANCE = 2e-3


def _predict() -> dict[str, dict[str, Any]]:
    from coalign.judges.classifier import classify

    rows = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines()]
    got = classify([r["prompt"] for r in rows], [r["response"] for r in rows])
    return {
        r["id"]: {
            "refusal": c.refusal,
            "refusal_probs": {k: round(v, 4) for k, v in c.refusal_probs.items()},
            "p_harmful": round(c.p_harmful, 4),
        }
        for r, c in zip(rows, got, strict=True)
    }


@pytest.mark.slow
def test_shipped_classifier_predictions_unchanged() -> None:
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    got = _predict()
    assert got.keys() == expected.keys()
    for key, exp in expected.items():
        g = got[key]
        assert g["refusal"] == exp["refusal"], key
        for cls, p in exp["refusal_probs"].items():
            assert abs(g["refusal_probs"][cls] - p) <= TOLERANCE, (key, cls)
        assert abs(g["p_harmful"] - exp["p_harmful"]) <= TOLERANCE, key


if __name__ == "__main__" and "--check" not in sys.argv:
    EXPECTED.write_text(json.dumps(_predict(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {EXPECTED}")
