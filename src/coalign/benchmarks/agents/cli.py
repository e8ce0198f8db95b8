"""``coalign agents``: generate, import, validate and summarise agent-safety scenarios/runs."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.progress import track
from rich.table import Table

from coalign.cli_common import (
    console,
    dup_threshold_option,
    fail,
    model_args_option,
    model_option,
    out_option,
    parse_model_args,
    report_option,
    seed_option,
)
from coalign.io import InputError
from coalign.selection import parse_list

app = typer.Typer(
    help="Agent-safety benchmark (VESTA-style): scenarios, generator, importer, stats."
)


@app.command("generate")
def generate_cmd(
    mode: str = typer.Option("template", help="template (offline) or model"),
    model: str | None = model_option(help="Inspect model for --mode model"),
    model_arg: list[str] = model_args_option(),
    per_subcategory: int = typer.Option(60, help="expansions kept per subcategory"),
    candidates: int = typer.Option(100, help="candidates examined per subcategory"),
    subcategories: str | None = typer.Option(None, help="comma-separated subset (default all)"),
    dup_threshold: float = dup_threshold_option(
        0.6, "near-duplicate word-trigram Jaccard threshold"
    ),
    seed: int = seed_option(),
    out: Path | None = out_option(help="write seeds + kept expansions in SAGE layout here"),
) -> None:
    """Expand the seeds and filter (schema, quality, executability, near-duplicates, balance)."""
    from coalign.benchmarks.agents.authoring.generate import STAGES, generate, write_sage_layout

    try:
        with console.status(f"generating ({mode})"):
            recs, stats = generate(
                mode=mode,
                model=model,
                model_args=parse_model_args(model_arg),
                subcategories=parse_list(subcategories),
                per_subcategory=per_subcategory,
                candidates=candidates,
                dup_threshold=dup_threshold,
                seed=seed,
            )
    except (ValueError, InputError) as e:
        fail(e)
    t = Table(title=f"generator ({mode}), dropped per stage")
    for col in ("subcategory", "candidates", *STAGES, "kept", "seeds"):
        t.add_column(col)
    for row in stats.rows():
        t.add_row(*[str(v) for v in row.values()])
    console.print(t)
    console.print(json.dumps(stats.totals()))
    if out:
        paths = write_sage_layout(out, recs)
        console.print(f"wrote {len(recs)} scenarios in {len(paths)} files under {out}")


@app.command("import")
def import_cmd(
    directory: Path = typer.Argument(..., help="a ForesightSafety-SAGE checkout or its data/ dir"),
    file_name: str = typer.Option("benchmark.json", help="task file per subcategory"),
) -> None:
    """Validate released SAGE files unchanged, check executability, and show how to run them."""
    from coalign.benchmarks.agents.authoring.generate import executability_problem
    from coalign.benchmarks.agents.authoring.importers import import_sage, summary

    try:
        recs, fams = import_sage(directory, file_name=file_name)
    except InputError as e:
        fail(e)
    problems = []
    for r in track(recs, description="executability", console=console):
        why = executability_problem(r, fams[r.family_id])
        if why:
            problems.append((r.instance_id, why))
    t = Table(title=f"imported from {directory}")
    for col in ("dimension", "subcategory", "scenarios"):
        t.add_column(col)
    for (d, s), n in sorted(summary(recs).items()):
        t.add_row(d, s, str(n))
    console.print(t)
    console.print(f"{len(recs)} scenarios, {len(fams)} families, {len(problems)} not executable")
    for iid, why in problems[:20]:
        console.print(f"  {iid}: {why}")
    console.print(
        f"run: inspect eval coalign/agents -T scenarios={directory} --model <model> [-T limit=N]"
    )


@app.command("validate")
def validate_cmd(
    path: Path | None = typer.Argument(
        None, help="SAGE data dir or family file; default: shipped data"
    ),
) -> None:
    """Validate the shipped families and seeds, a SAGE data directory, or one family file."""
    try:
        if path is None:
            from coalign.benchmarks.agents.families import load_families
            from coalign.benchmarks.agents.scenarios import seed_records

            fams, seeds = load_families(), seed_records()
            console.print(f"ok: {len(fams)} families, {len(seeds)} seed scenarios")
        elif path.is_dir():
            from coalign.benchmarks.agents.authoring.importers import import_sage

            recs, fams2 = import_sage(path)
            console.print(f"ok: {len(fams2)} families, {len(recs)} scenarios")
        else:
            from coalign.benchmarks.agents.families import load_family_file

            console.print(f"ok: {len(load_family_file(path))} family(ies)")
    except InputError as e:
        fail(e)


@app.command("stats")
def stats_cmd(
    logs: list[Path] = typer.Argument(..., help="Inspect .eval log files"),
    report: Path | None = report_option(),
) -> None:
    """ASR/UTR by dimension, subcategory, domain, strategy and authority from eval logs."""
    from inspect_ai.log import read_eval_log

    from coalign.benchmarks.agents.report import agent_records, report_sections, summary
    from coalign.report import write_report

    try:
        loaded = [
            read_eval_log(str(p)) for p in track(logs, description="reading logs", console=console)
        ]
    except (OSError, ValueError) as e:
        fail(e)
    recs = agent_records(loaded)
    s = summary(recs)
    t = Table(title=f"agents: {len(recs)} episodes")
    for col in ("group", "value", "n", "ASR", "UTR"):
        t.add_column(col)
    for g in ("dimension", "authority"):
        for k, v in s[f"by_{g}"].items():
            a, u = v["asr"], v["utr"]
            t.add_row(g, k, str(a["n"]), _pct(a), _pct(u))
    console.print(t)
    console.print(
        json.dumps(
            {k: s[k] for k in ("asr", "utr", "trust_minus_warning_asr", "judged")}, default=str
        )
    )
    if report:
        write_report(report, "coalign agents report", report_sections(loaded))
        console.print(f"report: {report}")


def _pct(r: dict[str, object]) -> str:
    if not r["n"]:
        return "n/a"
    return f"{100 * float(r['rate']):.1f}% [{100 * float(r['ci_low']):.1f}, {100 * float(r['ci_high']):.1f}] ({r['k']}/{r['n']})"  # type: ignore[arg-type]
