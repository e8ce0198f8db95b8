import math

import pytest

from coalign.stats import Rate, RateDiff, cohen_kappa, rate, rates_by, wilson_interval


def test_wilson_matches_published_values():
    # Newcombe (1998) table I: 0/10 -> (0, 0.2775); 1/29 -> (0.0061, 0.1718)
    lo, hi = wilson_interval(0, 10)
    assert lo == 0.0 and hi == pytest.approx(0.2775, abs=1e-4)
    lo, hi = wilson_interval(1, 29)
    assert lo == pytest.approx(0.0061, abs=1e-4) and hi == pytest.approx(0.1718, abs=1e-4)


def test_wilson_empty_and_invalid():
    assert all(math.isnan(x) for x in wilson_interval(0, 0))
    with pytest.raises(ValueError):
        wilson_interval(3, 2)


def test_rate_counts_exclusions_and_formats():
    r = rate([True, False, None, True, None])
    assert (r.k, r.n, r.excluded) == (2, 3, 2)
    assert r.excluded_reasons == {"abstain": 2}
    assert r.format().startswith("66.7% [")
    assert "2 excluded" in r.format()
    assert r.to_dict()["n"] == 3


def test_rates_by_groups():
    recs = [("a", True), ("a", False), ("b", True), ("b", None)]
    out = rates_by(recs, key=lambda r: r[0], outcome=lambda r: r[1])
    assert out["a"].k == 1 and out["a"].n == 2
    assert out["b"].n == 1 and out["b"].excluded == 1


def test_rate_diff_newcombe_example():
    # Newcombe (1998) example: 56/70 vs 48/80 -> diff 0.2, CI (0.0524, 0.3339)
    d = RateDiff(Rate(56, 70), Rate(48, 80))
    lo, hi = d.ci
    assert d.value == pytest.approx(0.2)
    assert lo == pytest.approx(0.0524, abs=1e-3) and hi == pytest.approx(0.3339, abs=1e-3)
    assert d.format().startswith("+20.0 pts")


def test_cohen_kappa_known_value():
    # 2x2 table [[20, 5], [10, 15]]: po = .7, pe = .5 -> kappa = .4
    a = ["y"] * 25 + ["n"] * 25
    b = ["y"] * 20 + ["n"] * 5 + ["y"] * 10 + ["n"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    assert cohen_kappa(["x", "x"], ["x", "x"]) == 1.0


def test_z95_is_the_normal_quantile():
    # Z95 is written out so that importing coalign.stats does not import scipy.
    norm = pytest.importorskip("scipy.stats").norm
    from coalign.stats import Z95

    assert abs(Z95 - float(norm.ppf(0.975))) <= 1e-12
