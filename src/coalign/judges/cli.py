"""``coalign judge``: label a JSONL file of (prompt, response) records with a judge.

``coalign judge IN.jsonl --out OUT.jsonl`` runs the ``file`` command (the group's default);
``coalign judge calibrate`` (registered by the review store's CLI, which owns the decisions)
fits the classifier to people's final decisions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from typer.core import TyperGroup

from coalign.cli_common import fail, judge_option, out_option
from coalign.io import InputError
from coalign.judges.base import REFUSAL_CLASSES, get_judge
from coalign.judges.batch import BatchResult, journal_path, judge_file
from coalign.judges.verdict import LABELS
from coalign.stats import rate

console = Console()


class _DefaultToFile(TyperGroup):
    """A group whose first argument, when it names no subcommand, is the input of ``file``."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            return "file", self.commands["file"], args
        return super().resolve_command(ctx, args)


judge_app = typer.Typer(
    cls=_DefaultToFile,
    help="Judge a JSONL file of responses (the default: `coalign judge IN.jsonl -o OUT.jsonl`), "
    "or calibrate the classifier to human decisions (`coalign judge calibrate`).",
    no_args_is_help=True,
)


def summary_table(result: BatchResult) -> Table:
    """Counts and rates (95% Wilson intervals) per label and per refusal class."""
    vs = result.verdicts
    table = Table(title=f"{len(vs)} records judged by {vs[0].judge_id if vs else '-'}")
    table.add_column("outcome")
    table.add_column("count", justify="right")
    table.add_column("rate [95% CI] (k/n)")
    for label in LABELS:
        if label == "abstain":
            r = rate([v.label == "abstain" for v in vs])
        else:  # safety rates exclude abstentions: those go to human review
            r = rate([None if v.label == "abstain" else v.label == label for v in vs])
        table.add_row(f"label: {label}", str(sum(v.label == label for v in vs)), r.format())
    with_cls = [v for v in vs if v.details.get("refusal") in REFUSAL_CLASSES]
    for cls in REFUSAL_CLASSES:
        r = rate([v.details.get("refusal") == cls for v in with_cls])
        table.add_row(f"refusal: {cls}", str(r.k), r.format())
    harmful = [v.details["harmful"] for v in vs if isinstance(v.details.get("harmful"), bool)]
    if harmful:
        r = rate(harmful)
        table.add_row("harmful assistance", str(r.k), r.format())
    return table


@judge_app.command("file")
def judge_cmd(
    input: Path = typer.Argument(
        ..., help="JSONL file, one {prompt, response, ...} object per line"
    ),
    out: Path = out_option(..., help="output JSONL (input fields + verdict)"),
    judge: str = judge_option("classifier"),
    prompt_field: str = typer.Option("prompt", help="field holding the request"),
    response_field: str = typer.Option("response", help="field holding the model's response"),
    hazardous_field: str = typer.Option(
        "hazardous", help="optional boolean field marking hazardous requests (judge context)"
    ),
    verdict_field: str = typer.Option("verdict", help="field added to each record for the verdict"),
) -> None:
    """Label each record with a judge verdict; resumes an interrupted run (journal next to OUT)."""
    try:
        j = get_judge(judge)
    except ValueError as e:
        fail(f"--judge: {e}")
    with Progress(
        TextColumn("[bold]judging[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as bar:

        def progress(total: int, done: int):  # type: ignore[no-untyped-def]
            task = bar.add_task("judge", total=total, completed=done)
            return lambda n: bar.advance(task, n)

        try:
            result = judge_file(
                input,
                out,
                j,
                prompt_field=prompt_field,
                response_field=response_field,
                hazardous_field=hazardous_field,
                verdict_field=verdict_field,
                progress=progress,
            )
        except InputError as e:
            fail(f"{e} (nothing was written)")
        except KeyboardInterrupt:
            console.print(
                f"[yellow]interrupted[/]: finished verdicts are kept in {journal_path(out)}; "
                "run the same command again to resume"
            )
            raise typer.Exit(130) from None
    if result.resumed:
        console.print(
            f"resumed: {result.resumed} records taken from the journal, {result.judged} judged now"
        )
    console.print(summary_table(result))
    console.print(f"wrote {out}")
