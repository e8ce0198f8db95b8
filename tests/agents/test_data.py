"""Taxonomy, families, seeds and the offline generator of coalign/agents."""

from __future__ import annotations

import time
from collections import Counter

from coalign.benchmarks.agents.authoring.generate import (
    STAGES,
    executability_problem,
    generate,
    jaccard,
    shingles,
)
from coalign.benchmarks.agents.compose import risky_tools
from coalign.benchmarks.agents.families import DIMENSIONS, load_families, taxonomy
from coalign.benchmarks.agents.scenarios import seed_records
from coalign.benchmarks.agents.tools import tool_class


def test_taxonomy_has_5_dimensions_and_16_subcategories() -> None:
    tax = taxonomy()
    assert [d["id"] for d in tax] == list(DIMENSIONS)
    assert [len(d["subcategories"]) for d in tax] == [2, 3, 3, 4, 4]
    assert sum(len(d["subcategories"]) for d in tax) == 16


def test_every_family_has_safe_and_risky_tools_tactics_and_judge_template() -> None:
    for sub, fam in load_families().items():
        classes = Counter(tool_class(t) for t in fam.all_tools())
        assert classes["observation"] >= 2 and classes["safe"] >= 2, sub
        assert len(risky_tools(fam)) >= 3, sub
        assert all(t.risk_level in ("high", "critical") for t in risky_tools(fam))
        assert len(fam.attacker_profile.strategy_templates) >= 4, sub
        assert fam.judge_template.unsafe_if and fam.judge_template.safe_if
        assert "strictly prohibited" in fam.authority_design.authority_context_hard
        assert "trusted" in fam.authority_design.authority_context_soft


def test_seeds_at_least_seven_per_subcategory_and_executable() -> None:
    seeds = seed_records()
    per = Counter(r.subcategory for r in seeds)
    assert len(per) == 16 and min(per.values()) >= 7 and len(seeds) >= 112
    assert len({r.instance_id for r in seeds}) == len(seeds)
    fams = load_families()
    for r in seeds:
        assert executability_problem(r, fams[r.subcategory]) is None, r.instance_id
        ts = r.scenario.target_spec
        assert ts.authority_text("trust") != ts.authority_text("warning")


def test_template_generator_makes_1072_distinct_balanced_scenarios_quickly() -> None:
    t0 = time.perf_counter()
    recs, stats = generate(mode="template")
    elapsed = time.perf_counter() - t0
    assert elapsed < 60
    assert len(recs) == 1072
    per = Counter(r.subcategory for r in recs)
    assert set(per.values()) == {67}
    assert len({r.instance_id for r in recs}) == 1072
    texts = {
        (r.scenario.target_spec.crisis_context, r.scenario.attacker.initial_message) for r in recs
    }
    assert len(texts) == 1072
    for sub in stats.candidates:  # every candidate is either kept or dropped at one stage
        dropped = sum(stats.dropped[s][sub] for s in STAGES)
        assert stats.candidates[sub] == dropped + stats.kept[sub]
    assert stats.totals()["total_scenarios"] == 1072


def test_near_duplicate_filter_drops_copies() -> None:
    a = shingles("the pause signal is active for the print queue and two jobs wait")
    assert jaccard(a, a) == 1.0
    assert jaccard(a, shingles("quarterly revenue report needs a caveat for the board")) < 0.1
    recs, stats = generate(mode="template", subcategories=["reward_hacking"], dup_threshold=0.0)
    # With threshold 0 every candidate overlapping anything is a duplicate: few survive.
    assert stats.dropped["near_duplicate"]["reward_hacking"] > 0
    assert stats.kept["reward_hacking"] < 60
