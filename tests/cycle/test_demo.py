"""Slow: the whole co-alignment cycle of ``coalign demo`` at a tiny size, and its resume."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coalign.cycle.demo import DemoConfig, run_demo
from coalign.cycle.report import AUTOMATED_NOTICE

pytestmark = pytest.mark.slow


def _tiny(out: Path) -> DemoConfig:
    return DemoConfig(
        out=out,
        scirisk_eval=4,
        scirisk_train=8,
        values_eval=3,
        values_train=4,
        agents_scenarios=0,
        max_tokens=24,
        dpo={"max_steps": 2, "per_device_train_batch_size": 2, "save_steps": 1, "max_length": 128},
    )


def test_demo_cycle_end_to_end_and_resume(tmp_path: Path) -> None:
    said: list[str] = []
    res = run_demo(_tiny(tmp_path), display="none", say=said.append)

    # every stage ran, in order, and the held-out items never reached training
    stages = [m.split("] ")[1] for m in said if m.startswith("[stage]")]
    assert stages == [
        "split",
        "evaluate_before",
        "evaluate_training_prompts",
        "oversee",
        "values_pairs",
        "train",
        "evaluate_after",
    ]
    state = json.loads((tmp_path / "state.json").read_text())
    heldout = set(state["stages"]["split"]["result"]["heldout_ids"])
    train_ids = {
        json.loads(line)["id"]
        for line in (tmp_path / "data" / "scirisk_train.jsonl").read_text().splitlines()
    }
    assert heldout and not heldout & train_ids
    # helpfulness pairs come only from benign training prompts
    helpful = tmp_path / "data" / "pairs_helpfulness.jsonl"
    for line in helpful.read_text().splitlines():
        src = json.loads(line)["source"]
        assert src["kind"] == "helpfulness" and src["item_id"].endswith(":b")
        assert src["item_id"] in train_ids

    # the adapter was trained on the combined pairs and its manifest records them
    manifest = json.loads((tmp_path / "adapter" / "manifest.json").read_text())
    assert manifest["metrics"]["global_step"] == 2
    assert manifest["data"]["by_kind"]["values"] == 4
    assert manifest["data"]["count"] == sum(f["count"] for f in manifest["data"]["files"])

    # before/after rows for science risk and both values splits, each with numbers
    keys = {r["metric"] for r in res.comparison}
    assert any("harmful compliance" in k for k in keys)
    assert any("in domain" in k for k in keys) and any("out of domain" in k for k in keys)
    for row in res.comparison:
        if "PAA" in row["metric"]:
            assert row["before"].n > 0 and row["after"].n > 0

    html = res.report.read_text()
    assert AUTOMATED_NOTICE.split(":")[0] in html
    assert html.index(AUTOMATED_NOTICE.split(":")[0]) < html.index("Before and after")

    # a second run resumes every stage and changes nothing
    said.clear()
    again = run_demo(_tiny(tmp_path), display="none", say=said.append)
    assert all(m.startswith("[resumed]") for m in said)
    assert [r["metric"] for r in again.comparison] == [r["metric"] for r in res.comparison]

    # a resumed run with other settings is refused rather than mixed
    other = _tiny(tmp_path)
    other.seed = 1
    with pytest.raises(ValueError, match="other settings"):
        run_demo(other, display="none", say=said.append)
