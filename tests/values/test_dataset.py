"""The shipped values dataset: coverage, balance, checks and a deterministic builder."""

from __future__ import annotations

import filecmp
from collections import Counter
from pathlib import Path

from coalign.benchmarks.values.authoring.build import build
from coalign.benchmarks.values.checks import coverage, defensibility, length_cue
from coalign.benchmarks.values.countries import countries, lookup_country, regions
from coalign.benchmarks.values.dataset import build_samples
from coalign.benchmarks.values.dimensions import dimension_ids
from coalign.benchmarks.values.schema import DATA_DIR, DEMOGRAPHIC_FIELDS, load_dataset


def test_shipped_dataset_meets_coverage_requirements() -> None:
    ds = load_dataset()
    cov = coverage(ds)
    assert cov["n_items"] >= 800
    assert cov["n_countries"] >= 75
    assert set(cov["items_per_region"]) == set(regions())
    assert len(regions()) >= 8
    for dim in dimension_ids():
        assert cov["deciding_dimension_share"][dim] >= 0.10, dim
    # Balanced personas: within each field (gender aside, by design) counts differ by <= 1.
    for fld in DEMOGRAPHIC_FIELDS:
        counts = cov["personas_per_field"][fld].values()
        if fld != "gender":
            assert max(counts) - min(counts) <= 1, fld


def test_length_cue_and_defensibility_hold() -> None:
    ds = load_dataset()
    lc = length_cue(ds.items)
    assert 0.45 <= lc["length_only_baseline_paa"].value <= 0.55
    assert lc["mean_length_ratio"] < 1.15
    de = defensibility(ds)
    assert de["defensible"].k == de["defensible"].n == len(ds.items)
    # Position balance: the preferred response is first in half of the items.
    assert Counter(i.preferred for i in ds.items) == {0: 420, 1: 420}


def test_each_pair_is_preferred_both_ways() -> None:
    ds = load_dataset()
    winners: dict[str, set[int]] = {}
    for item in ds.items:
        pair = item.id.rsplit("--", 1)[0]  # ids: <scenario>--<a>-vs-<b>--<k>
        winners.setdefault(pair, set()).add(item.preferred)
    assert all(w == {0, 1} for w in winners.values())


def test_builder_is_deterministic_and_matches_shipped_files(tmp_path: Path) -> None:
    build(tmp_path / "a")
    for name in ("items.jsonl", "personas.jsonl", "datasheet.json", "DATASHEET.md"):
        assert filecmp.cmp(tmp_path / "a" / name, DATA_DIR / name, shallow=False), name
    build(tmp_path / "b", seed=7)
    assert not filecmp.cmp(tmp_path / "b" / "items.jsonl", DATA_DIR / "items.jsonl", shallow=False)


def test_datasheet_says_synthetic() -> None:
    text = (DATA_DIR / "DATASHEET.md").read_text(encoding="utf-8")
    assert "synthetic" in text.lower()
    assert "seed 20250" in text


def test_country_lookup() -> None:
    assert lookup_country("VNM").code == "VN"  # type: ignore[union-attr]
    assert lookup_country("Viet Nam").code == "VN"  # type: ignore[union-attr]
    assert lookup_country("United States of America").code == "US"  # type: ignore[union-attr]
    assert lookup_country("Atlantis") is None
    assert countries()["NO"].name == "Norway"  # YAML's NO-is-false trap avoided


def test_all_means_no_filter_and_lists_are_parsed_once() -> None:
    every = build_samples()
    assert len(every) == len(load_dataset().items)
    for value in ("all", "ALL", "", None):
        assert len(build_samples(countries=value, regions=value, dimensions=value)) == len(every)
    kenya = build_samples(countries="ke, ng")  # codes are upper-cased, spaces ignored
    assert kenya and {s.metadata["country"] for s in kenya} == {"KE", "NG"}  # type: ignore[index]
    assert len(build_samples(countries=["KE", "NG"])) == len(kenya)


def test_limit_is_a_stratified_seeded_sample() -> None:
    a = build_samples(limit=36, seed=1)
    assert [s.id for s in a] == [s.id for s in build_samples(limit=36, seed=1)]
    assert [s.id for s in a] != [s.id for s in build_samples(limit=36, seed=2)]
    meta = [s.metadata or {} for s in a]
    assert len({m["region"] for m in meta}) == len(regions())
    assert set(dimension_ids()) <= {m["deciding_dimension"] for m in meta}
