"""Each pipeline step against hand-computed values; every step is a scikit-learn estimator."""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import estimator_checks
from sklearn.utils.validation import check_is_fitted

from coalign.governance.framework import parse_framework
from coalign.governance.pipeline import STEP_TYPES
from coalign.governance.steps import (
    Aggregate,
    Context,
    Denominate,
    Impute,
    Normalise,
    Screen,
    Step,
    TreatOutliers,
    Weight,
)
from coalign.io import InputError

FW = parse_framework(
    """
code: S
name: steps
denominators: [pop]
root:
  code: I
  name: index
  children:
    - code: P
      name: p
      children:
        - {code: a, name: a, direction: 1, goalposts: [0, 10], target: 8}
        - {code: b, name: b, direction: -1, denominator: pop}
    - code: Q
      name: q
      children:
        - {code: c, name: c, direction: 1, weight: 3}
"""
)
UNITS = ["u1", "u2", "u3", "u4"]


def ctx(groups: dict[str, list[str]] | None = None, pop: list[float] | None = None) -> Context:
    g = pd.DataFrame(groups or {"grp": ["x", "x", "y", "y"]}, index=UNITS)
    d = pd.DataFrame({"pop": pop or [1.0, 2.0, 4.0, 5.0]}, index=UNITS)
    return Context(framework=FW, groups=g, denominators=d)


def frame(**cols: list[float]) -> pd.DataFrame:
    return pd.DataFrame(cols, index=UNITS, dtype=float)


def test_params_interface() -> None:
    step = Impute("group_mean", by="grp")
    assert step.get_params()["method"] == "group_mean"
    step.set_params(method="median", by=None)
    assert step.get_params()["by"] is None
    with pytest.raises(InputError, match="no setting 'bogus'"):
        step.set_params(bogus=1)
    with pytest.raises(InputError, match="not one of"):
        step.set_params(method="magic")
    assert step.method == "median"  # a refused change leaves the step as it was
    assert clone(step).get_params() == step.get_params()
    with pytest.raises(InputError, match="needs a Context"):
        step.fit(frame(a=[1, 2, 3, 4]))
    assert step.settings() == {"step": "Impute", "params": step.get_params()}


# One instance of every step class, in pipeline order, with settings away from the defaults
# (dict-valued ones included) and able to run on `frame`/`ctx` one after the other.
CONFIGURED: list[Step] = [
    Denominate({"b": "pop"}, scale=2.0),
    Screen(min_unit_coverage=0.5, min_indicator_coverage=0.25),
    Impute("group_mean", by="grp", max_iter=50),
    TreatOutliers("winsorise", skew_max=1.5, max_winsorised=2),
    Normalise("minmax", lower=1.0, targets={"a": 8.0}),
    Weight("expert", weights={"a": 2.0}, multipliers={"b": 0.5}),
    Aggregate("power", p=2.0, min_share=0.5),
]
BY_NAME = {type(s).__name__: s for s in CONFIGURED}


def test_every_step_class_is_covered() -> None:
    assert set(map(type, CONFIGURED)) == set(STEP_TYPES.values()) == set(Step.__subclasses__())


@pytest.mark.parametrize("name", BY_NAME)
def test_step_params_and_clone(name: str) -> None:
    step = BY_NAME[name]
    assert isinstance(step, TransformerMixin) and isinstance(step, BaseEstimator)
    # The settings are the constructor arguments, stored unchanged.
    params = step.get_params()
    assert set(params) == set(inspect.signature(type(step)).parameters)
    assert all(getattr(step, k) is v for k, v in params.items())
    assert step.get_params(deep=False) == params
    # clone: a new step with equal settings, dicts copied rather than shared.
    twin = clone(step)
    assert twin is not step and type(twin) is type(step) and twin.get_params() == params
    assert all(twin.get_params()[k] is not v for k, v in params.items() if isinstance(v, dict))
    # set_params round-trips, one setting or all of them.
    assert twin.set_params(**params) is twin and twin.get_params() == params
    key, value = next(iter(params.items()))
    assert twin.set_params(**{key: value}).get_params()[key] is value
    # scikit-learn's repr shows the changed settings and evaluates back to the same step.
    assert repr(step).startswith(f"{name}(")
    assert eval(repr(step), {name: type(step)}).get_params() == params


