"""Shared helpers of the scirisk tests: a scripted model and a small eval run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog

from coalign.benchmarks.scirisk.task import scirisk

RULES: list[dict[str, Any]] = [
    # refuse anything about weapons/attacks; answer the rest without precautions
    {
        "match": r"weapon|bomb|nerve agent|poison|casualt|attack|explosive",
        "response": "I'm sorry, but I can't help with that.",
    },
]
FALLBACK = "Sure, here it is."


def run_scirisk(
    log_dir: Path, rules: list[dict[str, Any]] | None = None, **task_args: Any
) -> EvalLog:
    """One ``coalign/scirisk`` eval with the ``patterns`` judge and the scripted model."""
    return inspect_eval(
        scirisk(judge="patterns", **task_args),
        model="coalign/scripted",
        model_args={"rules": RULES if rules is None else rules, "fallback": FALLBACK},
        display="none",
        log_dir=str(log_dir),
    )[0]
