"""Composite-index frameworks as data: a YAML tree of any depth, validated into a :class:`Framework`.

A framework is a tree: the root is the index, its descendants are aggregates (pillars,
dimensions, ...) and the leaves are indicators. The YAML may give the tree nested
(``root:`` with ``children:``) or flat (``nodes:``, each naming its ``parent``); the flat form
is what spreadsheets export, and it is where cycles and dangling parents can occur, so both
are checked and reported by code.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from coalign.io import InputError, validation_error

_CODE_PATTERN = r"^[A-Za-z0-9_.\-]+$"


class NodeSpec(BaseModel):
    """One node of the tree as written in YAML (an indicator when it has no children)."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=_CODE_PATTERN)
    name: str
    parent: str | None = None
    children: list[NodeSpec] = Field(default_factory=list)
    weight: float | None = None
    direction: Literal[1, -1] | None = None
    unit: str | None = None
    source: str | None = None
    year: int | None = None
    target: float | None = None
    goalposts: tuple[float, float] | None = None
    denominator: str | None = None
    role: Literal["development", "governance"] | None = None
    description: str | None = None
    reconstructed: bool = False

    @field_validator("weight")
    @classmethod
    def _finite_weight(cls, v: float | None) -> float | None:
        if v is not None and (not math.isfinite(v) or v < 0):
            raise ValueError(f"weight must be a finite number >= 0, got {v}")
        return v


class TierSpec(BaseModel):
    """A tier of the index score: ``min`` < score (or <=) and score < ``max`` (or <=)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    min: float | None = None
    max: float | None = None
    min_inclusive: bool = True
    max_inclusive: bool = True

    def contains(self, score: float) -> bool:
        """Whether the score falls in this tier."""
        if self.min is not None and (
            score < self.min or (score == self.min and not self.min_inclusive)
        ):
            return False
        return not (
            self.max is not None
            and (score > self.max or (score == self.max and not self.max_inclusive))
        )


class UnitSpec(BaseModel):
    """A unit (country) the framework was designed for."""

    model_config = ConfigDict(extra="forbid")

    code: str
    name: str


class FrameworkSpec(BaseModel):
    """The whole YAML file."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=_CODE_PATTERN)
    name: str
    edition: str | None = None
    description: str | None = None
    source: str | None = None
    reconstruction_note: str | None = None
    expected_units: int | None = None
    units: list[UnitSpec] = Field(default_factory=list)
    tiers: list[TierSpec] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)
    denominators: list[str] = Field(default_factory=list)
    root: NodeSpec | None = None
    nodes: list[NodeSpec] | None = None


@dataclass(frozen=True)
class Node:
    """A validated node. ``height`` is 0 for indicators and 1 + the highest child otherwise."""

    code: str
    name: str
    parent: str | None
    children: tuple[str, ...]
    weight: float
    height: int
    depth: int
    direction: int | None = None
    unit: str | None = None
    source: str | None = None
    year: int | None = None
    target: float | None = None
    goalposts: tuple[float, float] | None = None
    denominator: str | None = None
    role: str | None = None
    description: str | None = None
    reconstructed: bool = False

    @property
    def is_indicator(self) -> bool:
        """Leaves are indicators."""
        return not self.children


