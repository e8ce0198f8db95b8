"""The pipeline (recorded settings, rebuild on change, no silent NaN), analyses, and the ASEM
worked example on real data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coalign.governance.analysis import (
    correlations,
    cronbach_alpha,
    development_diagnostic,
    pca,
    strengths_weaknesses,
)
from coalign.governance.data import from_frame, read_data
from coalign.governance.framework import load_framework, parse_framework
from coalign.governance.pipeline import IndexPipeline
from coalign.governance.steps import Aggregate, Impute
from coalign.governance.synthetic import example_path
from coalign.io import InputError


@pytest.fixture(scope="module")
def example():
    fw = load_framework("agile-2024")
    return fw, read_data(example_path(), fw)


def test_example_builds_and_records_settings(example) -> None:
    fw, data = example
    pipe = IndexPipeline(fw)
    res = pipe.build(data)
    assert data.synthetic and res.data.year == 2024
    rank = res.ranking()
    assert len(rank) == 14 and rank["rank"].tolist() == sorted(rank["rank"])
    assert rank["score"].between(0, 100).all()
    # A dimension whose only indicator is missing for a unit has no score there; that is
    # reported in the log, never silent.
    gaps = [c for c in fw.aggregates if res.scores[c].isna().any()]
    assert all(((res.log["target"] == c) & (res.log["kind"] == "missing")).any() for c in gaps)
    assert res.index.notna().all()
    assert [s["name"] for s in res.settings] == [
        "denominate",
        "screen",
        "impute",
        "outliers",
        "normalise",
        "weight",
        "aggregate",
    ]
    # Changing any setting changes the fingerprint and `results` rebuilds.
    before = pipe.results
    assert pipe.results is before
    pipe.set_params(impute__method="group_mean", impute__by="income_group")
    after = pipe.results
    assert after is not before and after.fingerprint != before.fingerprint
    assert after.settings[2]["params"]["method"] == "group_mean"
    assert "impute" in set(after.log["step"])
    pipe.set_params(aggregate=Aggregate("geometric", nonpositive="floor"))
    assert pipe.results.settings[-1]["params"]["method"] == "geometric"
    with pytest.raises(InputError, match="no step 'nope'"):
        pipe.set_params(nope__x=1)


def test_from_config_and_panel_years(example) -> None:
    fw, data = example
    pipe = IndexPipeline.from_config(
        fw,
        [
            {"denominate": {}},
            {"screen": {"min_unit_coverage": 0.5}},
            {"impute": {"method": "median"}},
            {"normalise": {"method": "rank"}},
            {"weight": {"method": "equal"}},
            {"aggregate": {"method": "arithmetic"}},
        ],
    )
    r23 = pipe.build(data, year=2023)
    r24 = pipe.build(data, year=2024)
    assert r23.data.year == 2023 and not r23.scores.equals(r24.scores)
    with pytest.raises(InputError, match="unknown step 'magic'"):
        IndexPipeline.from_config(fw, [{"magic": {}}])


def test_unit_without_data_is_excluded_not_nan() -> None:
    fw = parse_framework(
        "code: T\nname: t\nroot:\n  code: I\n  name: i\n  children:\n    - {code: a, name: a, direction: 1}\n    - {code: b, name: b, direction: 1}\n"
    )
    X = pd.DataFrame(
        {"a": [1.0, 2.0, np.nan, 4.0], "b": [1.0, np.nan, np.nan, 3.0]}, index=["p", "q", "r", "s"]
    )
    res = IndexPipeline(fw).build(from_frame(X))
    assert "r" not in res.scores.index and res.index.notna().all()
    assert ((res.log["target"] == "r") & (res.log["kind"] == "exclusion")).any()
    # With a coverage rule the half-empty unit goes too, and is reported.
    pipe = IndexPipeline(fw)
    pipe.set_params(screen__min_unit_coverage=0.75)
    res2 = pipe.build(from_frame(X))
    assert list(res2.scores.index) == ["p", "s"]
    assert set(res2.log.loc[res2.log["kind"] == "exclusion", "target"]) == {"q", "r"}


def test_analyses(example) -> None:
    fw, data = example
    res = IndexPipeline(fw).build(data)
    sw = strengths_weaknesses(res, "USA", n=2)
    assert (
        len(sw["strengths"]) == 2
        and sw["strengths"]["rank"].iloc[0] <= sw["weaknesses"]["rank"].iloc[0]
    )
    with pytest.raises(InputError, match="not in the results"):
        strengths_weaknesses(res, "XXX")
    alpha = cronbach_alpha(res)
    assert set(alpha["aggregate"]) == set(fw.aggregates)
    single = alpha[alpha["children"] == 1]
    assert (single["note"] == "one child: alpha undefined").all()
    corr = correlations(res, "DEV")
    assert corr.loc["DEV", "DEV"] == pytest.approx(1.0)
    p = pca(res, level="indicators")
    assert p.explained.sum() <= 1.0 + 1e-9 and p.explained[0] > p.explained[1]
    gdp = res.data.groups["aux_gdp_per_capita"].astype(float)
    d = development_diagnostic(res, gdp_per_capita=gdp)
    assert d.n == 14 and set(d.table["status"]) <= {"ahead", "in line", "behind"}
    assert d.table["residual"].sum() == pytest.approx(0.0, abs=1e-8)  # OLS with intercept


def test_cronbach_alpha_and_diagnostic_known_cases() -> None:
    fw = parse_framework(
        "code: K\nname: k\nroot:\n  code: I\n  name: i\n  children:\n"
        "    - code: DEV\n      name: d\n      role: development\n      children:\n        - {code: x, name: x, direction: 1}\n"
        "    - code: GOV\n      name: g\n      role: governance\n      children:\n"
        "        - {code: y, name: y, direction: 1}\n        - {code: z, name: z, direction: 1}\n"
    )
    x = np.arange(1.0, 9.0)
    y = x.copy()
    y[2] += 3  # unit u2 governs ahead of its development
    X = pd.DataFrame({"x": x, "y": y, "z": y}, index=[f"u{i}" for i in range(8)])
    res = IndexPipeline(fw).build(from_frame(X))
    alpha = cronbach_alpha(res).set_index("aggregate")
    assert alpha.loc["GOV", "alpha"] == pytest.approx(1.0)  # identical children
    d = development_diagnostic(res)
    assert d.table.iloc[0]["unit"] == "u2" and d.table.iloc[0]["status"] == "ahead"


def test_asem_worked_example(asem) -> None:  # type: ignore[no-untyped-def]
    fw, data = asem
    pipe = IndexPipeline(fw)
    pipe.set_params(
        impute=Impute("group_mean", by="EurAsia_group"),
        outliers__method="auto",
        normalise__method="minmax",
    )
    res = pipe.build(data)
    assert len(res.scores) == 51 and res.index.notna().all()
    assert not res.scores[fw.indicators].isna().to_numpy().any()  # everything imputed
    # Denominated indicators: Flights is per head, so it is raw / Population.
    raw = data.cross_section().values
    den = res.stages["denominate"]
    assert den.loc["AUT", "Flights"] == pytest.approx(
        raw.loc["AUT", "Flights"] / data.cross_section().denominators.loc["AUT", "Population"]
    )
    treated = set(res.log.loc[res.log["step"] == "outliers", "target"])
    assert len(treated) >= 5
    assert res.ranking().iloc[0]["unit"] in {"CHE", "DNK", "NLD", "SWE", "NOR"}
