"""``coalign values``: build, validate, stats, split, export-pairs, import, generate, report."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import typer
from rich.progress import Progress
from rich.table import Table as RichTable

from coalign.cli_common import (
    console,
    fail,
    model_args_option,
    model_option,
    out_option,
    parse_model_args,
    report_option,
    seed_option,
)
from coalign.io import InputError

app = typer.Typer(help="Value-alignment benchmark (MVPBench-style PAA).", no_args_is_help=True)

REPORT_FILE = Path("values_report.html")


def _load(items: Path | None, personas: Path | None) -> Any:
    from coalign.benchmarks.values.schema import load_dataset

    try:
        return load_dataset(items, personas)
    except InputError as e:
        fail(e)


ItemsOpt = typer.Option(None, "--items", help="items JSONL (default: the shipped dataset)")
PersonasOpt = typer.Option(None, "--personas", help="personas JSONL (default: next to items)")


@app.command("build")
def build_cmd(
    out: Path = out_option(help="output folder (default: the package data folder)"),
    seed: int = seed_option(20250),
) -> None:
    """Rebuild the shipped synthetic dataset from its hand-written components."""
    from coalign.benchmarks.values.authoring.build import DATA_DIR, build

    sheet = build(out or DATA_DIR, seed=seed)
    console.print(json.dumps(sheet.counts))


@app.command("validate")
def validate_cmd(items: Path = ItemsOpt, personas: Path = PersonasOpt) -> None:
    """Validate items and personas (file, line and field named on the first error)."""
    ds = _load(items, personas)
    console.print(f"ok: {len(ds.items)} items, {len(ds.personas)} personas")


@app.command("stats")
def stats_cmd(
    items: Path = ItemsOpt,
    personas: Path = PersonasOpt,
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Coverage, length-cue and defensibility checks of a dataset."""
    from coalign.benchmarks.values.checks import coverage, defensibility, length_cue, plain

    ds = _load(items, personas)
    result = {
        "coverage": coverage(ds),
        "length_cue": length_cue(ds.items),
        "defensibility": defensibility(ds),
    }
    if as_json:
        console.print_json(json.dumps(plain(result)))
        return
    cov, lc, de = result["coverage"], result["length_cue"], result["defensibility"]
    t = RichTable(title="values dataset")
    t.add_column("check")
    t.add_column("value")
    t.add_row("items / personas", f"{cov['n_items']} / {cov['n_personas']}")
    t.add_row("countries / regions", f"{cov['n_countries']} / {cov['n_regions']}")
    for d, share in cov["deciding_dimension_share"].items():
        t.add_row(f"deciding: {d}", f"{100 * share:.1f}%")
    t.add_row("preferred longer", lc["preferred_longer"].format())
    t.add_row("length-only baseline PAA", lc["length_only_baseline_paa"].format())
    t.add_row("mean length ratio", f"{lc['mean_length_ratio']:.3f}")
    t.add_row("defensible", de["defensible"].format())
    console.print(t)


@app.command("split")
def split_cmd(
    by: str = typer.Option("country", help="country | dimension"),
    seed: int = seed_option(),
    out: Path = out_option(..., help="split JSON to write"),
    items: Path = ItemsOpt,
    personas: Path = PersonasOpt,
) -> None:
    """Write a reproducible in-domain / out-of-domain split."""
    from coalign.benchmarks.values.splits import make_split
    from coalign.io import atomic_writer

    ds = _load(items, personas)
    split = make_split(ds, by, seed=seed)  # type: ignore[arg-type]
    with atomic_writer(out) as fh:
        json.dump(split.to_dict(), fh, indent=1)
    console.print(
        json.dumps({"heldout": split.heldout, **{k: len(v) for k, v in split.parts.items()}})
    )


@app.command("export-pairs")
def export_pairs_cmd(
    out: Path = out_option(..., help="pairs JSONL to write"),
    split: str = typer.Option("train", help="all | train | test_id | test_ood"),
    by: str = typer.Option("country", help="country | dimension"),
    seed: int = seed_option(),
    persona_view: str = typer.Option("values", help="values | demographics"),
    items: Path = ItemsOpt,
    personas: Path = PersonasOpt,
) -> None:
    """Export items as DPO preference pairs (TRL conversational format + source)."""
    from coalign.benchmarks.values.splits import select_split, to_pairs
    from coalign.pairs import write_pairs

    ds = _load(items, personas)
    chosen = select_split(ds, split, by, seed)  # type: ignore[arg-type]
    n = write_pairs(out, to_pairs(ds, chosen, persona_view))  # type: ignore[arg-type]
    console.print(f"wrote {n} pairs to {out}")


