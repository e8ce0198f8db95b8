"""The shared sampler draws exactly the items scirisk's own sampler drew before it was
replaced: ``sample_baseline.json`` holds the ids the old sampler chose (the demo task's
``limit=32, seed=0``, the cycle demo's held-out and training split, and a few other sizes)."""

import json
from pathlib import Path

import pytest

from coalign.benchmarks.scirisk.dataset import sample_items
from coalign.benchmarks.scirisk.schema import read_items
from coalign.benchmarks.scirisk.task import demo_task
from coalign.cycle.demo import DemoConfig, _split_scirisk

BASELINE = json.loads(Path(__file__).with_name("sample_baseline.json").read_text())


@pytest.fixture(scope="module")
def items():
    return read_items()


def test_demo_task_sample_is_unchanged():
    task = demo_task(judge="patterns")
    assert [s.id for s in task.dataset] == BASELINE["demo_task"]


def test_cycle_demo_split_is_unchanged(tmp_path):
    split = _split_scirisk(DemoConfig(), tmp_path)
    assert split["heldout_ids"] == BASELINE["cycle_heldout"]
    train = [json.loads(line)["id"] for line in Path(split["train"]).read_text().splitlines()]
    assert train == BASELINE["cycle_train"]


@pytest.mark.parametrize("key", sorted(BASELINE["others"]))
def test_other_samples_are_unchanged(items, key):
    limit, seed = map(int, key.split(":"))
    assert [i.id for i in sample_items(items, limit, seed)] == BASELINE["others"][key]
