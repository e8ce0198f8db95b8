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


# Each capability owns its command group; registered here so `coalign --help` lists them all.
from coalign.benchmarks.agents.cli import app as agents_app  # noqa: E402
from coalign.benchmarks.scirisk.cli import app as scirisk_app  # noqa: E402
from coalign.benchmarks.values.cli import app as values_app  # noqa: E402
from coalign.correction.cli import align_app  # noqa: E402
from coalign.cycle.cli import demo  # noqa: E402
from coalign.governance.cli import index_app  # noqa: E402
from coalign.judges.cli import judge_cmd  # noqa: E402
from coalign.oversight.cli import review_app  # noqa: E402

app.command("demo")(demo)
app.command("judge")(judge_cmd)
app.add_typer(scirisk_app, name="scirisk")
app.add_typer(values_app, name="values")
app.add_typer(agents_app, name="agents")
app.add_typer(review_app, name="review")
app.add_typer(align_app, name="align")
app.add_typer(index_app, name="index")