@app.command("import")
def import_cmd(
    fmt: str = typer.Argument(..., help="mvpbench | prism"),
    out: Path = out_option(..., help="folder for items.jsonl + personas.jsonl"),
    path: Path = typer.Option(None, "--file", help="mvpbench: the JSON/JSONL instance file"),
    survey: Path = typer.Option(None, help="prism: survey.jsonl"),
    conversations: Path = typer.Option(None, help="prism: conversations.jsonl"),
    hub: str = typer.Option(
        None, help="prism: hub dataset name (online), e.g. HannahRoseKirk/prism-alignment"
    ),
    unknown_country: str = typer.Option("error", help="error | unspecified | skip"),
    all_turns: bool = typer.Option(False, help="prism: every rated turn, not only the first"),
) -> None:
    """Import MVPBench/DiverValue-Bench or PRISM data into this benchmark's schema."""
    from coalign.benchmarks.values.authoring.importers import import_mvpbench, import_prism
    from coalign.io import write_jsonl

    try:
        if fmt == "mvpbench":
            if path is None:
                fail("mvpbench needs --file")
            ds, report = import_mvpbench(path, unknown_country=unknown_country)  # type: ignore[arg-type]
        elif fmt == "prism":
            ds, report = import_prism(
                survey,
                conversations,
                hub=hub,
                unknown_country=unknown_country,  # type: ignore[arg-type]
                first_turn_only=not all_turns,
            )
        else:
            fail("format must be mvpbench or prism")
    except InputError as e:
        fail(e)
    write_jsonl(out / "personas.jsonl", ds.personas.values())
    write_jsonl(out / "items.jsonl", ds.items)
    console.print(
        f"imported {report.items} items, {report.personas} personas; skipped: {report.skipped or 'none'}"
    )


@app.command("generate")
def generate_cmd(
    model: str = model_option(help="any Inspect model, e.g. openai/gpt-4o-mini"),
    out: Path = out_option(..., help="folder for items.jsonl + personas.jsonl"),
    n_items: int = typer.Option(20, help="items to keep"),
    n_personas: int = typer.Option(0, help="personas to draft (0: use the shipped personas)"),
    seed: int = seed_option(),
    max_ratio: float = typer.Option(1.3, help="largest allowed longer/shorter answer ratio"),
    model_arg: list[str] = model_args_option(),
) -> None:
    """Draft new personas/items with a model; dedupe; check length cue and defensibility."""
    from coalign.benchmarks.values.authoring.generate import generate

    if not model:
        fail("generate needs --model (any Inspect model)")
    args = parse_model_args(model_arg)
    with Progress(console=console) as bar:
        job = bar.add_task("drafting", total=(n_items + n_personas) * 3)
        report = asyncio.run(
            generate(
                model,
                out,
                n_items=n_items,
                n_personas=n_personas,
                seed=seed,
                max_ratio=max_ratio,
                model_args=args,
                progress=lambda: bar.advance(job),
            )
        )
    console.print(
        f"drafted {report.drafted}, kept {report.kept}; dropped: {report.dropped or 'none'}"
    )


@app.command("report")
def report_cmd(
    logs: list[Path] = typer.Argument(
        ..., exists=True, dir_okay=False, help="Inspect eval logs of coalign/values"
    ),
    report: Path = report_option(help=f"HTML report to write (default: {REPORT_FILE})"),
) -> None:
    """PAA per mode, disparity by country, region and demographic field, and an HTML report."""
    from inspect_ai.log import read_eval_log

    from coalign.benchmarks.values.disparity import all_disparities, overall, records_from_logs
    from coalign.benchmarks.values.report import report_sections
    from coalign.report import write_report

    evals = [read_eval_log(str(p)) for p in logs]
    records = records_from_logs(evals)
    if not records:
        fail("no coalign/values samples in these logs")
    for mode in sorted({r.mode for r in records}):
        recs = [r for r in records if r.mode == mode]
        t = RichTable(title=f"PAA ({mode}): {overall(recs).format()}")
        for col in ("field", "groups", "best", "worst", "worst PAA", "gap", "permutation p"):
            t.add_column(col)
        for d in all_disparities(recs):
            t.add_row(
                d.field,
                str(len(d.rates)),
                d.best or "",
                d.worst or "",
                d.rates[d.worst].format() if d.worst else "",
                d.gap.format() if d.gap else "",
                f"{d.p_value:.3f}",
            )
        console.print(t)
    out = report or REPORT_FILE
    write_report(out, "Value-alignment benchmark", report_sections(evals))
    console.print(f"report: {out}")
