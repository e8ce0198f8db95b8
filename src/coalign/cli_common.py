"""What every ``coalign`` command shares: the error exit and the options that mean the same
thing in every command group.

One name per meaning: ``-o/--out`` (where results go), ``--report`` (an HTML report file),
``-M`` (a model argument ``key=value``, as in ``inspect eval``), ``--model``, ``--judge`` (a
judge spec), ``--limit``, ``--seed`` and ``--dup-threshold`` (near-duplicate filtering). Command groups declare their options from these
factories so the flags, short forms and help stay identical.
"""

from __future__ import annotations

from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

console = Console()

EXIT_INPUT = 2
"""Exit status of every command refused for bad input or an impossible request."""


def fail(error: BaseException | str) -> NoReturn:
    """Print ``error: ...`` (file, line and field are in the message) and exit with status 2."""
    console.print(f"[red]error:[/red] {escape(str(error))}", soft_wrap=True)
    raise typer.Exit(EXIT_INPUT)


def out_option(default: Any = None, help: str = "where to write the results") -> Any:
    """``-o/--out`` (pass ``...`` as the default to make it required)."""
    return typer.Option(default, "-o", "--out", help=help)


def report_option(help: str = "also write an HTML report to this file") -> Any:
    """``--report FILE.html``."""
    return typer.Option(None, "--report", help=help)


def model_option(
    default: str | None = None, help: str = "Inspect model, e.g. openai/gpt-4o"
) -> Any:
    """``--model``."""
    return typer.Option(default, "--model", help=help)


def model_args_option() -> Any:
    """``-M key=value`` (repeatable), as in ``inspect eval``."""
    return typer.Option([], "-M", help="model argument key=value (repeatable)")


def judge_option(default: str | None = "classifier") -> Any:
    """``--judge SPEC`` (see ``coalign judges``)."""
    return typer.Option(default, "--judge", help="judge spec (see `coalign judges`)")


def limit_option(default: int | None = None, help: str = "at most this many items") -> Any:
    """``--limit``."""
    return typer.Option(default, "--limit", help=help)


def seed_option(default: int = 0) -> Any:
    """``--seed``."""
    return typer.Option(default, "--seed", help="random seed")


def dup_threshold_option(
    default: float | None = None, help: str = "near-duplicate threshold"
) -> Any:
    """``--dup-threshold``: the similarity at or above which two items count as duplicates."""
    return typer.Option(default, "--dup-threshold", help=help)


def parse_model_args(pairs: list[str]) -> dict[str, Any]:
    """``["k=v", ...]`` from ``-M`` into a dict; values are read as YAML scalars."""
    import yaml

    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            fail(f"-M takes key=value, got {pair!r}")
        out[key.strip()] = yaml.safe_load(value)
    return out