def test_fitted_state_and_clone_of_a_fitted_step() -> None:
    steps = [clone(s) for s in CONFIGURED]
    c = ctx()
    X = frame(a=[1, 2, np.nan, 4], b=[10, 20, 40, 50], c=[1, 3, 2, 5])
    for step in steps:
        with pytest.raises(NotFittedError):
            check_is_fitted(step)
        before = step.get_params()
        X = step.fit_transform(X, c)
        check_is_fitted(step)  # what fit learned ends with "_" ...
        learned = [k for k in vars(step) if k.endswith("_") and not k.startswith("_")]
        assert "context_" in learned
        assert step.get_params() == before  # ... and fit leaves the settings alone
        twin = clone(step)  # clone gives an unfitted copy
        assert twin.get_params() == before and not set(learned) & set(vars(twin))
        with pytest.raises(NotFittedError):
            check_is_fitted(twin)
        step.set_params(**before)  # changing settings forgets the fit
        assert not set(learned) & set(vars(step))
    assert list(X.columns) == ["a", "b", "c", "P", "Q", "I"] and X.notna().all().all()


# scikit-learn's own checks that apply to these steps. The others fit on numpy arrays with a
# target, while a step needs a frame and a Context; and the steps validate settings in the
# constructor and set_params on purpose (so check_do_not_raise_errors_in_init_or_set_params
# does not apply).
SKLEARN_CHECKS: list[Callable[[str, Any], None]] = [
    estimator_checks.check_estimator_cloneable,
    estimator_checks.check_estimator_repr,
    estimator_checks.check_no_attributes_set_in_init,
    estimator_checks.check_parameters_default_constructible,
    estimator_checks.check_get_params_invariance,
    estimator_checks.check_set_params,
    estimator_checks.check_mixin_order,
    estimator_checks.check_valid_tag_types,
]


