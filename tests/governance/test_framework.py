"""Framework as data: shipped AGILE frameworks, trees of any depth, and clear errors."""

from __future__ import annotations

import pytest

from coalign.governance.asem import find_asem_dir
from coalign.governance.framework import framework_from_coinr_meta, load_framework, parse_framework
from coalign.io import InputError

PILLARS = [
    "AI Development Level",
    "AI Governance Environment",
    "AI Governance Instruments",
    "AI Governance Effectiveness",
]


@pytest.mark.parametrize(
    ("name", "dims", "inds", "units"), [("agile-2024", 18, 39, 14), ("agile-2025", 17, 43, 0)]
)
def test_shipped_agile_frameworks_have_published_counts(
    name: str, dims: int, inds: int, units: int
) -> None:
    fw = load_framework(name)
    assert [fw.nodes[p].name for p in fw.pillars] == PILLARS
    assert len(fw.at_depth(2)) == dims
    assert len(fw.indicators) == inds
    assert len(fw.units) == units
    # Pillars are as published; every dimension and indicator is marked as a reconstruction.
    assert not any(fw.nodes[p].reconstructed for p in fw.pillars)
    assert all(fw.nodes[c].reconstructed for c in fw.at_depth(2) + fw.indicators)
    assert fw.role_codes("development") == ["DEV"]
    assert fw.role_codes("governance") == ["ENV", "INS", "EFF"]
    for c in fw.indicators:
        n = fw.nodes[c]
        assert n.direction in (1, -1) and n.unit and n.source and n.year


def test_agile_2024_units_and_2025_tiers() -> None:
    fw24 = load_framework("agile-2024")
    assert {u.code for u in fw24.units} == {
        "CHN",
        "USA",
        "GBR",
        "FRA",
        "DEU",
        "JPN",
        "CAN",
        "ITA",
        "BRA",
        "RUS",
        "IND",
        "ZAF",
        "SGP",
        "ARE",
    }
    fw = load_framework("agile-2025")
    assert fw.tier_of(60.01).startswith("Tier 1")
    assert fw.tier_of(60.0).startswith("Tier 2")
    assert fw.tier_of(50.0).startswith("Tier 2")
    assert fw.tier_of(49.99).startswith("Tier 3")


DEEP = """
code: DEEP
name: five levels
root:
  code: I
  name: index
  children:
    - code: A
      name: a
      children:
        - code: A1
          name: a1
          children:
            - code: A11
              name: a11
              children:
                - {code: x1, name: x1, direction: 1}
                - {code: x2, name: x2, direction: -1, weight: 2}
    - {code: y, name: y, direction: 1}
"""


def test_tree_of_any_depth_and_uneven_leaves() -> None:
    fw = parse_framework(DEEP)
    assert fw.indicators == ["x1", "x2", "y"]
    assert fw.nodes["I"].height == 4 and fw.nodes["A11"].height == 1
    assert fw.nodes["x1"].depth == 4 and fw.nodes["y"].depth == 1
    assert fw.aggregates == ["A11", "A1", "A", "I"]
    assert fw.weights()["x2"] == 2.0


def _flat(nodes: str) -> str:
    return "code: F\nname: flat\nnodes:\n" + nodes


def test_cycle_is_reported_with_its_codes() -> None:
    text = _flat(
        "  - {code: R, name: r}\n"
        "  - {code: A, name: a, parent: B}\n"
        "  - {code: B, name: b, parent: A}\n"
        "  - {code: x, name: x, parent: R, direction: 1}\n"
    )
    with pytest.raises(InputError, match=r"cycle in the tree: (A -> B -> A|B -> A -> B)"):
        parse_framework(text, path="f.yaml")


@pytest.mark.parametrize(
    ("body", "pattern"),
    [
        (
            "  - {code: R, name: r}\n  - {code: x, name: x, parent: Q, direction: 1}\n",
            "parent 'Q' is not a code",
        ),
        (
            "  - {code: R, name: r, weight: 2}\n  - {code: x, name: x, parent: R, direction: 1}\n",
            "weight on the root does not apply",
        ),
        (
            "  - {code: R, name: r}\n  - {code: x, name: x, parent: R}\n",
            "indicator has no direction",
        ),
        (
            "  - {code: R, name: r, direction: 1}\n  - {code: x, name: x, parent: R, direction: 1}\n",
            "direction applies only to indicators",
        ),
        (
            "  - {code: R, name: r}\n  - {code: x, name: x, parent: R, direction: 1, weight: 0}\n  - {code: y, name: y, parent: R, direction: 1, weight: 0}\n",
            "all have weight 0",
        ),
        (
            "  - {code: R, name: r}\n  - {code: x, name: x, parent: R, direction: 1}\n  - {code: x, name: x2, parent: R, direction: 1}\n",
            "duplicate code 'x'",
        ),
        (
            "  - {code: R, name: r}\n  - {code: S, name: s}\n  - {code: x, name: x, parent: R, direction: 1}\n",
            "exactly one root",
        ),
        (
            "  - {code: R, name: r}\n  - {code: x, name: x, parent: R, direction: 1, weight: -1}\n",
            "weight must be a finite number >= 0",
        ),
    ],
)
def test_bad_frameworks_give_clear_errors(body: str, pattern: str) -> None:
    with pytest.raises(InputError, match=pattern) as info:
        parse_framework(_flat(body), path="bad.yaml")
    assert "bad.yaml" in str(info.value)


def test_weights_that_do_not_apply_and_unknown_codes() -> None:
    fw = parse_framework(DEEP)
    with pytest.raises(InputError, match="unknown code 'nope'"):
        fw.with_weights({"nope": 1.0})
    with pytest.raises(InputError, match="root"):
        fw.with_weights({"I": 1.0})
    assert fw.with_weights({"y": 3.0}).nodes["y"].weight == 3.0


def test_overlapping_tiers_rejected() -> None:
    text = DEEP + "tiers:\n  - {name: a, min: 50}\n  - {name: b, max: 60}\n"
    with pytest.raises(InputError, match="tiers overlap"):
        parse_framework(text)


def test_prune_removes_empty_aggregates_and_refuses_to_remove_everything() -> None:
    fw = parse_framework(DEEP)
    pruned, removed = fw.prune(["x1", "x2"])
    assert set(removed) == {"A", "A1", "A11", "x1", "x2"}
    assert pruned.indicators == ["y"] and pruned.nodes["I"].children == ("y",)
    with pytest.raises(InputError, match="every indicator was excluded"):
        fw.prune(["x1", "x2", "y"])


def test_coinr_meta_import_builds_asem_tree() -> None:
    d = find_asem_dir()
    if d is None:
        pytest.skip(
            "ASEM data not found: set COALIGN_ASEM_DIR or put it at <repo>/../shared/data/asem"
        )
    fw = framework_from_coinr_meta(d / "ASEM_iMeta.csv", code="ASEM")
    assert len(fw.indicators) == 49
    assert [len(fw.at_depth(i)) for i in range(4)] == [1, 2, 8, 49]
    assert fw.nodes["Flights"].denominator == "Population"
    assert fw.nodes["Tariff"].direction == -1
    assert set(fw.groups) == {"GDP_group", "GDPpc_group", "Pop_group", "EurAsia_group"}
