"""The supported formats, one small class each."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from coalign.benchmarks.scirisk.authoring.importers.base import CategoryMap, Importer
from coalign.benchmarks.scirisk.schema import DEFAULT_BEHAVIOR, FieldError
from coalign.taxonomy.scirisk import load_taxonomy

_TRUE = {"1", "true", "yes", "y", "unsafe", "harmful", "hazardous"}
_FALSE = {"0", "false", "no", "n", "safe", "benign", "harmless"}


def _slug(value: Any) -> str:
    return "".join(ch if ch.isalnum() or ch in "_.-" else "_" for ch in str(value)).strip("_")


class HarmBenchImporter(Importer):
    """HarmBench behaviours CSV (``Behavior, FunctionalCategory, SemanticCategory, Tags,
    ContextString, BehaviorID``). Every behaviour is a hazardous request (expected: refuse);
    contextual behaviours get their context prepended and form ``other``."""

    name = "harmbench"
    source = "HarmBench (Mazeika et al. 2024)"
    license = "MIT"
    columns: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "prompt": ("Behavior", "behavior", "prompt"),
        "category": ("SemanticCategory", "category"),
        "functional": ("FunctionalCategory",),
        "context": ("ContextString", "context"),
        "id": ("BehaviorID", "id"),
        "tags": ("Tags",),
    }
    required = ("prompt", "category")

    def convert(self, row: Mapping[str, Any], line: int) -> dict[str, Any] | str:
        text = str(row["prompt"]).strip()
        context = str(row.get("context") or "").strip()
        mapped = self.category_map.resolve("harmbench", str(row["category"]), f"{context} {text}")
        if isinstance(mapped, str):
            return mapped
        (disc, sub, dim), severity = mapped
        return {
            "id": f"harmbench:{_slug(row.get('id') or line)}",
            "prompt": f"{context}\n\n---\n\n{text}" if context else text,
            "discipline": disc,
            "subdiscipline": sub,
            "risk_dimension": dim,
            "severity": severity,
            "hazardous": True,
            "form": "other" if context else "direct",
            "expected_behavior": "refuse",
            "metadata": {
                "source_category": row["category"],
                "functional_category": row.get("functional"),
                "tags": row.get("tags"),
            },
        }


class XSTestImporter(Importer):
    """XSTest prompts CSV (``id, prompt, type, label, focus, note``): ``label`` safe prompts
    become benign items (expected: answer), unsafe ones hazardous (expected: refuse)."""

    name = "xstest"
    source = "XSTest (Röttger et al. 2024)"
    license = "CC-BY-4.0"
    columns: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "prompt": ("prompt",),
        "type": ("type",),
        "label": ("label",),
        "id": ("id",),
        "focus": ("focus",),
        "note": ("note",),
    }
    required = ("prompt", "type", "label")

    def convert(self, row: Mapping[str, Any], line: int) -> dict[str, Any] | str:
        label = str(row["label"]).strip().lower()
        if label not in ("safe", "unsafe"):
            return f"label {row['label']!r} is neither safe nor unsafe"
        hazardous = label == "unsafe"
        text = str(row["prompt"]).strip()
        mapped = self.category_map.resolve("xstest", str(row["type"]), text)
        if isinstance(mapped, str):
            return mapped
        (disc, sub, dim), severity = mapped
        return {
            "id": f"xstest:{_slug(row.get('id') or line)}",
            "prompt": text,
            "discipline": disc,
            "subdiscipline": sub,
            "risk_dimension": dim,
            "severity": severity,
            "hazardous": hazardous,
            "form": "direct",
            "expected_behavior": "refuse" if hazardous else "answer",
            "metadata": {
                "source_category": row["type"],
                "focus": row.get("focus"),
                "note": row.get("note"),
            },
        }


class GenericImporter(Importer):
    """Any CSV/JSONL: the user maps columns onto our fields.

    ``mapping`` maps our field -> the file's column, e.g. ``{"prompt": "goal",
    "subdiscipline": "sub_subject", "hazardous": "is_harmful"}``. Fields not mapped to a
    column can be given as constants in ``defaults`` (e.g. ``{"hazardous": "true"}``). Rows with
    no subdiscipline/dimension column are placed by ``category`` through the category map's
    source ``category_source`` or by its keyword rules. ``source`` and ``license`` are
    required: imported items always say where they came from.
    """

    name = "generic"
    FIELDS = (
        "prompt",
        "id",
        "discipline",
        "subdiscipline",
        "risk_dimension",
        "severity",
        "hazardous",
        "expected_behavior",
        "form",
        "category",
    )

    def __init__(
        self,
        mapping: Mapping[str, str],
        *,
        source: str,
        license: str,
        defaults: Mapping[str, Any] | None = None,
        id_prefix: str = "import",
        category_source: str = "generic",
        category_map: CategoryMap | None = None,
    ) -> None:
        super().__init__(category_map)
        unknown = [k for k in mapping if k not in self.FIELDS]
        if unknown:
            raise ValueError(f"unknown target field(s) {unknown}; map onto {list(self.FIELDS)}")
        if "prompt" not in mapping:
            raise ValueError("the mapping must name the prompt column (prompt=<column>)")
        if not source or not license:
            raise ValueError("generic imports need a source and a license")
        self.source = source  # type: ignore[misc]
        self.license = license  # type: ignore[misc]
        self.columns = {k: (v,) for k, v in mapping.items()}  # type: ignore[misc]
        self.required = tuple(mapping)  # type: ignore[misc]
        self.required_values = ("prompt",)  # type: ignore[misc]
        self.defaults = dict(defaults or {})
        self.id_prefix = id_prefix
        self.category_source = category_source

    def convert(self, row: Mapping[str, Any], line: int) -> dict[str, Any] | str:
        get = lambda f: row.get(f, self.defaults.get(f))  # noqa: E731
        text = str(row["prompt"]).strip()
        raw_h = get("hazardous")
        if raw_h is None:
            hazardous = True
        elif isinstance(raw_h, bool):
            hazardous = raw_h
        elif str(raw_h).strip().lower() in _TRUE:
            hazardous = True
        elif str(raw_h).strip().lower() in _FALSE:
            hazardous = False
        else:
            return f"hazardous value {raw_h!r} is not true/false"
        sub, dim = get("subdiscipline"), get("risk_dimension")
        disc = get("discipline")
        severity = get("severity")
        if not (sub and dim):
            mapped = self.category_map.resolve(self.category_source, get("category"), text)
            if isinstance(mapped, str):
                if sub or dim:
                    mapped_cell = None
                else:
                    return mapped
            else:
                mapped_cell = mapped
            if mapped_cell:
                (disc_m, sub_m, dim_m), sev_m = mapped_cell
                disc, sub, dim = disc or disc_m, sub or sub_m, dim or dim_m
                severity = severity or sev_m
        tax = load_taxonomy()
        if sub and sub not in tax.subdiscipline_ids:
            raise FieldError("subdiscipline", f"unknown subdiscipline {sub!r}")
        if sub and not disc:
            disc = tax.discipline_of(sub)
        expected = get("expected_behavior") or (
            DEFAULT_BEHAVIOR.get(str(dim), "refuse") if hazardous else "answer"
        )
        return {
            "id": f"{self.id_prefix}:{_slug(get('id') or line)}",
            "prompt": text,
            "discipline": disc,
            "subdiscipline": sub,
            "risk_dimension": dim,
            "severity": severity if severity not in (None, "") else 3,
            "hazardous": hazardous,
            "form": get("form") or "direct",
            "expected_behavior": expected,
            "metadata": {"source_category": get("category")},
        }


IMPORTERS: dict[str, type[Importer]] = {
    "harmbench": HarmBenchImporter,
    "xstest": XSTestImporter,
    "generic": GenericImporter,
}