@pytest.mark.parametrize("check", SKLEARN_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("name", BY_NAME)
def test_scikit_learn_checks(name: str, check: Callable[[str, Any], None]) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check(name, BY_NAME[name])
    # check_set_params warns about every fuzz value a step refuses (expected); a refused value
    # must never leave the settings changed.
    assert not [w for w in caught if "changed after set_params" in str(w.message)]


def test_denominate() -> None:
    X = frame(a=[1, 2, 3, 4], b=[10, 20, 40, 50], c=[1, 1, 1, 1])
    out = Denominate().fit_transform(X, ctx())
    assert out["b"].tolist() == [10, 10, 10, 10] and out["a"].tolist() == [1, 2, 3, 4]
    with pytest.raises(InputError, match="denominator 'pop' is 0 for unit 'u2'"):
        Denominate().fit_transform(X, ctx(pop=[1, 0, 1, 1]))


def test_screen_excludes_and_logs() -> None:
    c = ctx()
    X = frame(a=[1, np.nan, 3, 4], b=[1, np.nan, np.nan, 2], c=[np.nan] * 4)
    out = Screen(min_unit_coverage=0.6).fit_transform(X, c)
    assert list(out.columns) == ["a", "b"]  # c has no data at all
    assert list(out.index) == ["u1", "u4"]  # u2 has none, u3 has half
    assert "Q" not in c.framework.nodes  # its only indicator went
    kinds = c.log_frame()
    assert set(kinds["target"]) >= {"c", "u2", "u3", "Q"}


def test_impute_methods() -> None:
    X = frame(a=[1, np.nan, 3, 5], b=[2, 4, np.nan, 10], c=[1, 2, 3, 4])
    gm = Impute("group_mean", by="grp").fit_transform(X, ctx())
    assert gm.loc["u2", "a"] == 1 and gm.loc["u3", "b"] == 10
    med = Impute("median").fit_transform(X, ctx())
    assert med.loc["u2", "a"] == 3
    none = Impute("none").fit_transform(X, c := ctx())
    assert none.isna().sum().sum() == 2 and "left missing" in c.log[0]["detail"]
    # Strong linear structure: regression and EM should recover the missing value closely.
    rng = np.random.default_rng(0)
    x = rng.normal(size=30)
    Y = pd.DataFrame(
        {"a": x, "b": 2 * x + 0.01 * rng.normal(size=30), "c": -x},
        index=[f"u{i}" for i in range(30)],
    )
    truth = Y.loc["u5", "b"]
    Y.loc["u5", "b"] = np.nan
    c30 = Context(
        framework=FW, groups=pd.DataFrame(index=Y.index), denominators=pd.DataFrame(index=Y.index)
    )
    for m in ("regression", "em"):
        got = Impute(m).fit_transform(Y, c30).loc["u5", "b"]
        assert abs(got - truth) < 0.1 * abs(truth) + 0.05, m


def test_group_fallback_is_logged() -> None:
    X = frame(a=[np.nan, np.nan, 3, 5], b=[1, 2, 3, 4], c=[1, 2, 3, 4])
    c = ctx()
    out = Impute("group_mean", by="grp").fit_transform(X, c)
    assert out.loc["u1", "a"] == 4  # group x has no value: overall mean
    assert any("overall" in r["detail"] for r in c.log)


def test_outliers_winsorise_and_log() -> None:
    rng = np.random.default_rng(1)
    vals = list(rng.normal(10, 1, size=29)) + [60.0]
    idx = [f"u{i}" for i in range(30)]
    X = pd.DataFrame({"a": vals}, index=idx)
    c = Context(framework=FW, groups=pd.DataFrame(index=idx), denominators=pd.DataFrame(index=idx))
    step = TreatOutliers("auto")
    out = step.fit_transform(X, c)
    rep = step.report_.iloc[0]
    assert rep["flagged"] and rep["action"] == "winsorise" and rep["winsorised"] == 1
    assert out["a"].max() == sorted(vals)[-2]
    assert abs(rep["skew_after"]) < 2
    logged = TreatOutliers("log").fit_transform(X, c)["a"]
    assert logged.rank().equals(X["a"].rank())  # order preserved
    box = TreatOutliers("boxcox").fit_transform(X, c)["a"]
    assert box.rank().equals(X["a"].rank())


def test_normalisation_methods() -> None:
    X = frame(a=[0, 5, 10, 12], b=[1, 2, 3, 4], c=[7, 7, 7, 7])
    mm = Normalise("minmax").fit_transform(X, c := ctx())
    assert mm["a"].tolist() == pytest.approx([0, 5 / 12 * 100, 10 / 12 * 100, 100])
    assert mm["b"].tolist() == pytest.approx([100, 200 / 3, 100 / 3, 0])  # direction -1 flips
    assert mm["c"].tolist() == [50, 50, 50, 50] and "constant" in c.log[0]["detail"]
    z = Normalise("zscore").fit_transform(X[["a", "b"]], ctx())
    assert z["a"].mean() == pytest.approx(0) and z["a"].std() == pytest.approx(1)
    gp = Normalise("goalposts").fit_transform(X[["a"]], ctx())
    assert gp["a"].tolist() == [0, 50, 100, 100]  # clipped at the high goalpost
    rk = Normalise("rank").fit_transform(X[["b"]], ctx())
    assert rk["b"].tolist() == [4, 3, 2, 1]
    pc = Normalise("percentile").fit_transform(X[["a"]], ctx())
    assert pc["a"].tolist() == pytest.approx([0, 100 / 3, 200 / 3, 100])
    dt = Normalise("dist_target").fit_transform(X[["a"]], ctx())
    assert dt["a"].tolist() == pytest.approx([0, 62.5, 100, 100])  # (x - 0) / (8 - 0), capped
    db = Normalise("dist_best").fit_transform(X[["b"]], ctx())
    assert db["b"].tolist() == pytest.approx([100, 50, 100 / 3, 25])  # best / x for direction -1
    with pytest.raises(InputError, match="values <= 0"):
        Normalise("dist_best").fit(X[["a"]], ctx())


def test_weighting_schemes() -> None:
    X = frame(a=[1, 2, 3, 4], b=[1, 3, 2, 4], c=[4, 3, 2, 1])
    assert Weight("expert").fit(X, ctx()).weights_["c"] == 3
    assert set(Weight("equal").fit(X, ctx()).weights_.values()) == {1.0}
    assert Weight("expert", weights={"a": 5}).fit(X, ctx()).weights_["a"] == 5
    with pytest.raises(InputError, match="root"):
        Weight("expert", weights={"I": 1}).fit(X, ctx())
    with pytest.raises(InputError, match="unknown code"):
        FW.check_weights({"zzz": 1})
    w = Weight("pca").fit(X, ctx()).weights_
    assert w["a"] + w["b"] == pytest.approx(1) and w["P"] + w["Q"] == pytest.approx(1)
    mult = Weight("equal", multipliers={"a": 2.0}).fit(X, ctx()).weights_
    assert mult["a"] == 2 and mult["b"] == 1


def test_corr_opt_equalises_correlations() -> None:
    fw3 = parse_framework(
        "code: C\nname: c\nroot:\n  code: I\n  name: i\n  children:\n"
        "    - {code: a, name: a, direction: 1}\n    - {code: b, name: b, direction: 1}\n"
        "    - {code: c, name: c, direction: 1}\n"
    )
    rng = np.random.default_rng(3)
    idx = [f"u{i}" for i in range(40)]
    base = rng.normal(size=40)
    X = pd.DataFrame(
        {
            "a": base + 0.3 * rng.normal(size=40),
            "b": base + 0.5 * rng.normal(size=40),
            "c": rng.normal(size=40),
        },
        index=idx,
    )
    c = Context(framework=fw3, groups=pd.DataFrame(index=idx), denominators=pd.DataFrame(index=idx))
    Z = ((X - X.mean()) / X.std()).to_numpy()

    def spread(w: np.ndarray) -> float:
        y = Z @ w
        r = [np.corrcoef(Z[:, k], y)[0, 1] for k in range(3)]
        return float(np.std(r))

    w = Weight("corr_opt").fit(X, c).weights_
    opt = np.array([w["a"], w["b"], w["c"]])
    assert spread(opt) < 0.5 * spread(np.ones(3) / 3)
    assert opt[2] > opt[0]  # the odd one out needs more weight to count as much


def test_aggregation_methods_by_hand() -> None:
    X = frame(a=[1, 4, 2, 8], b=[4, 1, 8, 2], c=[2, 2, 2, 2])
    c = ctx()
    c.weights = {"a": 1, "b": 1, "c": 1, "P": 1, "Q": 1}
    ar = Aggregate("arithmetic").fit_transform(X, c)
    assert ar.loc["u1", "P"] == 2.5 and ar.loc["u1", "I"] == pytest.approx((2.5 + 2) / 2)
    ge = Aggregate("geometric").fit_transform(X, c)
    assert ge.loc["u1", "P"] == pytest.approx(2.0) and ge.loc["u1", "I"] == pytest.approx(2.0)
    ha = Aggregate("harmonic").fit_transform(X, c)
    assert ha.loc["u1", "P"] == pytest.approx(2 / (1 + 1 / 4))
    pw = Aggregate("power", p=2).fit_transform(X, c)
    assert pw.loc["u1", "P"] == pytest.approx(np.sqrt((1 + 16) / 2))
    co = Aggregate("copeland").fit_transform(X, c)
    # u1 (1, 4) ties u2 (4, 1) and u4 (8, 2), loses to u3 (2, 8); and so on.
    assert co["P"].tolist() == [-1, -1, 1, 1]
    assert co["Q"].tolist() == [0, 0, 0, 0]


def test_aggregation_missing_and_nonpositive() -> None:
    X = frame(a=[1, np.nan, 2, 8], b=[3, 1, 8, 2], c=[2, 2, 0, 2])
    c = ctx()
    c.weights = {"a": 1, "b": 1, "c": 1, "P": 1, "Q": 1}
    ar = Aggregate("arithmetic").fit_transform(X, c)
    assert ar.loc["u2", "P"] == 1.0  # re-weighted over the available child
    strict = Aggregate("arithmetic", min_share=0.75).fit_transform(X, c2 := ctx())
    assert np.isnan(strict.loc["u2", "P"]) and any(r["target"] == "P" for r in c2.log)
    with pytest.raises(InputError, match="needs positive values"):
        Aggregate("geometric").fit_transform(X, ctx())
    fl = Aggregate("geometric", nonpositive="floor", floor=0.5).fit_transform(X, c3 := ctx())
    assert fl.loc["u3", "Q"] == 0.5 and any("floored" in r["detail"] for r in c3.log)
