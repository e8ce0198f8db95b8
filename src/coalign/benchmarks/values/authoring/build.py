"""Deterministic builder of the shipped values dataset from hand-written components.

Inputs (all in ``data/``): the country table, the persona attribute quotas, and hand-written
scenarios (a question plus responses that each lean on one value dimension). The builder

1. makes ``personas_per_country`` personas per country, with demographic categories assigned
   by exact quota then a seeded shuffle (implausible combinations repaired by swapping values
   between personas, which keeps the quotas exact), a seeded share born in another country of
   the same region, and stated weights 0-100 over the seven dimensions whose top dimension
   cycles evenly over personas;
2. turns every pair of responses of a scenario into four items, two where the persona prefers
   the first response and two where the persona prefers the second; the persona is chosen
   among those whose weight on the winning dimension beats the losing one by at least
   ``MIN_MARGIN`` points, least-used first. Each pair is therefore preferred both ways, so a
   persona-blind or length-only strategy scores 50% by construction.

Ids are stable: ``p-<country>-<k>`` for personas, ``<scenario>--<dimA>-vs-<dimB>--<k>`` for
items. The same seed and components always give byte-identical files.
"""

from __future__ import annotations

import itertools
import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field

from coalign.benchmarks.values.checks import MIN_MARGIN, coverage, defensibility, length_cue, plain
from coalign.benchmarks.values.countries import UNSPECIFIED, countries
from coalign.benchmarks.values.dimensions import dimension, dimension_ids
from coalign.benchmarks.values.schema import (
    DATA_DIR,
    DEMOGRAPHIC_FIELDS,
    Datasheet,
    Item,
    Persona,
    ValuesDataset,
)
from coalign.io import InputError, atomic_writer, validation_error, write_jsonl

DEFAULT_SEED = 20250
ITEMS_PER_PAIR = 4
RANK_WEIGHTS = (92, 80, 68, 56, 44, 32, 20)
WEIGHT_JITTER = 4


class Scenario(BaseModel):
    """A hand-written question with responses keyed by the dimension each leans on."""

    id: str
    topic: str
    question: str
    responses: dict[str, str] = Field(min_length=2)


