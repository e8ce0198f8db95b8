"""Uncertainty and sensitivity: Sobol indices against closed forms, zero-width intervals when
every choice agrees, and the vectorised engine against the plain per-replication loop."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coalign.governance.data import from_frame
from coalign.governance.framework import parse_framework
from coalign.governance.pipeline import IndexPipeline
from coalign.governance.steps import Impute
from coalign.governance.uncertainty import (
    UncertaintySpec,
    choice_index,
    loop_ranks,
    make_design,
    run_uncertainty,
    sample_factors,
    sobol_indices,
)
from coalign.io import InputError


def test_sobol_linear_model_matches_closed_form() -> None:
    # Y = sum a_i X_i with independent X_i ~ U(0, 1): S1_i = ST_i = a_i^2 / sum a^2.
    a = np.array([4.0, 2.0, 1.0])
    U = sample_factors(3, 20_000, seed=1)
    Y = U @ a
    si = sobol_indices(["x1", "x2", "x3"], U, Y, seed=1)
    exact = a**2 / (a**2).sum()
    assert si["S1"].to_numpy() == pytest.approx(exact, abs=0.03)
    assert si["ST"].to_numpy() == pytest.approx(exact, abs=0.03)
    assert not si["constant"].any()


def test_sobol_discrete_choices_match_closed_form() -> None:
    # The engine maps each uniform to one of k options; with Y = a*i + b*j over option indices
    # (k1 = 3, k2 = 4 levels, each equally likely) Var(i) = (k^2 - 1) / 12.
    U = sample_factors(2, 30_000, seed=2)
    i, j = choice_index(U[:, 0], 3), choice_index(U[:, 1], 4)
    assert np.bincount(i).min() > 0.3 * len(i)
    a, b = 3.0, 1.0
    Y = a * i + b * j
    v = np.array([a**2 * (3**2 - 1) / 12, b**2 * (4**2 - 1) / 12])
    si = sobol_indices(["imp", "norm"], U, Y, seed=2)
    assert si["S1"].to_numpy() == pytest.approx(v / v.sum(), abs=0.03)
    assert si["ST"].to_numpy() == pytest.approx(v / v.sum(), abs=0.03)


def _dominated() -> tuple[IndexPipeline, object]:
    """Units strictly ordered on every indicator: every monotone choice gives the same ranks."""
    fw = parse_framework(
        "code: D\nname: d\nroot:\n  code: I\n  name: i\n  children:\n"
        "    - code: P\n      name: p\n      children:\n"
        "        - {code: a, name: a, direction: 1}\n        - {code: b, name: b, direction: -1}\n"
        "    - code: Q\n      name: q\n      children:\n        - {code: c, name: c, direction: 1}\n"
    )
    k = np.arange(1.0, 9.0)
    X = pd.DataFrame(
        {"a": k**2, "b": 100 - 3 * k, "c": np.log(k + 1)}, index=[f"u{i}" for i in range(8)]
    )
    X.loc["u3", "a"] = np.nan
    groups = pd.DataFrame({"g": ["x"] * 4 + ["y"] * 4}, index=X.index)
    pipe = IndexPipeline(fw)
    pipe.set_params(normalise__lower=1.0)
    return pipe, from_frame(X, groups=groups)


def test_identical_ranks_give_zero_width_intervals() -> None:
    pipe, cs = _dominated()
    spec = UncertaintySpec(
        imputation=["none", "regression"],
        normalisation=["minmax", "rank", "percentile"],
        weighting=["expert", "equal"],
        aggregation=["arithmetic", "geometric", "harmonic"],
        weight_noise=0.4,
    )
    res = run_uncertainty(pipe, cs, spec, n=300, seed=3)
    s = res.summary()
    assert (s["interval_width"] == 0).all()
    assert (s["median_rank"] == s["nominal_rank"]).all()
    assert s["unit"].tolist() == [f"u{i}" for i in range(7, -1, -1)]
    assert s["nominal_rank"].tolist() == list(range(1, 9))
    assert res.sobol_global is not None and res.sobol_global["constant"].all()
    assert (res.sobol_global[["S1", "ST"]].to_numpy() == 0).all()
    assert res.sobol_units is not None and not res.sobol_units[["S1", "ST"]].isna().to_numpy().any()


def test_vectorised_equals_loop_and_design_is_balanced() -> None:
    pipe, cs = _dominated()
    rng = np.random.default_rng(0)
    noisy = cs.values + rng.normal(scale=8.0, size=cs.values.shape) * cs.values.std().to_numpy() / 8
    cs2 = from_frame(noisy, groups=cs.groups)
    spec = UncertaintySpec(
        imputation=["none", {"method": "group_mean", "by": "g"}],
        normalisation=["minmax", "zscore", "percentile"],
        weighting=["expert", "pca"],
        aggregation=["arithmetic", "geometric", "copeland"],
        weight_noise=0.3,
    )
    res = run_uncertainty(pipe, cs2, spec, n=210, seed=5)
    assert res.n == 210 and res.design.varying == [
        "imputation",
        "normalisation",
        "weighting",
        "aggregation",
        "weights",
    ]
    rows = list(range(0, res.n, 7))
    assert np.array_equal(loop_ranks(pipe, cs2, spec, res.design, rows), res.ranks[rows])
    s = res.summary()
    assert (s["rank_q05"] <= s["median_rank"]).all() and (s["median_rank"] <= s["rank_q95"]).all()
    assert res.interval == (0.05, 0.95)
    assert s["interval_width"].max() > 0


def test_plain_monte_carlo_and_bad_specs() -> None:
    pipe, cs = _dominated()
    res = run_uncertainty(
        pipe, cs, UncertaintySpec(aggregation=["nominal", "harmonic"]), n=50, sobol=False
    )
    assert res.n == 50 and res.sobol_global is None
    with pytest.raises(InputError, match="nothing to analyse"):
        run_uncertainty(pipe, cs, UncertaintySpec(aggregation=None, weight_noise=0.0), n=10)
    with pytest.raises(InputError, match="weight_noise"):
        run_uncertainty(pipe, cs, UncertaintySpec(weight_noise=1.5), n=10)
    spec = UncertaintySpec(aggregation=["arithmetic"], weight_noise=0.2).resolved(pipe)
    d = make_design(spec, 40, codes=["a", "b"], seed=0)
    assert d.noise is not None and d.noise.min() >= 0.8 and d.noise.max() <= 1.2


def test_asem_uncertainty(asem) -> None:  # type: ignore[no-untyped-def]
    fw, data = asem
    pipe = IndexPipeline(fw)
    pipe.set_params(
        impute=Impute("group_mean", by="EurAsia_group"),
        outliers__method="auto",
        normalise__lower=1.0,
    )
    spec = UncertaintySpec(
        imputation=["nominal", "none"],
        normalisation=["minmax", "rank"],
        aggregation=["arithmetic", "geometric"],
        weight_noise=0.25,
    )
    res = run_uncertainty(pipe, data, spec, n=240, seed=0, num_resamples=20)
    s = res.summary()
    assert len(s) == 51 and s["interval_width"].max() > 0
    assert res.sobol_global is not None
    g = res.sobol_global.set_index("factor")
    assert (g["ST"] >= -0.1).all() and g["ST"].max() > 0.1
