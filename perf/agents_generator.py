"""Generator wall time and per-stage counts for coalign/agents (offline template mode).

Prints the generator's counts per stage and its wall time, and the ratio to a baseline
measured in the same process: composing and schema-checking the same number of candidates
with no quality, executability, near-duplicate or balance filtering.

    PYTHONPATH=src python perf/agents_generator.py [--candidates 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time

from coalign.benchmarks.agents.authoring.generate import generate, template_candidates
from coalign.benchmarks.agents.compose import compose
from coalign.benchmarks.agents.families import load_families
from coalign.benchmarks.agents.scenarios import all_situations, seed_records


def baseline(candidates: int) -> float:
    """Seconds to compose + schema-validate the candidates, no filters."""
    fams, sits = load_families(), all_situations()
    t0 = time.perf_counter()
    for sub, fam in fams.items():
        rng = random.Random(f"0:{sub}")
        for i, c in enumerate(template_candidates(fam, sits[sub], candidates, rng)):
            compose(fam, c, instance_id=f"b{i}", variant=i)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--candidates", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    seed_records()  # warm the caches (YAML parsing) so both timings measure the same work
    gen_times, base_times = [], []
    stats = None
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        recs, stats = generate(mode="template", candidates=args.candidates)
        gen_times.append(time.perf_counter() - t0)
        base_times.append(baseline(args.candidates))
    assert stats is not None
    g, b = statistics.median(gen_times), statistics.median(base_times)
    print(json.dumps(stats.totals()))
    for row in stats.rows():
        print(json.dumps(row))
    print(f"scenarios: {len(recs)} (distinct ids: {len({r.instance_id for r in recs})})")
    print(f"generator wall time (median of {args.repeat}): {g:.3f} s")
    print(f"baseline compose+schema only (median of {args.repeat}): {b:.3f} s")
    print(f"ratio generator/baseline: {g / b:.2f}x")


if __name__ == "__main__":
    main()
