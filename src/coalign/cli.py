"""The ``coalign`` command. Thin: each command parses options and calls into a package."""

from __future__ import annotations

import typer
from rich.console import Console

from coalign._extras import install_hint
from coalign.cli_common import fail

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


def _add_group(name: str, module: str, attr: str, extra: str) -> None:
    """Register a command group, or, when its extra is not installed, a stand-in command.

    So ``coalign --help`` works on any install, and ``coalign review ...`` without the
    ``review`` extra ends with the command that installs it instead of a traceback.
    """
    import importlib

    from rich.markup import escape

    try:
        app.add_typer(getattr(importlib.import_module(module), attr), name=name)
    except ImportError as e:
        missing = getattr(e, "name", None) or str(e)

        @app.command(
            name,
            help=escape(f"(not installed: needs {install_hint(extra)})"),
            context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
        )
        def _missing() -> None:
            fail(f"`coalign {name}` needs {missing!r}: {install_hint(extra)}")


# Each capability owns its command group; registered here so `coalign --help` lists them all.
from coalign.benchmarks.agents.cli import app as agents_app  # noqa: E402
from coalign.benchmarks.scirisk.cli import app as scirisk_app  # noqa: E402
from coalign.benchmarks.values.cli import app as values_app  # noqa: E402
from coalign.cycle.cli import demo  # noqa: E402
from coalign.judges.cli import judge_app  # noqa: E402

app.command("demo")(demo)
app.add_typer(judge_app, name="judge")
app.add_typer(scirisk_app, name="scirisk")
app.add_typer(values_app, name="values")
app.add_typer(agents_app, name="agents")
_add_group("review", "coalign.oversight.cli", "review_app", "review")
try:  # the decisions live in the review store, so the review extra owns this command
    from coalign.oversight.cli import calibrate_cmd

    judge_app.command("calibrate")(calibrate_cmd)
except ImportError as _e:
    _missing_name = getattr(_e, "name", None) or str(_e)

    @judge_app.command("calibrate", help=f"(not installed: needs {install_hint('review')})")
    def _calibrate_missing() -> None:
        fail(f"`coalign judge calibrate` needs {_missing_name!r}: {install_hint('review')}")


_add_group("align", "coalign.correction.cli", "align_app", "train")
_add_group("index", "coalign.governance.cli", "index_app", "index")
