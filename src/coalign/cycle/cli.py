"""``coalign demo``: the co-alignment cycle on the embedded model, with a Rich summary."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

console = Console()


def demo(
    out: Path = typer.Option(
        Path("coalign-out"),
        help="Folder for logs, data, the review database, the adapter and report.html.",
    ),
    judge: str = typer.Option("classifier", help="Judge spec (see `coalign judges`)."),
    seed: int = typer.Option(0, help="Seed for splits and samples."),
    scirisk_eval: int = typer.Option(40, help="Held-out science-risk items evaluated."),
    scirisk_train: int = typer.Option(64, help="Science-risk prompts sent to oversight."),
    values_eval: int = typer.Option(40, help="Values items per held-out part (in/out of domain)."),
    values_train: int = typer.Option(48, help="Values training items turned into pairs."),
    agents: int = typer.Option(3, help="Agent scenarios (each run under Trust and Warning)."),
    review: bool = typer.Option(
        False,
        "--review",
        help="Wait for people to decide in the reviewer web app instead of the automated reviewer.",
    ),
    correct: bool = typer.Option(
        True, "--correct/--no-correct", help="Train and re-evaluate (off: evaluation only)."
    ),
    port: int = typer.Option(8765, help="Port of the reviewer app with --review."),
    fresh: bool = typer.Option(False, "--fresh", help="Start over instead of resuming."),
) -> None:
    """Run the whole cycle offline: evaluate, judge, escalate, decide, LoRA-DPO, re-evaluate."""
    from coalign.cycle.demo import DemoConfig, run_demo

    cfg = DemoConfig(
        out=out,
        judge=judge,
        seed=seed,
        scirisk_eval=scirisk_eval,
        scirisk_train=scirisk_train,
        values_eval=values_eval,
        values_train=values_train,
        agents_scenarios=agents,
        review=review,
        correct=correct,
        port=port,
    )
    try:
        result = run_demo(cfg, fresh=fresh, say=lambda m: console.print(m))
    except ValueError as e:
        console.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from None
    table = Table(title="coalign demo: before and after correction (held-out items)")
    for col in ("metric", "before", "after", "change", "verdict"):
        table.add_column(col)
    for row in result.comparison:
        table.add_row(
            *(
                row[c].format()
                if hasattr(row.get(c), "format") and c != "metric" and c != "verdict"
                else str(row.get(c, ""))
                for c in ("metric", "before", "after", "change", "verdict")
            )
        )
    if result.automated_reviewer:
        console.print(
            "[bold yellow]An automated reviewer stood in for people "
            "(use --review to decide yourself).[/bold yellow]"
        )
    console.print(table)
    console.print(
        f"report: {result.report}\nInspect logs: {result.log_dir} "
        f"(inspect view --log-dir {result.log_dir})"
    )
    console.print(f"total wall time: {sum(result.seconds.values()):.0f} s")
