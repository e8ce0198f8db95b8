"""Lazy re-exports for package ``__init__`` modules.

Inspect imports ``coalign._registry`` for every ``inspect eval``, and importing any submodule
runs its package's ``__init__`` first. A package API such as ``from coalign.oversight import
open_store`` therefore must not import the package's modules (SQLAlchemy, pandas, torch...)
up front; each ``__init__`` names where its public names live and loads a module on first use::

    _EXPORTS = {"coalign.oversight.db": ("Store", "open_store")}
    __all__ = export_names(_EXPORTS)

    def __getattr__(name: str) -> Any:
        return load_export(__name__, _EXPORTS, name)
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping, Sequence
from typing import Any

Exports = Mapping[str, Sequence[str]]
"""Module path -> the public names the package re-exports from it."""


def export_names(exports: Exports) -> list[str]:
    """The package's ``__all__``: every re-exported name, sorted."""
    return sorted(name for names in exports.values() for name in names)


def load_export(package: str, exports: Exports, name: str) -> Any:
    """Import the module that defines ``name`` and return it (the package's ``__getattr__``).

    The value is stored on the package, so later look-ups do not come back here.
    """
    for module, names in exports.items():
        if name in names:
            value = getattr(importlib.import_module(module), name)
            setattr(sys.modules[package], name, value)
            return value
    raise AttributeError(f"module {package!r} has no attribute {name!r}")
