"""``coalign review``: the review store from the terminal, and the web server."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from coalign.cli_common import fail, limit_option, report_option
from coalign.io import InputError
from coalign.oversight.accounts import (
    OversightError,
    add_member,
    create_user,
    get_or_create_project,
    get_project,
    list_users,
)
from coalign.oversight.db import open_store
from coalign.oversight.escalation import escalate, load_policy

review_app = typer.Typer(
    help="Human review of escalated cases: import, triage, decide, serve, statistics, export.",
    no_args_is_help=True,
)
users_app = typer.Typer(help="Reviewer accounts.", no_args_is_help=True)
projects_app = typer.Typer(help="Review projects.", no_args_is_help=True)
review_app.add_typer(users_app, name="users")
review_app.add_typer(projects_app, name="projects")
console = Console()

DB_HELP = "Database URL or SQLite file (default: $COALIGN_DB_URL, else ./coalign-review.db)."
DbOpt = typer.Option(None, "--db", help=DB_HELP)
ProjectOpt = typer.Option("default", "--project", "-p", help="Review project.")


@review_app.command("import")
def import_cmd(
    logs: list[Path] = typer.Argument(..., help="Inspect log files (.eval or .json)."),
    project: str = ProjectOpt,
    db: str | None = DbOpt,
    policy: Path | None = typer.Option(None, help="Escalation policy YAML (default rules)."),
    triage: bool = typer.Option(True, "--escalate/--no-escalate", help="Apply the policy now."),
) -> None:
    """Import samples and verdicts from Inspect logs (idempotent), then triage new items."""
    from coalign.oversight.importer import import_log

    try:
        pol = load_policy(policy)
        with open_store(db) as store, Progress(console=console) as progress:
            task = progress.add_task("importing", total=len(logs))
            for log in logs:
                r = import_log(store, log, project=project, actor="cli")
                progress.advance(task)
                console.print(
                    f"{log}: {r.added} new items, {r.skipped} already there (run {r.run_id})"
                )
            if triage:
                res = escalate(store, project, pol, actor="cli")
                rules = ", ".join(f"{k} {v}" for k, v in sorted(res.escalated.items())) or "none"
                console.print(
                    f"escalated {res.total_escalated} ({rules}); {res.auto} left to the judge"
                )
    except (InputError, OversightError) as e:
        fail(e)


@review_app.command("escalate")
def escalate_cmd(
    project: str = ProjectOpt,
    db: str | None = DbOpt,
    policy: Path | None = typer.Option(None, help="Escalation policy YAML."),
) -> None:
    """Apply an escalation policy to items not triaged yet."""
    try:
        with open_store(db) as store:
            res = escalate(store, project, load_policy(policy), actor="cli")
        console.print(json.dumps({"escalated": res.escalated, "auto": res.auto}))
    except (InputError, OversightError) as e:
        fail(e)


@review_app.command("list")
def list_cmd(
    project: str = ProjectOpt,
    db: str | None = DbOpt,
    status: str = typer.Option("", help="imported|auto|escalated|in_review|adjudication|final"),
    rule: str = typer.Option("", help="Escalation rule."),
    benchmark: str = typer.Option("", help="Benchmark name."),
    limit: int = limit_option(200, help="At most this many rows."),
) -> None:
    """List items of a project with their status and escalation rule."""
    from coalign.oversight.reviews import list_items

    try:
        with open_store(db) as store:
            rows = list_items(
                store, project, status=status, rule=rule, benchmark=benchmark, limit=limit
            )
            n_per = get_project(store, project).reviewers_per_item
    except OversightError as e:
        fail(e)
    table = Table(
        "id", "benchmark", "item", "category", "severity", "rule", "status", "reviews", "prompt"
    )
    for item, r, n in rows:
        table.add_row(
            str(item.id),
            item.benchmark,
            item.item_key,
            item.category,
            item.severity,
            r or "",
            item.status,
            f"{n}/{n_per}",
            item.prompt[:60],
        )
    console.print(table)


@review_app.command("show")
def show_cmd(
    item_id: int = typer.Argument(..., help="Item id."),
    project: str = ProjectOpt,
    db: str | None = DbOpt,
    reveal: bool = typer.Option(False, help="Show the model name and judge verdicts."),
) -> None:
    """Show one item: prompt and response (or trajectory), and with --reveal the verdicts."""
    from coalign.oversight.reviews import list_items

    try:
        with open_store(db) as store:
            rows = [r for r in list_items(store, project, limit=10**9) if r[0].id == item_id]
    except OversightError as e:
        fail(e)
    if not rows:
        fail(OversightError(f"no item {item_id} in project {project!r}"))
    item, rule, n = rows[0]
    console.rule(f"item {item.id} · {item.benchmark}/{item.item_key} · {item.status}")
    console.print(f"escalated because: {rule or '-'}; reviews: {n}; severity: {item.severity}")
    if reveal:
        console.print(f"model: {item.model}")
    if item.is_agentic:
        for i, m in enumerate(item.trajectory, start=1):
            console.print(f"[bold]step {i} {m['role']}[/bold] {m.get('function') or ''}")
            if m.get("content"):
                console.print(m["content"], markup=False)
            for c in m.get("tool_calls") or []:
                console.print(f"  -> {c['function']}({json.dumps(c['arguments'])})", markup=False)
    else:
        console.print("[bold]prompt[/bold]")
        console.print(item.prompt, markup=False)
        console.print("[bold]response[/bold]")
        console.print(item.response, markup=False)
    if reveal:
        for v in item.verdicts:
            console.print(
                f"judge {v.judge_id}: {v.label} ({v.confidence:.2f}) {v.rationale}", markup=False
            )


@review_app.command("decide")
def decide_cmd(
    item_id: int = typer.Argument(..., help="Item id."),
    decision: str = typer.Argument(..., help="safe | unsafe | escalate"),
    user: str = typer.Option(..., "--user", "-u", help="Reviewer account deciding."),
    project: str = ProjectOpt,
    db: str | None = DbOpt,
    corrected: str | None = typer.Option(None, help="Corrected response."),
    comment: str | None = typer.Option(None, help="Comment."),
    adjudicate: bool = typer.Option(False, help="Decide as adjudicator (final)."),
) -> None:
    """Record a decision as ``--user`` (the CLI trusts whoever can open the database)."""
    from coalign.oversight.reviews import record_review

    try:
        with open_store(db) as store:
            r = record_review(
                store,
                item_id,
                user,
                decision,
                corrected_response=corrected,
                comment=comment,
                project=project,
                adjudication=adjudicate,
                via="cli",
            )
    except OversightError as e:
        fail(e)
    console.print(f"review {r.id} recorded")


@users_app.command("create")
def users_create(
    username: str = typer.Argument(...),
    role: str = typer.Option("reviewer", help="reviewer | adjudicator | admin"),
    project: list[str] = typer.Option([], "--project", "-p", help="Projects to join."),
    db: str | None = DbOpt,
    password_stdin: bool = typer.Option(
        False, help="Read the password from standard input instead of prompting."
    ),
) -> None:
    """Create an account (the password is prompted, or read from stdin, never an argument)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        with open_store(db) as store:
            create_user(store, username, password, role=role, projects=project, actor="cli")
    except OversightError as e:
        fail(e)
    console.print(f"created {role} {username}")


