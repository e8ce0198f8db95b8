"""Importers for public harmful-prompt sets: local CSV/JSONL files or the Hugging Face hub.

Each format is one small :class:`~coalign.benchmarks.scirisk.authoring.importers.base.Importer`
subclass: :class:`HarmBenchImporter` (HarmBench behaviours CSV), :class:`XSTestImporter`
(XSTest prompts CSV) and :class:`GenericImporter` (any CSV/JSONL with a user column mapping).
Imported items keep their source and license in ``source``/``license`` and ``metadata``.
"""

from coalign.benchmarks.scirisk.authoring.importers.base import (
    CategoryMap,
    Importer,
    ImportResult,
    load_category_map,
)
from coalign.benchmarks.scirisk.authoring.importers.formats import (
    IMPORTERS,
    GenericImporter,
    HarmBenchImporter,
    XSTestImporter,
)

__all__ = [
    "IMPORTERS",
    "CategoryMap",
    "GenericImporter",
    "HarmBenchImporter",
    "ImportResult",
    "Importer",
    "XSTestImporter",
    "load_category_map",
]
