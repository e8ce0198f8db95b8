"""``coalign scirisk ...``: build, validate, stats, dedup, generate, import, report.

Options shared with other command groups come from :mod:`coalign.cli_common` (``-o/--out``,
``--model``, ``-M``, ``--seed``) and every refused input exits through its ``fail`` (status 2).
The near-duplicate options are the same in ``build``, ``dedup`` and ``generate``:
``--similarity`` (the measure) and ``--dup-threshold`` (the cosine at or above which two
prompts are near-duplicates).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import typer
from rich.progress import Progress
from rich.table import Table as RichTable

from coalign.cli_common import (
    console,
    dup_threshold_option,
    fail,
    model_args_option,
    model_option,
    out_option,
    parse_model_args,
    seed_option,
)
from coalign.io import InputError

app = typer.Typer(help="Science-risk benchmark: dataset tools and reports.", no_args_is_help=True)


def _similarity_option(default: str) -> Any:
    return typer.Option(default, "--similarity", help="near-duplicate measure: tfidf or minilm")


@app.command("build")
def build_cmd(
    out: Path | None = out_option(help="output JSONL (default: the shipped item file)"),
    similarity: str = _similarity_option("tfidf"),
    dup_threshold: float | None = dup_threshold_option(
        help="near-duplicate cosine threshold (default: tfidf 0.8, minilm 0.85)"
    ),
) -> None:
    """Compose the hand-written components into the item file (deterministic)."""
    from coalign.benchmarks.scirisk.authoring.build import build
    from coalign.benchmarks.scirisk.schema import ITEMS_PATH

    try:
        with console.status("building items"):
            res = build(out or ITEMS_PATH, similarity=similarity, threshold=dup_threshold)  # type: ignore[arg-type]
    except (InputError, ValueError) as e:
        fail(e)
    console.print(f"wrote {len(res.items)} items to {out or ITEMS_PATH}")
    if res.near_duplicates:
        console.print(res.near_duplicates.summary())
    if res.dropped:
        console.print(f"dropped near-duplicate pairs: {', '.join(res.dropped)}")


@app.command("validate")
def validate_cmd(
    paths: list[Path] = typer.Argument(None, help="item JSONL files (default: shipped)"),
) -> None:
    """Validate item files whole; the first problem is reported with file, line and field."""
    from coalign.benchmarks.scirisk.schema import ITEMS_PATH, read_items

    for p in paths or [ITEMS_PATH]:
        try:
            items = read_items(p)
        except InputError as e:
            fail(e)
        console.print(f"{p}: {len(items)} valid items")


@app.command("stats")
def stats_cmd(path: Path = typer.Argument(None, help="item JSONL (default: shipped)")) -> None:
    """Item counts per discipline, risk dimension, form, expected behaviour, severity; coverage."""
    from coalign.benchmarks.scirisk.schema import read_items
    from coalign.taxonomy.scirisk import load_taxonomy

    try:
        items = read_items(path)
    except InputError as e:
        fail(e)
    tax = load_taxonomy()
    for field in (
        "discipline",
        "risk_dimension",
        "form",
        "expected_behavior",
        "severity",
        "generated_by",
    ):
        t = RichTable(title=f"by {field}")
        t.add_column(field)
        t.add_column("hazardous", justify="right")
        t.add_column("benign", justify="right")
        t.add_column("total", justify="right")
        haz = Counter(str(getattr(i, field)) for i in items if i.hazardous)
        ben = Counter(str(getattr(i, field)) for i in items if not i.hazardous)
        for key in sorted(set(haz) | set(ben)):
            t.add_row(key, str(haz[key]), str(ben[key]), str(haz[key] + ben[key]))
        t.add_row("all", str(sum(haz.values())), str(sum(ben.values())), str(len(items)))
        console.print(t)
    covered = {(i.subdiscipline, i.risk_dimension) for i in items if i.hazardous}
    paired = {(i.subdiscipline, i.risk_dimension) for i in items if not i.hazardous}
    cells = [(s, d) for _, s, d in tax.cells()]
    missing = [c for c in cells if c not in covered or c not in paired]
    console.print(
        f"cells: {len(cells)} applicable, {len(cells) - len(missing)} covered with hazardous and benign items"
        + (f"; missing: {missing}" if missing else "")
    )


@app.command("dedup")
def dedup_cmd(
    path: Path = typer.Argument(None, help="item JSONL (default: shipped)"),
    similarity: str = _similarity_option("minilm"),
    dup_threshold: float | None = dup_threshold_option(
        help="near-duplicate cosine threshold (default: tfidf 0.8, minilm 0.85)"
    ),
    field: str = typer.Option("prompt", help="compare 'prompt' or the component 'clause'"),
    show: int = typer.Option(10, help="how many closest pairs to list"),
) -> None:
    """Near-duplicate check (look-alike pairs excluded); prints the figure for the datasheet."""
    from coalign.benchmarks.scirisk.authoring.similarity import near_duplicates
    from coalign.benchmarks.scirisk.schema import read_items

    try:
        items = read_items(path)
    except InputError as e:
        fail(e)
    texts = [
        str(i.metadata.get("clause", i.prompt)) if field == "clause" else i.prompt for i in items
    ]
    with console.status(f"embedding {len(items)} items with {similarity}"):
        rep = near_duplicates(
            [i.id for i in items],
            texts,
            groups=[i.pair_id for i in items],
            method=similarity,  # type: ignore[arg-type]
            threshold=dup_threshold,
        )
    console.print(rep.summary())
    for a, b, s in rep.duplicates[:show]:
        console.print(f"  {s:.3f}  {a}  {b}")
    if rep.duplicates:
        raise typer.Exit(code=2)


@app.command("generate")
def generate_cmd(
    out: Path = out_option(..., help="where to write the new items (JSONL)"),  # type: ignore[arg-type]
    cells: str = typer.Option(
        None,
        help="cells: sub:dim, subdiscipline, discipline or dimension (comma list; default all)",
    ),
    model: str | None = model_option(help="any Inspect model; omit for template expansion"),
    model_arg: list[str] = model_args_option(),
    per_cell: int = typer.Option(1, help="new pairs per cell"),
    existing: list[Path] = typer.Option(
        None, help="item files to deduplicate against (default: shipped)"
    ),
    similarity: str = _similarity_option("tfidf"),
    dup_threshold: float | None = dup_threshold_option(
        help="near-duplicate cosine threshold (default: tfidf 0.8, minilm 0.85)"
    ),
    seed: int = seed_option(),
) -> None:
    """Draft new items for taxonomy cells with a model (or from templates), deduplicated."""
    from coalign.benchmarks.scirisk.authoring.generate import generate_items, resolve_cells
    from coalign.benchmarks.scirisk.schema import read_items
    from coalign.io import write_jsonl

    try:
        chosen = resolve_cells(cells)
        paths: list[Path | None] = list(existing) if existing else [None]
        ex = [it for p in paths for it in read_items(p)]
    except (InputError, ValueError) as e:
        fail(e)
    margs = parse_model_args(model_arg)
    total = len(chosen) * per_cell
    with Progress(console=console) as prog:
        bar = prog.add_task("drafting" if model else "expanding templates", total=total)
        rep = generate_items(
            chosen,
            model=model,
            per_cell=per_cell,
            existing=ex,
            method=similarity,  # type: ignore[arg-type]
            threshold=dup_threshold,
            seed=seed,
            model_args=margs,
            progress=lambda n: prog.advance(bar, n),
        )
    write_jsonl(out, rep.accepted)
    console.print(rep.summary() + f"; wrote {out}")


def _pairs(values: list[str], what: str) -> dict[str, str]:
    out = {}
    for v in values:
        if "=" not in v:
            raise ValueError(f"{what} expects field=value, got {v!r}")
        k, _, val = v.partition("=")
        out[k.strip()] = val.strip()
    return out


@app.command("import")
def import_cmd(
    fmt: str = typer.Argument(..., help="harmbench, xstest or generic"),
    path: Path = typer.Argument(None, help="local CSV/JSONL/JSON file"),
    out: Path = out_option(..., help="output item JSONL"),  # type: ignore[arg-type]
    hub: str = typer.Option(None, help="Hugging Face dataset id instead of a file (needs network)"),
    split: str = typer.Option("train", help="hub split"),
    map_: list[str] = typer.Option(
        [], "--map", help="generic: our_field=their_column (repeatable)"
    ),
    set_: list[str] = typer.Option([], "--set", help="generic: our_field=constant (repeatable)"),
    source: str = typer.Option(None, help="generic: where the data comes from"),
    license_: str = typer.Option(None, "--license", help="generic: the data's license"),
    category_map: Path = typer.Option(None, help="category map YAML (default: shipped)"),
) -> None:
    """Import a public prompt set onto the taxonomy (whole file validated, or nothing written)."""
    from coalign.benchmarks.scirisk.authoring.importers import (
        IMPORTERS,
        GenericImporter,
        Importer,
        load_category_map,
    )
    from coalign.io import hub_rows, write_jsonl

    try:
        cmap = load_category_map(category_map) if category_map else None
        imp: Importer
        if fmt == "generic":
            imp = GenericImporter(
                _pairs(map_, "--map"),
                source=source or "",
                license=license_ or "",
                defaults=_pairs(set_, "--set"),
                category_map=cmap,
            )
        elif fmt in IMPORTERS:
            imp = IMPORTERS[fmt](category_map=cmap)  # type: ignore[call-arg]
        else:
            raise ValueError(f"unknown format {fmt!r}; available: {', '.join(IMPORTERS)}")
        if hub:
            res = imp.import_rows(hub_rows(hub, split), origin=f"hf:{hub}:{split}")
        elif path:
            res = imp.import_file(path)
        else:
            raise ValueError("give a file path or --hub")
    except (InputError, ValueError, RuntimeError) as e:
        fail(e)
    write_jsonl(out, res.items)
    console.print(res.summary() + f"; wrote {out}")
    reasons = Counter(r for _, r in res.skipped)
    for r, n in reasons.most_common(5):
        console.print(f"  skipped {n}: {r}")


@app.command("report")
def report_cmd(
    logs: list[Path] = typer.Argument(..., help="Inspect eval log files"),
    out: Path = out_option(Path("scirisk_report.html"), help="HTML report to write"),
) -> None:
    """HTML report (heatmap, worst cells, breakdowns) and headline rates from eval logs."""
    from coalign.benchmarks.scirisk.report import records_from_logs, report_sections, summary_lines
    from coalign.report import write_report

    records = records_from_logs(logs)
    for line in summary_lines(records):
        console.print(line)
    write_report(out, "Science-risk benchmark", report_sections(logs))
    console.print(f"wrote {out}")
