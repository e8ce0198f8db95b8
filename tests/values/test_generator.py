"""The generator: drafts via a scripted model, deduplicates, checks length and defensibility."""

from __future__ import annotations

import json
from pathlib import Path

from inspect_ai.model import get_model

from coalign.benchmarks.values.authoring.generate import GenerationReport, generate, generate_items
from coalign.benchmarks.values.checks import defensible
from coalign.benchmarks.values.schema import load_dataset, load_personas

ANSWER = " ".join(["word"] * 55)
ITEM_JSON = json.dumps(
    {"question": "How do I pick a bicycle?", "answer_a": ANSWER, "answer_b": "other " * 50}
)
PERSONA_JSON = json.dumps(
    {
        "country": "gh",
        "age": "25-34",
        "gender": "female",
        "education": "vocational",
        "employment_status": "self-employed",
        "english_proficiency": "fluent",
        "marital_status": "married",
        "weights": {
            "creativity": 90,
            "fluency": 10,
            "factuality": 70,
            "diversity": 30,
            "safety": 50,
            "personalization": 20,
            "helpfulness": 60,
        },
    }
)


async def test_generate_items_dedupes_and_checks() -> None:
    model = get_model("coalign/scripted", rules=[{"match": "JSON", "response": ITEM_JSON}])
    personas = list(load_personas().values())
    report = GenerationReport()
    items = await generate_items(model, 3, personas, report=report)
    # The scripted model repeats itself: one draft is kept, the rest are duplicates.
    assert len(items) == 1 and report.dropped["item: duplicate"] == report.drafted - 1
    item = items[0]
    assert item.generated and item.source == "generated:coalign/scripted"
    by_id = {p.id: p for p in personas}
    assert defensible(item, by_id[item.persona_id]) is True


async def test_generate_drops_length_cue() -> None:
    long_b = json.dumps({"question": "Q?", "answer_a": "a " * 40, "answer_b": "b " * 80})
    model = get_model("coalign/scripted", rules=[{"match": "JSON", "response": long_b}])
    report = GenerationReport()
    items = await generate_items(model, 1, list(load_personas().values()), report=report)
    assert items == [] and report.dropped == {"item: length ratio": 3}


async def test_generate_personas_and_write(tmp_path: Path) -> None:
    rules = [
        {"match": "Invent one fictional person", "response": PERSONA_JSON},
        {"match": "JSON", "response": ITEM_JSON},
    ]
    model = get_model("coalign/scripted", rules=rules)
    report = await generate(model, tmp_path, n_items=1, n_personas=2)
    assert report.dropped.get("persona: duplicate", 0) >= 1
    ds = load_dataset(tmp_path / "items.jsonl")
    assert len(ds.items) == 1 and all(p.country == "GH" for p in ds.personas.values())
    assert all(p.source.startswith("generated:") for p in ds.personas.values())


async def test_generated_persona_with_unknown_country_is_dropped() -> None:
    from coalign.benchmarks.values.authoring.generate import generate_personas

    bad = PERSONA_JSON.replace('"gh"', '"zz"')
    model = get_model("coalign/scripted", rules=[{"match": ".", "response": bad}])
    report = GenerationReport()
    assert await generate_personas(model, 1, report=report) == []
    assert report.dropped == {"persona: invalid": 3}