@users_app.command("add")
def users_add(
    username: str = typer.Argument(...),
    project: str = typer.Option(..., "--project", "-p"),
    db: str | None = DbOpt,
) -> None:
    """Give an existing account access to a project."""
    try:
        with open_store(db) as store:
            add_member(store, username, project, actor="cli")
    except OversightError as e:
        fail(e)


@users_app.command("list")
def users_list(db: str | None = DbOpt) -> None:
    """List accounts, roles and projects."""
    with open_store(db) as store:
        rows = list_users(store)
    table = Table("user", "role", "active", "projects")
    for u, projects in rows:
        table.add_row(u.username, u.role, "yes" if u.active else "no", ", ".join(projects))
    console.print(table)


@projects_app.command("create")
def projects_create(
    name: str = typer.Argument(...),
    reviewers: int = typer.Option(1, "--reviewers", "-n", help="Reviewers per item (N)."),
    blind: bool = typer.Option(True, "--blind/--no-blind", help="Hide model identity."),
    db: str | None = DbOpt,
) -> None:
    """Create a project (N reviewers per item; model identity blinded by default)."""
    try:
        with open_store(db) as store:
            get_or_create_project(
                store, name, reviewers_per_item=reviewers, blind_models=blind, actor="cli"
            )
    except OversightError as e:
        fail(e)


@projects_app.command("set-reviewers")
def projects_set_reviewers(
    name: str = typer.Argument(...),
    reviewers: int = typer.Argument(..., help="New N."),
    db: str | None = DbOpt,
) -> None:
    """Change N (open items are settled again under the new N)."""
    from coalign.oversight.reviews import set_reviewers_per_item

    try:
        with open_store(db) as store:
            set_reviewers_per_item(store, name, reviewers, actor="cli")
    except OversightError as e:
        fail(e)


@review_app.command("serve")
def serve_cmd(
    db: str | None = DbOpt,
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port."),
    https_only: bool = typer.Option(False, help="Mark the session cookie Secure (behind TLS)."),
    log_level: str = typer.Option("warning", help="uvicorn log level."),
) -> None:
    """Run the reviewer web app (set COALIGN_SECRET_KEY to keep sessions across restarts)."""
    import uvicorn

    from coalign.oversight.web.app import create_app

    store = open_store(db)
    app = create_app(store, secret_key=os.environ.get("COALIGN_SECRET_KEY"), https_only=https_only)
    console.print(f"coalign review on http://{host}:{port}/ ({store})")
    uvicorn.run(app, host=host, port=port, log_level=log_level)


