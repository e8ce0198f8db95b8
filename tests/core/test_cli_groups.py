"""A command group whose extra is missing still shows in --help and says what to install."""

from __future__ import annotations

import importlib
from typing import Any

from typer.testing import CliRunner

from coalign import cli


def test_missing_extra_becomes_a_stand_in_command(monkeypatch: Any) -> None:
    real_import = importlib.import_module

    def no_sqlalchemy(name: str, *args: Any, **kwargs: Any) -> Any:
        # As importing coalign.oversight.cli does on an install without the review extra.
        if name == "coalign_missing_group":
            raise ImportError("No module named 'sqlalchemy'", name="sqlalchemy")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(importlib, "import_module", no_sqlalchemy)
    cli._add_group("missing-group", "coalign_missing_group", "app", "review")
    runner = CliRunner()
    listing = runner.invoke(cli.app, ["--help"])
    assert "missing-group" in listing.output and "coalign[review]" in listing.output
    result = runner.invoke(cli.app, ["missing-group", "list", "--db", "x"])
    assert result.exit_code == 2
    assert "sqlalchemy" in result.output and "pip install 'coalign[review]'" in result.output