def load_scenarios(data_dir: Path = DATA_DIR) -> list[Scenario]:
    """All scenarios from ``scenarios_*.yaml`` (file order, then order within file)."""
    from pydantic import ValidationError

    out: list[Scenario] = []
    seen: set[str] = set()
    known = set(dimension_ids())
    for path in sorted(data_dir.glob("scenarios_*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for k, raw in enumerate(data.get("scenarios", [])):
            try:
                sc = Scenario.model_validate(raw)
            except ValidationError as e:
                raise validation_error(e, file=path, record=f"scenario {k}") from None
            if sc.id in seen:
                raise InputError("duplicate scenario id", file=path, record=sc.id, field="id")
            bad = set(sc.responses) - known
            if bad:
                raise InputError(
                    f"unknown dimension(s) {sorted(bad)}",
                    file=path,
                    record=sc.id,
                    field="responses",
                )
            seen.add(sc.id)
            out.append(sc)
    return out


def _quota(categories: list[str], shares: list[float] | None, n: int) -> list[str]:
    """Exactly-sized list of categories in proportion to shares (largest remainder)."""
    shares = shares or [1.0] * len(categories)
    total = sum(shares)
    raw = [n * s / total for s in shares]
    counts = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: -(raw[i] - counts[i]))[: n - sum(counts)]:
        counts[i] += 1
    return [c for c, k in zip(categories, counts, strict=True) for _ in range(k)]


def _violations(p: dict[str, Any], rules: dict[str, dict[str, list[str]]]) -> int:
    """How many of the persona's field values are implausible for their age."""
    count = 0
    for fld, allowed in rules.items():
        ages = allowed.get(p[fld])
        if ages is not None and p["age"] not in ages:
            count += 1
    return count


def build_personas(seed: int = DEFAULT_SEED, data_dir: Path = DATA_DIR) -> list[Persona]:
    """Personas for every country of the table, quota-balanced across demographic fields."""
    rng = random.Random(seed)
    attrs = yaml.safe_load((data_dir / "persona_attributes.yaml").read_text(encoding="utf-8"))
    per_country = int(attrs["personas_per_country"])
    table = [c for c in countries().values() if c.code != UNSPECIFIED]
    rows: list[dict[str, Any]] = [
        {"id": f"p-{c.code.lower()}-{k + 1}", "country": c.code}
        for c in table
        for k in range(per_country)
    ]
    n = len(rows)
    for fld in DEMOGRAPHIC_FIELDS:
        spec = attrs["fields"][fld]
        values = _quota(spec["categories"], spec.get("shares"), n)
        rng.shuffle(values)
        for row, v in zip(rows, values, strict=True):
            row[fld] = v
    # Repair implausible combinations by swapping one field's values between two personas
    # whenever that lowers their total number of violations: quotas stay exact.
    rules = attrs.get("plausibility", {})
    for _ in range(50):
        bad = [i for i, r in enumerate(rows) if _violations(r, rules)]
        if not bad:
            break
        for i in bad:
            for fld in rules:
                if not _violations(rows[i], rules):
                    break
                order = list(range(n))
                rng.shuffle(order)
                for j in order:
                    a, b = dict(rows[i]), dict(rows[j])
                    a[fld], b[fld] = b[fld], a[fld]
                    before = _violations(rows[i], rules) + _violations(rows[j], rules)
                    if _violations(a, rules) + _violations(b, rules) < before:
                        rows[i][fld], rows[j][fld] = rows[j][fld], rows[i][fld]
                        break
    else:  # pragma: no cover - the quotas in the data file always admit a repair
        raise RuntimeError("could not make every persona plausible")
    # Born elsewhere: a seeded share, in another country of the same region.
    by_region: dict[str, list[str]] = {}
    for c in table:
        by_region.setdefault(c.region, []).append(c.code)
    movers = set(rng.sample(range(n), round(n * float(attrs["born_elsewhere_share"]))))
    dims = list(dimension_ids())
    order = list(range(n))
    rng.shuffle(order)
    top_of = {idx: dims[k % len(dims)] for k, idx in enumerate(order)}
    personas = []
    for i, row in enumerate(rows):
        region = countries()[row["country"]].region
        birth = row["country"]
        if i in movers:
            others = [c for c in by_region[region] if c != row["country"]]
            birth = rng.choice(others) if others else birth
        rest = [d for d in dims if d != top_of[i]]
        rng.shuffle(rest)
        ranking = [top_of[i], *rest]
        weights = {
            d: float(RANK_WEIGHTS[r] + rng.randint(-WEIGHT_JITTER, WEIGHT_JITTER))
            for r, d in enumerate(ranking)
        }
        personas.append(
            Persona(
                **row,
                birth_country=birth,
                weights={d: weights[d] for d in dims},
                preference=preference_text(ranking),
                source="synthetic",
            )
        )
    return personas


def preference_text(ranking: list[str]) -> str:
    """A one-line summary of a ranking, e.g. for the persona's self-description."""
    top, second, last = ranking[0], ranking[1], ranking[-1]
    return (
        f"Most of all I want {dimension(top).prefers}, then {dimension(second).prefers}; "
        f"{dimension(last).name.lower()} matters least to me."
    )


def build_items(
    personas: list[Persona], scenarios: list[Scenario], seed: int = DEFAULT_SEED
) -> list[Item]:
    """Items from every response pair of every scenario, each pair preferred both ways."""
    rng = random.Random(seed + 1)
    usage: Counter[str] = Counter()
    dims = list(dimension_ids())
    items: list[Item] = []
    pair_no = 0
    for sc in scenarios:
        keys = sorted(sc.responses, key=dims.index)
        for a, b in itertools.combinations(keys, 2):
            layout = [a, b] if pair_no % 2 == 0 else [b, a]
            pair_no += 1
            for v in range(ITEMS_PER_PAIR):
                winner, loser = (a, b) if v % 2 == 0 else (b, a)
                fits = [p for p in personas if p.weights[winner] - p.weights[loser] >= MIN_MARGIN]
                if not fits:  # pragma: no cover - weights are spread so this cannot happen
                    raise RuntimeError(f"no persona prefers {winner} over {loser}")
                least = min(usage[p.id] for p in fits)
                choice = rng.choice([p for p in fits if usage[p.id] == least])
                usage[choice.id] += 1
                name = choice.country_name
                items.append(
                    Item(
                        id=f"{sc.id}--{a}-vs-{b}--{v}",
                        persona_id=choice.id,
                        question=sc.question.format(country=name),
                        responses=[sc.responses[d].format(country=name) for d in layout],
                        preferred=layout.index(winner),
                        contrast={a: layout.index(a), b: layout.index(b)},
                        deciding_dimension=winner,
                        scenario_id=sc.id,
                        topic=sc.topic,
                        source="synthetic",
                    )
                )
    return items


HOW_MADE = (
    "Synthetic. Written by the coalign project: {n_scen} question scenarios with {n_resp} "
    "candidate responses were hand-written, each response leaning on one of the seven value "
    "dimensions while remaining a plausible, complete answer of similar length. Personas and "
    "items were then composed by the deterministic builder "
    "coalign.benchmarks.values.authoring.build (seed {seed}): personas by exact demographic quotas with a seeded shuffle; every pair of "
    "responses of a scenario becomes {per_pair} items, half preferred each way, assigned to "
    "personas whose stated weights favour the winning response's dimension by at least "
    "{margin:g} points. No real person's data is used; personas are fictional."
)


def build(
    out_dir: Path = DATA_DIR, seed: int = DEFAULT_SEED, data_dir: Path = DATA_DIR
) -> Datasheet:
    """Build personas, items and the datasheet into ``out_dir`` (atomic writes)."""
    scenarios = load_scenarios(data_dir)
    personas = build_personas(seed, data_dir)
    items = build_items(personas, scenarios, seed)
    ds = ValuesDataset(personas={p.id: p for p in personas}, items=items)
    sheet = datasheet(
        ds,
        seed=seed,
        n_scenarios=len(scenarios),
        n_responses=sum(len(s.responses) for s in scenarios),
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    write_jsonl(out_dir / "personas.jsonl", personas)
    write_jsonl(out_dir / "items.jsonl", items)
    with atomic_writer(out_dir / "datasheet.json") as fh:
        fh.write(json.dumps(sheet.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n")
    with atomic_writer(out_dir / "DATASHEET.md") as fh:
        fh.write(datasheet_markdown(sheet))
    return sheet


def datasheet(
    ds: ValuesDataset,
    *,
    seed: int | None,
    n_scenarios: int,
    n_responses: int,
    name: str = "coalign-values",
    version: str = "1",
) -> Datasheet:
    """The datasheet record of a built dataset, with its coverage and checks."""
    return Datasheet(
        name=name,
        version=version,
        synthetic=True,
        how_made=HOW_MADE.format(
            n_scen=n_scenarios,
            n_resp=n_responses,
            seed=seed,
            per_pair=ITEMS_PER_PAIR,
            margin=MIN_MARGIN,
        ),
        seed=seed,
        license="Apache-2.0 (written by the coalign project)",
        counts={
            "items": len(ds.items),
            "personas": len(ds.personas),
            "countries": len({p.country for p in ds.personas.values()}),
            "regions": len({p.region for p in ds.personas.values()}),
            "scenarios": n_scenarios,
            "responses": n_responses,
        },
        coverage=plain(coverage(ds)),
        checks=plain({"length_cue": length_cue(ds.items), "defensibility": defensibility(ds)}),
        fields={
            "persona.country": "ISO 3166-1 alpha-2 code (see data/countries.yaml)",
            "persona.weights": "stated importance 0-100 of each of the seven value dimensions",
            "item.responses": "two candidate responses",
            "item.preferred": "index of the response this persona prefers",
            "item.contrast": "dimension -> index of the response that is better on it",
            "item.deciding_dimension": "the contrasted dimension the persona weights highest",
        },
    )


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _rate_md(r: dict[str, Any]) -> str:
    if not r.get("n"):
        return "n/a"
    return f"{_pct(r['rate'])} [{_pct(r['ci_low'])}, {_pct(r['ci_high'])}] ({r['k']}/{r['n']})" + (
        f", {r['excluded']} excluded" if r.get("excluded") else ""
    )


def datasheet_markdown(sheet: Datasheet) -> str:
    """DATASHEET.md text rendered from the datasheet record (so figures never drift)."""
    cov, chk = sheet.coverage, sheet.checks
    lc, de = chk["length_cue"], chk["defensibility"]
    lines = [
        "# Datasheet: coalign values benchmark (synthetic)",
        "",
        "**This dataset is synthetic.** No real person's data is included; every persona is "
        "fictional and every question and response was written by the coalign project.",
        "",
        "## Purpose",
        "Measure whether a model serves people with different stated values, across countries, "
        "regions and demographic groups (Preference Alignment Accuracy, after MVPBench, "
        "arXiv 2509.08022). Each item has one defensible answer: the preferred response is the "
        "better one on the dimension this persona weights highest among those on which the "
        "responses differ.",
        "",
        "## How it was made",
        sheet.how_made,
        "",
        "Rebuild: `coalign values build` (writes `personas.jsonl`, `items.jsonl`, "
        "`datasheet.json` and this file; byte-identical for the same seed and components).",
        "Components: `countries.yaml` (ISO codes, names, regions), `persona_attributes.yaml` "
        "(demographic categories, quotas, plausibility rules), `scenarios_*.yaml` (questions and "
        "responses), and `coalign/taxonomy/values_dimensions.yaml` (the seven dimensions).",
        "",
        "## Counts",
        *[f"- {k}: {v}" for k, v in sheet.counts.items()],
        "",
        "## Coverage",
        "Items per region: " + ", ".join(f"{k} {v}" for k, v in cov["items_per_region"].items()),
        f"Items per country: {cov['items_per_country_min']} to {cov['items_per_country_max']}.",
        "",
        "Deciding-dimension shares: "
        + ", ".join(f"{k} {_pct(v)}" for k, v in cov["deciding_dimension_share"].items()),
        "",
        "Preferred position (index: items): "
        + ", ".join(f"{k}: {v}" for k, v in cov["preferred_position"].items()),
        "",
        "Personas per demographic category (quota-balanced; gender: 45% female, 45% male, "
        "10% non-binary by design):",
        "",
    ]
    for fld, counts in cov["personas_per_field"].items():
        lines.append(f"- {fld}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    lines += [
        "",
        "## Checks",
        f"- Length cue: preferred response longer (words) in {_rate_md(lc['preferred_longer'])}; "
        f"length-only baseline PAA {_rate_md(lc['length_only_baseline_paa'])}; mean "
        f"longer/shorter ratio {lc['mean_length_ratio']:.3f} (max {lc['max_length_ratio']:.3f}); "
        f"mean words preferred {lc['mean_words_preferred']:.1f} vs other "
        f"{lc['mean_words_other']:.1f}.",
        f"- Defensibility ({de['rule']}): {_rate_md(de['defensible'])}.",
        "- Every response pair appears preferred both ways (by different personas), so a "
        "persona-blind strategy scores 50% by construction.",
        "",
        "## Fields",
        *[f"- `{k}`: {v}" for k, v in sheet.fields.items()],
        "- persona demographics: age, gender, education, employment_status, "
        "english_proficiency, marital_status; birth_country (ISO alpha-2); region (derived).",
        "",
        "## Limits",
        "- Synthetic personas: stated weights are assigned independently of demographics, so "
        "with `persona_view=demographics` (MVPBench's setting) no model can beat chance here; "
        "the default view shows the stated weights.",
        "- English only; responses are short (about 50 words); 35 scenarios, reused across "
        "personas (each response pair appears in 4 items).",
        "- Responses were written to lean on one dimension each; which response is 'better' on a "
        "dimension is this project's judgement, not a human rating study.",
        "",
        "## License",
        sheet.license,
        "",
    ]
    return "\n".join(lines)
