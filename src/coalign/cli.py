"""The ``coalign`` command. Thin: each command parses options and calls into a package."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(
    help="coalign: human-AI co-alignment toolkit on Inspect AI.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
console = Console()

from coalign.governance.cli import index_app  # noqa: E402

app.add_typer(index_app, name="index")


@app.command("models")
def models_cmd() -> None:
    """List the coalign/<name> models usable with --model."""
    from coalign.models.providers import backend_names

    for name in backend_names():
        console.print(f"coalign/{name}")


@app.command("judges")
def judges_cmd() -> None:
    """List the judge specs usable with --judge."""
    from coalign.judges.base import judge_names

    for name in judge_names():
        console.print(name)
