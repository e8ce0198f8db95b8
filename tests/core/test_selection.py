"""The shared list parser and stratified sampler."""

from __future__ import annotations

import pytest

from coalign.selection import check_known, parse_list, stratified_sample


@pytest.mark.parametrize("value", [None, "", "all", "ALL", ["all"], " , "])
def test_no_filter_spellings(value: object) -> None:
    assert parse_list(value) is None  # type: ignore[arg-type]


def test_lists() -> None:
    assert parse_list("a, b,,c") == ["a", "b", "c"]
    assert parse_list(["x", 3]) == ["x", "3"]
    with pytest.raises(ValueError, match="unknown colour: z; known: a, b"):
        check_known("colour", ["a", "z"], ["b", "a"])


def test_stratified_sample_keeps_units_spreads_strata_and_is_seeded() -> None:
    # 4 disciplines x 3 dimensions, 2 pairs per cell, each pair = 2 items
    items = [
        {"id": f"{d}{k}{p}{m}", "d": d, "k": k, "pair": f"{d}{k}{p}"}
        for d in "ABCD"
        for k in "xyz"
        for p in range(2)
        for m in range(2)
    ]
    pick = stratified_sample(
        items, 8, 3, stratum=lambda i: (i["d"], i["k"]), unit=lambda i: i["pair"]
    )
    assert len(pick) == 8
    pairs = {i["pair"] for i in pick}
    assert all(sum(i["pair"] == p for i in pick) == 2 for p in pairs)  # pairs kept whole
    assert {i["d"] for i in pick} == set("ABCD")  # every discipline before any repeats
    assert [i["id"] for i in pick] == sorted(i["id"] for i in pick)  # the items' own order
    again = stratified_sample(
        items, 8, 3, stratum=lambda i: (i["d"], i["k"]), unit=lambda i: i["pair"]
    )
    assert again == pick
    other = stratified_sample(
        items, 8, 4, stratum=lambda i: (i["d"], i["k"]), unit=lambda i: i["pair"]
    )
    assert other != pick
    assert stratified_sample(items, None, 0, stratum=lambda i: (i["d"],)) == items
    assert stratified_sample(items, 0, 0, stratum=lambda i: (i["d"],)) == []