@dataclass
class Framework:
    """A validated index tree with metadata; build it with :func:`load_framework`."""

    code: str
    name: str
    nodes: dict[str, Node]
    root: str
    edition: str | None = None
    description: str | None = None
    source: str | None = None
    reconstruction_note: str | None = None
    expected_units: int | None = None
    units: list[UnitSpec] = field(default_factory=list)
    tiers: list[TierSpec] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    denominators: list[str] = field(default_factory=list)
    path: str | None = None

    # -- structure -------------------------------------------------------------------------
    @property
    def indicators(self) -> list[str]:
        """Indicator codes in tree order (depth first)."""
        return [c for c in self.walk() if self.nodes[c].is_indicator]

    @property
    def aggregates(self) -> list[str]:
        """Aggregate codes, bottom-up (every child before its parent)."""
        aggs = [c for c in self.walk() if not self.nodes[c].is_indicator]
        return sorted(aggs, key=lambda c: (self.nodes[c].height, aggs.index(c)))

    def walk(self) -> list[str]:
        """All codes, depth first from the root."""
        out: list[str] = []
        stack = [self.root]
        while stack:
            code = stack.pop()
            out.append(code)
            stack.extend(reversed(self.nodes[code].children))
        return out

    def children(self, code: str) -> tuple[str, ...]:
        """The children of a node."""
        return self.node(code).children

    def node(self, code: str) -> Node:
        """The node with this code (InputError naming the code if unknown)."""
        try:
            return self.nodes[code]
        except KeyError:
            raise InputError(f"unknown code {code!r} (not in framework {self.code})") from None

    def at_depth(self, depth: int) -> list[str]:
        """Codes at a given depth (0 = root, 1 = pillars, ...)."""
        return [c for c in self.walk() if self.nodes[c].depth == depth]

    @property
    def pillars(self) -> list[str]:
        """The root's children."""
        return list(self.nodes[self.root].children)

    def descendants(self, code: str) -> list[str]:
        """Every node below ``code``."""
        out: list[str] = []
        stack = list(self.node(code).children)
        while stack:
            c = stack.pop()
            out.append(c)
            stack.extend(self.nodes[c].children)
        return out

    def indicators_under(self, code: str) -> list[str]:
        """The indicators below (or equal to) a node."""
        if self.node(code).is_indicator:
            return [code]
        below = set(self.descendants(code))
        return [c for c in self.indicators if c in below]

    def role_codes(self, role: str) -> list[str]:
        """Nodes marked with a role (``development`` / ``governance``)."""
        return [c for c in self.walk() if self.nodes[c].role == role]

    # -- weights ---------------------------------------------------------------------------
    def weights(self) -> dict[str, float]:
        """The nominal weight of every non-root node (relative within its parent)."""
        return {c: n.weight for c, n in self.nodes.items() if c != self.root}

    def check_weights(self, weights: Mapping[str, float], *, what: str = "weights") -> None:
        """Refuse weights that do not apply: unknown codes, the root, negatives, zero groups."""
        for code, w in weights.items():
            if code not in self.nodes:
                raise InputError(f"{what}: unknown code {code!r} (not in framework {self.code})")
            if code == self.root:
                raise InputError(
                    f"{what}: a weight on the root {code!r} does not apply (it has no parent)"
                )
            if not isinstance(w, int | float) or not math.isfinite(w) or w < 0:
                raise InputError(f"{what}: weight of {code!r} must be finite and >= 0, got {w!r}")
        merged = {**self.weights(), **weights}
        for code in self.aggregates:
            kids = self.nodes[code].children
            if kids and sum(merged[k] for k in kids) <= 0:
                raise InputError(
                    f"{what}: the children of {code!r} ({', '.join(kids)}) all have weight 0; "
                    "their parent could not be computed"
                )

    def with_weights(self, weights: Mapping[str, float]) -> Framework:
        """A copy with some weights replaced (validated)."""
        self.check_weights(weights)
        nodes = {
            c: replace(n, weight=float(weights.get(c, n.weight))) for c, n in self.nodes.items()
        }
        return replace(self, nodes=nodes)

    # -- pruning ---------------------------------------------------------------------------
    def prune(self, remove: Iterable[str]) -> tuple[Framework, list[str]]:
        """Drop nodes (and aggregates left without children); returns the new tree and all removed.

        Removing the root, or every indicator, is an error: nothing could be computed.
        """
        gone = set(remove)
        for c in gone:
            self.node(c)
        changed = True
        while changed:
            changed = False
            for code in self.aggregates:
                if code in gone:
                    continue
                if all(k in gone for k in self.nodes[code].children):
                    gone.add(code)
                    changed = True
        if self.root in gone:
            raise InputError(
                f"framework {self.code}: every indicator was excluded; the index cannot be computed"
            )
        # Everything under a removed node goes too.
        for c in list(gone):
            gone.update(self.descendants(c))
        nodes: dict[str, Node] = {}
        for code, n in self.nodes.items():
            if code in gone:
                continue
            nodes[code] = replace(n, children=tuple(k for k in n.children if k not in gone))
        fw = replace(self, nodes=_with_heights(nodes, self.root))
        return fw, [c for c in self.walk() if c in gone]

    # -- tables ----------------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """One row per node: code, name, parent, depth, height, weight, direction, ..."""
        rows = []
        for code in self.walk():
            n = self.nodes[code]
            rows.append(
                {
                    "code": code,
                    "name": n.name,
                    "parent": n.parent or "",
                    "type": "indicator" if n.is_indicator else "aggregate",
                    "depth": n.depth,
                    "height": n.height,
                    "weight": n.weight,
                    "direction": n.direction if n.direction is not None else "",
                    "unit": n.unit or "",
                    "source": n.source or "",
                    "year": n.year if n.year is not None else "",
                    "reconstructed": n.reconstructed,
                }
            )
        return pd.DataFrame(rows)

    def summary(self) -> dict[str, Any]:
        """Counts per depth and of reconstructed entries."""
        depth_counts = {
            d: len(self.at_depth(d)) for d in range(max(n.depth for n in self.nodes.values()) + 1)
        }
        return {
            "code": self.code,
            "name": self.name,
            "indicators": len(self.indicators),
            "nodes_per_depth": depth_counts,
            "reconstructed": sum(n.reconstructed for n in self.nodes.values()),
        }

    def tier_of(self, score: float) -> str:
        """The tier a score falls in; an error if the tiers leave it out."""
        if not self.tiers:
            raise InputError(f"framework {self.code} defines no tiers")
        hits = [t.name for t in self.tiers if t.contains(score)]
        if len(hits) != 1:
            raise InputError(
                f"framework {self.code}: score {score:.4g} falls in {len(hits)} tiers "
                f"({', '.join(hits) or 'none'}); tiers must cover every score exactly once"
            )
        return hits[0]


