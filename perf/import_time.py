"""Import time of ``coalign._registry`` (what ``inspect eval`` loads) against Inspect alone.

Runs ``python -X importtime -c "import coalign._registry"`` and ``python -X importtime -c
"import inspect_ai"`` alternately in fresh interpreters, and prints the median total of each,
their ratio, and what coalign adds on top of Inspect: the packages outside Inspect's own
import graph and the slowest coalign modules (self time), so a regression names its cause.

    python perf/import_time.py [--runs 5] [--top 10]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys

TARGET = "coalign._registry"
BASELINE = "inspect_ai"

_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def importtime(module: str) -> list[tuple[str, int, int]]:
    """``(module, self_us, cumulative_us)`` for every module a fresh interpreter imports."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
    )
    if proc.returncode:
        raise SystemExit(f"import {module} failed:\n{proc.stderr[-2000:]}")
    rows = []
    for line in proc.stderr.splitlines():
        m = _LINE.match(line)
        if m:
            rows.append((m[4], int(m[1]), int(m[2])))
    return rows


def total_s(rows: list[tuple[str, int, int]], module: str) -> float:
    """Cumulative seconds of ``module`` itself (the last line naming it at top level)."""
    return next(cum for name, _, cum in reversed(rows) if name == module) / 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--top", type=int, default=10)
    args = ap.parse_args()

    totals: list[float] = []
    baselines: list[float] = []
    target_rows: list[tuple[str, int, int]] = []
    base_rows: list[tuple[str, int, int]] = []
    for _ in range(args.runs):
        target_rows = importtime(TARGET)
        base_rows = importtime(BASELINE)
        totals.append(total_s(target_rows, TARGET))
        baselines.append(total_s(base_rows, BASELINE))

    # Self time of everything Inspect does not import itself, summed per top-level package.
    inspect_modules = {name for name, _, _ in base_rows}
    extra: dict[str, int] = {}
    for name, self_us, _ in target_rows:
        if name not in inspect_modules and not name.startswith("coalign"):
            top = name.split(".")[0]
            extra[top] = extra.get(top, 0) + self_us
    slow_own = sorted(
        ((self_us, name) for name, self_us, _ in target_rows if name.startswith("coalign")),
        reverse=True,
    )

    t, b = statistics.median(totals), statistics.median(baselines)
    print(f"import {TARGET} (median of {args.runs}): {t:.3f} s")
    print(f"import {BASELINE} alone (median of {args.runs}): {b:.3f} s")
    print(f"ratio coalign/inspect: {t / b:.2f}x  (coalign adds {t - b:+.3f} s)")
    print(f"packages beyond Inspect's own imports (self time, last run, top {args.top}):")
    for top, us in sorted(extra.items(), key=lambda kv: -kv[1])[: args.top]:
        print(f"  {top:32s} {us / 1000:8.1f} ms")
    print(f"slowest coalign modules (self time, last run, top {args.top}):")
    for us, name in slow_own[: args.top]:
        print(f"  {name:48s} {us / 1000:8.1f} ms")


if __name__ == "__main__":
    main()
