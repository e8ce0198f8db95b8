"""Re-score an eval log the way ``inspect score LOG`` does, for the re-scoring tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from inspect_ai import score
from inspect_ai._eval.score import resolve_scorers
from inspect_ai.log import EvalLog, read_eval_log


def rescore(log: EvalLog, **kwargs: Any) -> EvalLog:
    """Rebuild the log's scorers from their registry entries and score its samples again."""
    return score(log, resolve_scorers(log), action="overwrite", display="none", **kwargs)


def metric_values(log: EvalLog) -> dict[str, dict[str, float]]:
    """``{scorer: {metric: value}}`` of a log, for comparing a log with its re-scoring."""
    return {
        s.name: {k: m.value for k, m in s.metrics.items()}
        for s in (log.results.scores if log.results else [])
    }


def rescore_cli(log: EvalLog, out: Path) -> EvalLog:
    """Run ``inspect score LOG --action overwrite`` as a user would (a fresh process that finds
    the scorer through coalign's entry point) and read the log it writes to ``out``."""
    assert log.location, "the log must have been written to a file"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "inspect_ai",
            "score",
            log.location,
            "--action",
            "overwrite",
            "--output-file",
            str(out),
            "--display",
            "none",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return read_eval_log(str(out))
