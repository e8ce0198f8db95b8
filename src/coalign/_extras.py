"""Optional dependencies: import one, or say which ``coalign[...]`` extra installs it.

The core install runs ``inspect eval coalign/<task>`` with the offline ``patterns`` judge; each
part's heavier dependencies are an extra in pyproject.toml (``local``, ``train``, ``review``,
``index``, ``postgres``, ``all``). Code that needs one imports it inside the function that uses
it, through :func:`require`::

    torch = require("torch", "train")
    AutoModel = require("transformers", "train", "the coalign/hf model").AutoModelForCausalLM
"""

from __future__ import annotations

import importlib
from types import ModuleType

EXTRAS = ("local", "train", "review", "index", "postgres", "all")
"""The extras pyproject.toml defines for users (``dev`` holds the test tools)."""


class MissingExtraError(ImportError):
    """An optional dependency is not installed; the message names the extra that installs it."""


def install_hint(extra: str) -> str:
    """The command that installs ``extra``: ``pip install 'coalign[<extra>]'``."""
    if extra not in EXTRAS:
        raise ValueError(f"unknown extra {extra!r}; coalign's extras are {', '.join(EXTRAS)}")
    return f"pip install 'coalign[{extra}]'"


def require(module: str, extra: str, purpose: str | None = None) -> ModuleType:
    """Import and return ``module``, or raise :class:`MissingExtraError` naming ``extra``.

    ``purpose`` says what needs it (e.g. ``"LoRA-DPO training"``) for the message.
    """
    hint = install_hint(extra)
    try:
        return importlib.import_module(module)
    except ImportError as e:
        what = purpose or "this part of coalign"
        raise MissingExtraError(
            f"{what} needs {module!r}, which is not installed or fails to import ({e}). "
            f"Install it with: {hint}",
            name=module,
        ) from e