def _with_heights(nodes: dict[str, Node], root: str) -> dict[str, Node]:
    """Recompute heights and depths after a structural change."""
    out: dict[str, Node] = {}

    def visit(code: str, depth: int) -> int:
        n = nodes[code]
        h = 0 if not n.children else 1 + max(visit(k, depth + 1) for k in n.children)
        out[code] = replace(n, height=h, depth=depth)
        return h

    visit(root, 0)
    return out


def _flatten(spec: NodeSpec, parent: str | None, out: list[tuple[NodeSpec, str | None]]) -> None:
    if spec.parent is not None and spec.parent != parent:
        raise InputError(
            f"node {spec.code!r} is nested under {parent!r} but says parent {spec.parent!r}"
        )
    out.append((spec, parent))
    for child in spec.children:
        _flatten(child, spec.code, out)


def build_framework(spec: FrameworkSpec, *, path: str | None = None) -> Framework:
    """Validate the tree of a parsed spec: one root, no cycles, known parents, sane fields."""
    file = path
    if (spec.root is None) == (spec.nodes is None):
        raise InputError(
            "give exactly one of 'root' (nested tree) or 'nodes' (flat list)", file=file
        )
    flat: list[tuple[NodeSpec, str | None]] = []
    if spec.root is not None:
        _flatten(spec.root, None, flat)
    else:
        assert spec.nodes is not None
        for n in spec.nodes:
            if n.children:
                raise InputError(
                    "in the flat 'nodes' form, give each node's parent instead of children",
                    file=file,
                    record=n.code,
                    field="children",
                )
            flat.append((n, n.parent))
    seen: dict[str, NodeSpec] = {}
    parent_of: dict[str, str | None] = {}
    for n, parent in flat:
        if n.code in seen:
            raise InputError(f"duplicate code {n.code!r}", file=file, record=n.code, field="code")
        seen[n.code] = n
        parent_of[n.code] = parent
    for code, parent in parent_of.items():
        if parent is not None and parent not in seen:
            raise InputError(
                f"parent {parent!r} is not a code in the framework",
                file=file,
                record=code,
                field="parent",
            )
    # Cycles: follow parents from every node; a revisit within one walk is a cycle.
    for start in parent_of:
        trail: list[str] = []
        cur: str | None = start
        while cur is not None:
            if cur in trail:
                cyc = trail[trail.index(cur) :] + [cur]
                raise InputError(
                    f"cycle in the tree: {' -> '.join(cyc)} (each arrow points to a parent)",
                    file=file,
                    record=start,
                    field="parent",
                )
            trail.append(cur)
            cur = parent_of[cur]
    roots = [c for c, p in parent_of.items() if p is None]
    if len(roots) != 1:
        raise InputError(
            f"the tree must have exactly one root (a node without parent); found {len(roots)}: "
            f"{', '.join(roots) or 'none'}",
            file=file,
        )
    root = roots[0]
    children: dict[str, list[str]] = {c: [] for c in seen}
    for code, parent in parent_of.items():
        if parent is not None:
            children[parent].append(code)
    if not children[root]:
        raise InputError("the root has no children: nothing to aggregate", file=file, record=root)
    declared_denoms = set(spec.denominators)
    nodes: dict[str, Node] = {}
    for code, n in seen.items():
        leaf = not children[code]
        if code == root and n.weight is not None:
            raise InputError(
                "a weight on the root does not apply (it has no parent)",
                file=file,
                record=code,
                field="weight",
            )
        if leaf:
            if n.direction is None:
                raise InputError(
                    "indicator has no direction (1: higher is better, -1: lower is better)",
                    file=file,
                    record=code,
                    field="direction",
                )
            if n.goalposts is not None and not n.goalposts[0] < n.goalposts[1]:
                raise InputError(
                    "goalposts must be [low, high] with low < high",
                    file=file,
                    record=code,
                    field="goalposts",
                )
            if n.denominator is not None and n.denominator not in declared_denoms:
                raise InputError(
                    f"denominator {n.denominator!r} is not declared under 'denominators'",
                    file=file,
                    record=code,
                    field="denominator",
                )
        else:
            for fname in ("direction", "target", "goalposts", "denominator"):
                if getattr(n, fname) is not None:
                    raise InputError(
                        f"{fname} applies only to indicators, not to aggregate {code!r}",
                        file=file,
                        record=code,
                        field=fname,
                    )
        nodes[code] = Node(
            code=code,
            name=n.name,
            parent=parent_of[code],
            children=tuple(children[code]),
            weight=1.0 if n.weight is None else float(n.weight),
            height=0,
            depth=0,
            direction=n.direction,
            unit=n.unit,
            source=n.source,
            year=n.year,
            target=n.target,
            goalposts=n.goalposts,
            denominator=n.denominator,
            role=n.role,
            description=n.description,
            reconstructed=n.reconstructed,
        )
    fw = Framework(
        code=spec.code,
        name=spec.name,
        nodes=_with_heights(nodes, root),
        root=root,
        edition=spec.edition,
        description=spec.description,
        source=spec.source,
        reconstruction_note=spec.reconstruction_note,
        expected_units=spec.expected_units,
        units=list(spec.units),
        tiers=list(spec.tiers),
        groups=list(spec.groups),
        denominators=list(spec.denominators),
        path=path,
    )
    try:
        fw.check_weights({}, what="framework weights")
    except InputError as e:
        raise InputError(e.message, file=file) from None
    _check_tiers(fw, file)
    return fw


