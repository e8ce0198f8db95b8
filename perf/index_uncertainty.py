"""Benchmark: Monte Carlo uncertainty analysis of a composite index, vectorised vs a plain loop.

Data: SYNTHETIC (coalign's seeded generator), 40 invented units x the 43 indicators of the
AGILE 2025 framework, 4% missing values. Factors: imputation (3 options), normalisation (4),
weighting (2), aggregation (3) and +-25% noise on every weight; a Saltelli design for Sobol
indices. Prints wall time and replications/s of the vectorised engine, and the same for
two per-replication loops measured in the same run:

- "pipeline loop": rebuild the whole index for each replication (set the options, run every
  step) -- the plain way, and the baseline the speed-up is quoted against;
- "numpy loop": precomputed choices, aggregation one replication at a time (isolates the gain
  from batching the aggregation).

Loops run on an evenly spaced subset of the replications and are extrapolated to the full
count (said so in the output); their ranks are checked equal to the vectorised ones.

    PYTHONPATH=src python perf/index_uncertainty.py [--n 10000] [--loop-sample 60]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000, help="Monte Carlo replications")
    ap.add_argument("--units", type=int, default=40)
    ap.add_argument(
        "--loop-sample", type=int, default=60, help="replications the pipeline loop runs"
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-sobol", action="store_true", help="skip the Sobol analysis step")
    args = ap.parse_args()

    from coalign.governance.aggregation import TreePlan
    from coalign.governance.data import from_frame
    from coalign.governance.framework import load_framework
    from coalign.governance.pipeline import IndexPipeline
    from coalign.governance.synthetic import generate, synthetic_units
    from coalign.governance.uncertainty import (
        UncertaintySpec,
        _prepare,
        _ranks,
        loop_ranks,
        run_uncertainty,
    )

    fw = load_framework("agile-2025")
    units = synthetic_units(args.units)
    regions = {c: ["north", "south", "east", "west"][i % 4] for i, (c, _) in enumerate(units)}
    df = generate(fw, units, years=[2024], seed=args.seed + 11, groups=regions)
    values = df.set_index("unit")[fw.indicators]
    cs = from_frame(
        values,
        groups=df.set_index("unit")[["income_group"]],
        synthetic=True,
        source="SYNTHETIC benchmark data",
    )
    pipe = IndexPipeline(fw)
    pipe.set_params(normalise__lower=1.0)
    spec = UncertaintySpec(
        imputation=["none", "median", {"method": "group_mean", "by": "income_group"}],
        normalisation=["minmax", "zscore", "rank", "percentile"],
        weighting=["expert", "pca"],
        aggregation=["arithmetic", "geometric", "harmonic"],
        weight_noise=0.25,
    )
    print(
        f"data: SYNTHETIC, {values.shape[0]} units x {values.shape[1]} indicators "
        f"({int(values.isna().sum().sum())} missing values); cores visible: {os.cpu_count()}"
    )

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"machine load average (1 min) at start: {load:.1f}; CPU time (process) is printed "
        "next to wall time because other work on a shared machine inflates wall time"
    )
    t0 = time.perf_counter()
    c0 = time.process_time()
    res = run_uncertainty(pipe, cs, spec, n=args.n, seed=args.seed, sobol=not args.no_sobol)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    R = res.n
    t = res.timings
    print(
        f"vectorised: {R} replications (Saltelli design, {len(res.design.varying)} factors) in "
        f"{wall:.2f} s total = prepare {t['prepare_s']:.2f} s + replications "
        f"{t['replications_s']:.2f} s + Sobol {t['sobol_s']:.2f} s"
    )
    print(f"vectorised: CPU time {cpu:.2f} s end to end")
    print(
        f"vectorised: {R / wall:,.0f} replications/s end to end; "
        f"{R / t['replications_s']:,.0f} replications/s for the replication stage alone"
    )

    # Plain loop: rebuild the whole index per replication, on a subset, extrapolated.
    rows = np.linspace(0, R - 1, num=min(args.loop_sample, R)).astype(int)
    t1 = time.perf_counter()
    c1 = time.process_time()
    L = loop_ranks(pipe, cs, spec, res.design, rows)
    loop_s = time.perf_counter() - t1
    loop_cpu = time.process_time() - c1
    per = loop_s / len(rows)
    per_cpu = loop_cpu / len(rows)
    loop_total = per * R
    same = bool(np.array_equal(L, res.ranks[rows]))
    print(
        f"pipeline loop: {len(rows)} replications in {loop_s:.2f} s ({per * 1000:.1f} ms each); "
        f"EXTRAPOLATED to {R}: {loop_total:.0f} s ({1 / per:,.1f} replications/s); "
        f"ranks equal to vectorised on the subset: {same}"
    )
    print(
        f"pipeline loop: CPU {per_cpu * 1000:.1f} ms per replication; EXTRAPOLATED CPU for {R}: "
        f"{per_cpu * R:.0f} s"
    )

    # Numpy loop: precomputed choices, aggregation one replication at a time (all R).
    sp = spec.resolved(pipe)
    plan, _, Xs, Ws = _prepare(pipe, cs, sp, None)
    aggs = dict(res.design.factors)["aggregation"]
    ch = res.design.choices
    t2 = time.perf_counter()
    c2 = time.process_time()
    out = np.empty((R, len(res.units)))
    for r in range(R):
        i, j, k, a = (
            int(ch[f][r]) for f in ("imputation", "normalisation", "weighting", "aggregation")
        )
        W = (
            Ws[(i, j, k)] * res.design.noise[ch["weights"][r]]
            if res.design.noise is not None
            else Ws[(i, j, k)]
        )
        S, _ = TreePlan.aggregate(
            plan, Xs[(i, j)], W, aggs[a]["method"], nonpositive=sp.nonpositive, floor=sp.floor
        )
        out[r] = S[:, plan.root]
    np_loop = time.perf_counter() - t2
    np_cpu = time.process_time() - c2
    same_np = bool(np.array_equal(_ranks(out), res.ranks))
    print(
        f"numpy loop: {R} replications in {np_loop:.2f} s ({R / np_loop:,.0f} replications/s); "
        f"ranks equal to vectorised: {same_np}; CPU {np_cpu:.2f} s"
    )

    print(f"speed-up vs pipeline loop (end to end, extrapolated): {loop_total / wall:,.0f}x")
    print(
        f"speed-up vs pipeline loop in CPU time (end to end, extrapolated): {per_cpu * R / cpu:,.0f}x"
    )
    print(
        f"speed-up vs numpy loop (replication stage, wall): {np_loop / t['replications_s']:,.1f}x"
    )
    print(
        f"target: < 30 s and >= 20x -> {'MET' if wall < 30 and loop_total / wall >= 20 else 'NOT MET'}"
    )


if __name__ == "__main__":
    main()