@review_app.command("stats")
def stats_cmd(
    project: str = ProjectOpt,
    db: str | None = DbOpt,
    report: Path | None = report_option(),
) -> None:
    """Agreement statistics: judges vs people, between reviewers, audit-sample accuracy."""
    from coalign.oversight.agreement import compute_agreement
    from coalign.oversight.report import sections_from_stats
    from coalign.report import write_report

    try:
        with open_store(db) as store:
            stats = compute_agreement(store, project)
    except OversightError as e:
        fail(e)
    console.print_json(json.dumps(stats.to_dict()))
    if report is not None:
        write_report(report, f"Human oversight: {project}", sections_from_stats(stats))
        console.print(f"report written to {report}")


@review_app.command("export")
def export_cmd(
    project: str = ProjectOpt,
    db: str | None = DbOpt,
    pairs: Path | None = typer.Option(None, help="Write DPO preference pairs (JSONL) here."),
    regression: Path | None = typer.Option(None, help="Write the regression set (JSONL) here."),
) -> None:
    """Export final decisions as preference pairs and/or a regression test set."""
    from coalign.oversight.exports import export_pairs, export_regression

    if pairs is None and regression is None:
        fail(OversightError("give --pairs and/or --regression"))
    try:
        with open_store(db) as store:
            if pairs is not None:
                r = export_pairs(store, project, pairs)
                console.print(f"{r.written} pairs -> {pairs}; skipped {r.skipped or 'none'}")
            if regression is not None:
                r = export_regression(store, project, regression)
                console.print(f"{r.written} regression samples -> {regression}")
    except OversightError as e:
        fail(e)


def calibrate_cmd(
    out: Path = typer.Option(
        ..., "--out", "-o", help="folder for the calibrated heads.npz and calibration.json"
    ),
    project: str = ProjectOpt,
    db: str | None = DbOpt,
    holdout: float = typer.Option(0.3, help="share of decisions held out to measure agreement"),
    max_abstain: float = typer.Option(
        0.1, help="highest share of (cross-validated) decisions the judge may abstain on"
    ),
    seed: int = typer.Option(0, help="seed of the held-out split and the folds"),
    min_decisions: int = typer.Option(20, help="refuse to calibrate on fewer decisions"),
) -> None:
    """Fit the offline classifier to the project's final human decisions; use the result with
    --judge classifier:heads=OUT/heads.npz."""
    from coalign.judges.calibration import CalibrationError
    from coalign.oversight.calibration import calibrate_from_store

    try:
        with open_store(db) as store:
            heads, skipped = calibrate_from_store(
                store,
                project,
                out,
                holdout=holdout,
                max_abstain=max_abstain,
                seed=seed,
                min_decisions=min_decisions,
            )
    except (CalibrationError, OversightError) as e:
        fail(f"{e} (nothing was written)")
    cal = heads.meta["calibration"]
    table = Table(title=f"{cal['version']}: agreement with {cal['before']['n']} held-out decisions")
    for col in (
        "judge",
        "agreement (forced)",
        "kappa (forced)",
        "decided",
        "agreement (decided)",
        "ECE",
    ):
        table.add_column(col)
    for name, key in (("shipped classifier", "before"), ("calibrated", "after")):
        a = cal[key]
        table.add_row(
            name,
            f"{a['agreement_forced']:.3f}",
            f"{a['kappa_forced']:.3f}",
            f"{a['decided']}/{a['n']}",
            f"{a['agreement_decided']:.3f}",
            f"{a['reliability']['ece']:.3f}",
        )
    console.print(table)
    rel = Table(title="reliability of the calibrated judge on held-out decisions")
    for col in ("confidence bin", "n", "mean confidence", "accuracy"):
        rel.add_column(col)
    for b in cal["after"]["reliability"]["bins"]:
        rel.add_row(
            f"{b['low']:.2f}-{b['high']:.2f}",
            str(b["n"]),
            f"{b['confidence']:.3f}",
            f"{b['accuracy']:.3f}",
        )
    console.print(rel)
    if skipped:
        console.print(f"left out: {skipped}")
    console.print(
        f"fitted on {len(cal['fitted_ids'])} decisions, threshold {cal['threshold']:.2f}; "
        f"wrote {out / 'heads.npz'}, {out / 'calibration.json'} and {out / 'reliability.html'}\n"
        f"use it with: --judge classifier:heads={out / 'heads.npz'}"
    )