def _check_tiers(fw: Framework, file: str | None) -> None:
    """Tiers must not overlap: probe every boundary and the midpoints between them."""
    if not fw.tiers:
        return
    bounds = sorted({b for t in fw.tiers for b in (t.min, t.max) if b is not None})
    probes = set(bounds)
    probes.update((a + b) / 2 for a, b in zip(bounds, bounds[1:], strict=False))
    if bounds:
        probes.update({bounds[0] - 1, bounds[-1] + 1})
    for p in sorted(probes):
        hits = [t.name for t in fw.tiers if t.contains(p)]
        if len(hits) > 1:
            raise InputError(
                f"tiers overlap at score {p:g}: {', '.join(hits)}", file=file, field="tiers"
            )


_SHIPPED = {"agile-2024": "agile_2024.yaml", "agile-2025": "agile_2025.yaml"}


def shipped_frameworks() -> dict[str, str]:
    """Names of the frameworks shipped with coalign and their file names."""
    return dict(_SHIPPED)


def load_framework(source: str | os.PathLike[str]) -> Framework:
    """Load a framework: a shipped name (``agile-2024``, ``agile-2025``) or a YAML path."""
    key = str(source).lower()
    if key in _SHIPPED:
        res = resources.files("coalign.governance").joinpath("frameworks", _SHIPPED[key])
        return parse_framework(res.read_text(encoding="utf-8"), path=f"coalign:{_SHIPPED[key]}")
    p = Path(source)
    if not p.exists():
        raise InputError(
            f"framework not found (not a file, nor one of {', '.join(_SHIPPED)})", file=p
        )
    return parse_framework(p.read_text(encoding="utf-8"), path=str(p))


