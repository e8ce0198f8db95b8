"""Resumable stages: each finished stage's result is recorded, so a crashed run picks up there.

The record is a JSON file written atomically after every stage; a stage whose name is
recorded is not run again (its stored result is returned), so re-running ``coalign demo``
after a crash neither loses nor repeats finished work.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from coalign.io import atomic_writer


class StageRunner:
    """Runs named stages once, recording their JSON-able results in ``state.json``."""

    def __init__(
        self,
        out_dir: Path,
        *,
        fresh: bool = False,
        config: dict[str, Any] | None = None,
        on_stage: Callable[[str, bool], None] | None = None,
    ) -> None:
        self.path = out_dir / "state.json"
        self.on_stage = on_stage
        self.state: dict[str, Any] = {"config": config or {}, "stages": {}}
        if self.path.exists() and not fresh:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
            if config is not None and saved.get("config") != config:
                raise ValueError(
                    f"{self.path} records a run with other settings; pass --fresh to start "
                    "over or use another --out folder"
                )
            self.state = saved

    def done(self, name: str) -> bool:
        """Whether ``name`` finished in this or an earlier run."""
        return name in self.state["stages"]

    def run(self, name: str, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` unless ``name`` is recorded; record its result and wall time."""
        if self.done(name):
            if self.on_stage:
                self.on_stage(name, True)
            return self.state["stages"][name]["result"]
        if self.on_stage:
            self.on_stage(name, False)
        start = time.perf_counter()
        result = fn()
        self.state["stages"][name] = {
            "result": result,
            "seconds": round(time.perf_counter() - start, 1),
        }
        with atomic_writer(self.path) as fh:
            json.dump(self.state, fh, indent=2, default=str)
        return result

    def seconds(self) -> dict[str, float]:
        """Wall time per finished stage (from the run that did it)."""
        return {k: v["seconds"] for k, v in self.state["stages"].items()}
