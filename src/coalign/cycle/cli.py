"""``coalign demo``: the co-alignment cycle on the embedded model, with a Rich summary."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from coalign.cli_common import fail, judge_option, out_option, seed_option
from coalign.cycle.demo import DemoConfig, run_demo

console = Console()
# the CLI shows the library's defaults, so the two cannot drift apart
_D = DemoConfig()


def demo(
    out: Path = out_option(
        _D.out, help="Folder for logs, data, the review database, the adapter and report.html."
    ),
    judge: str = judge_option(_D.judge),
    seed: int = seed_option(_D.seed),
    scirisk_eval: int = typer.Option(
        _D.scirisk_eval, help="Held-out science-risk items evaluated."
    ),
    scirisk_train: int = typer.Option(
        _D.scirisk_train, help="Science-risk prompts sent to oversight."
    ),
    values_eval: int = typer.Option(
        _D.values_eval, help="Values items per held-out part (in/out of domain)."
    ),
    values_train: int = typer.Option(
        _D.values_train, help="Values training items turned into pairs."
    ),
    agents: int = typer.Option(
        _D.agents_scenarios, help="Agent scenarios (each run under Trust and Warning)."
    ),
    max_tokens: int = typer.Option(_D.max_tokens, help="Answer length limit in the evaluations."),
    num_train_epochs: float = typer.Option(_D.dpo["num_train_epochs"], help="DPO epochs."),
    learning_rate: float | None = typer.Option(
        None, help="DPO learning rate (default: the DPO default)."
    ),
    review: bool = typer.Option(
        False,
        "--review",
        help="Wait for people to decide in the reviewer web app instead of the automated reviewer.",
    ),
    correct: bool = typer.Option(
        True, "--correct/--no-correct", help="Train and re-evaluate (off: evaluation only)."
    ),
    port: int = typer.Option(_D.port, help="Port of the reviewer app with --review."),
    fresh: bool = typer.Option(False, "--fresh", help="Start over instead of resuming."),
) -> None:
    """Run the whole cycle offline: evaluate, judge, escalate, decide, LoRA-DPO, re-evaluate."""
    dpo: dict[str, float] = {"num_train_epochs": num_train_epochs}
    if learning_rate is not None:
        dpo["learning_rate"] = learning_rate
    cfg = DemoConfig(
        out=out,
        judge=judge,
        seed=seed,
        scirisk_eval=scirisk_eval,
        scirisk_train=scirisk_train,
        values_eval=values_eval,
        values_train=values_train,
        agents_scenarios=agents,
        max_tokens=max_tokens,
        review=review,
        correct=correct,
        port=port,
        dpo=dpo,
    )
    try:
        result = run_demo(cfg, fresh=fresh, say=lambda m: console.print(m))
    except ValueError as e:
        fail(e)
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