def parse_framework(text: str, *, path: str | None = None) -> Framework:
    """Parse and validate framework YAML text."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise InputError(
            f"malformed YAML: {getattr(e, 'problem', e)}",
            file=path,
            line=(mark.line + 1) if mark is not None else None,
        ) from None
    if not isinstance(raw, dict):
        raise InputError("a framework file must be a YAML mapping", file=path)
    try:
        spec = FrameworkSpec.model_validate(raw)
    except ValidationError as e:
        raise _located(e, raw, path) from None
    return build_framework(spec, path=path)


def _located(exc: ValidationError, raw: dict[str, Any], path: str | None) -> InputError:
    """Name the node (by code) whose field failed, walking the error location through the tree."""
    first = exc.errors()[0]
    loc = list(first.get("loc", ()))
    obj: Any = raw
    record = None
    for part in loc:
        try:
            obj = obj[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(obj, dict) and "code" in obj:
            record = str(obj["code"])
    err = validation_error(exc, file=path or "<framework>", record=record)
    return err


def framework_from_coinr_meta(
    path: str | os.PathLike[str], *, code: str | None = None
) -> Framework:
    """Build a framework from a COINr ``iMeta`` table (CSV or Excel), e.g. ASEM_iMeta.csv.

    Rows of Type ``Indicator`` / ``Aggregate`` form the tree (``Parent`` column); ``Group`` and
    ``Denominator`` rows declare the extra data columns.
    """
    p = Path(path)
    if not p.exists():
        raise InputError("file not found", file=p)
    meta = pd.read_excel(p) if p.suffix.lower() in {".xlsx", ".xls"} else pd.read_csv(p)
    need = {"iCode", "iName", "Type", "Parent"}
    missing = need - set(meta.columns)
    if missing:
        raise InputError(f"missing columns {sorted(missing)} in a COINr iMeta table", file=p)
    nodes: list[dict[str, Any]] = []
    groups: list[str] = []
    denoms: list[str] = []
    for i, row in meta.iterrows():
        line = int(str(i)) + 2
        kind = str(row["Type"])
        icode = str(row["iCode"])
        if kind == "Group":
            groups.append(icode)
            continue
        if kind == "Denominator":
            denoms.append(icode)
            continue
        if kind not in {"Indicator", "Aggregate"}:
            continue
        node: dict[str, Any] = {"code": icode, "name": str(row["iName"])}
        if isinstance(row["Parent"], str) and row["Parent"]:
            node["parent"] = row["Parent"]
        weight = row.get("Weight")
        if node.get("parent") and weight is not None and not pd.isna(weight):
            node["weight"] = float(weight)
        if kind == "Indicator":
            d = row.get("Direction")
            if d is None or pd.isna(d) or int(d) not in (1, -1):
                raise InputError("Direction must be 1 or -1", file=p, line=line, field="Direction")
            node["direction"] = int(d)
            for src, dst in (("Unit", "unit"), ("Denominator", "denominator")):
                v = row.get(src)
                if isinstance(v, str) and v:
                    node[dst] = v
            t = row.get("Target")
            if t is not None and not pd.isna(t):
                node["target"] = float(t)
        nodes.append(node)
    raw = {
        "code": code or p.stem.replace("_iMeta", ""),
        "name": code or p.stem,
        "source": str(p),
        "groups": groups,
        "denominators": denoms,
        "nodes": nodes,
    }
    try:
        spec = FrameworkSpec.model_validate(raw)
    except ValidationError as e:
        raise validation_error(e, file=p) from None
    return build_framework(spec, path=str(p))
