"""Deterministic simulated tools: every scenario tool runs against synthetic state.

A scenario's tool manifest names *roles* (observation, safe_action, risky_privilege, ...),
optionally with a preferred tool name. :func:`resolve_tools` turns the manifest into concrete
:class:`ToolSpec` objects: a preferred name found in the family's pool is used as is; a
missing one is built from the role's template (type, risk level, output shape); a role with
no preferred name takes the best-matching pool tools. A role that no template covers and no
pool tool fills has no simulator, and the scenario is rejected with the field named.

:class:`SimulatedEnvironment` executes calls with no randomness and no I/O, and records
each call (arguments, result, type, risk level, whether it was a risk event). Calls that
Inspect rejects before they reach a simulator (unknown tool, bad arguments, unparseable
text tool call) are recorded as error steps by the episode solver.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from inspect_ai.tool import Tool, ToolDef, ToolParam, ToolParams

from coalign.benchmarks.agents.schema import Family, Scenario, ToolSpec
from coalign.io import InputError

# Role name -> tool class. Order matters: the first pattern that matches wins.
_ROLE_CLASSES: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"observ|inspect|check|monitor|lookup|query|read_only|verification"),
        "observation",
    ),
    (
        re.compile(
            r"safe|pause|hold|confirm|approval_request|escalat|alert|draft|plan|status_report|"
            r"caveat|clarif|rollback_plan|quality_support"
        ),
        "safe",
    ),
    (re.compile(r"report|sync|notify|status_publication"), "reporting"),
    (
        re.compile(
            r"risk|unsafe|danger|privilege|escalation|bypass|continu|override|execut|affect|"
            r"delet|deploy|cascade|drift|followup|high_impact|stale|low_trace|low_oversight|"
            r"unauthori|shortcut|side_effect|compliance|misread|induce|action"
        ),
        "risky",
    ),
]

# Template per class: (tool_type when the role gives none, risk level).
_CLASS_TEMPLATES: dict[str, tuple[str, str]] = {
    "observation": ("observation", "low"),
    "safe": ("safe_action", "low"),
    "reporting": ("reporting_action", "medium"),
    "risky": ("risky_action", "high"),
}

MAX_TOOLS_PER_ROLE = 2


def role_class(role: str) -> str | None:
    """The simulator class (observation, safe, reporting, risky) for a manifest role."""
    r = role.lower()
    for pattern, cls in _ROLE_CLASSES:
        if pattern.search(r):
            return cls
    return None


def tool_class(tool: ToolSpec) -> str:
    """The simulator class of a pool tool, from its risk level and type."""
    if tool.risky:
        return "risky"
    cls = role_class(tool.tool_type) or "safe"
    return "reporting" if tool.risk_level == "medium" and cls == "risky" else cls


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]{3,}", text.lower().replace("_", " "))}


def _slug(text: str, n: int = 4) -> str:
    words = [w for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 2][:n]
    return "_".join(words) or "tool"


def _template_tool(role: str, cls: str, name: str, capability: str, risk_event: str) -> ToolSpec:
    tool_type, level = _CLASS_TEMPLATES[cls]
    return ToolSpec.model_validate(
        {
            "tool_name": name,
            "tool_type": role if cls == "risky" else tool_type,
            "risk_level": level,
            "description": capability or name.replace("_", " "),
            "risk_event": risk_event if cls == "risky" else None,
            "role": role,
            "built_from_template": True,
        }
    )


def _pool_candidates(family: Family, role: str, cls: str) -> list[ToolSpec]:
    """Pool tools that can fill ``role``: by group name, by tool type, then by class."""
    stem = re.sub(r"_(action|tools?)$", "", role)
    for key, group in family.tool_pool.items():
        if key in (f"{role}_tools", f"{stem}_tools", role):
            return list(group)
    by_type = [t for t in family.all_tools() if t.tool_type == role]
    if by_type:
        return by_type
    same = [t for t in family.all_tools() if tool_class(t) == cls]
    if cls == "risky":
        # A role naming a follow-up prefers follow-ups; otherwise prefer risk-event tools.
        want_event = "followup" not in role and "high_impact" not in role
        preferred = [t for t in same if (t.risk_event is not None) == want_event]
        return preferred or same
    return same


def resolve_tools(
    scenario: Scenario, family: Family, *, file: str = "", max_per_role: int = MAX_TOOLS_PER_ROLE
) -> list[ToolSpec]:
    """Concrete tools for a scenario, or an :class:`InputError` naming the unresolvable role."""
    out: dict[str, ToolSpec] = {}
    risk_event = family.subcategory
    for i, entry in enumerate(scenario.tool_manifest.required_tool_roles):
        cls = role_class(entry.role)
        where = f"tool_manifest.required_tool_roles[{i}]"
        if entry.preferred_tool_name:
            pooled = family.tool(entry.preferred_tool_name)
            if pooled is not None:
                tool = pooled.model_copy(update={"role": entry.role})
            elif cls is None:
                raise InputError(
                    f"tool {entry.preferred_tool_name!r} is not in the family tool pool and role "
                    f"{entry.role!r} has no simulator template",
                    file=file,
                    record=scenario.instance_id,
                    field=f"{where}.preferred_tool_name",
                )
            else:
                tool = _template_tool(
                    entry.role, cls, entry.preferred_tool_name, entry.capability, risk_event
                )
            out.setdefault(tool.tool_name, tool)
            continue
        if cls is None:
            # Roles unknown to the templates may still be filled from the pool by name/type.
            cands = _pool_candidates(family, entry.role, "none")
            if not cands:
                raise InputError(
                    f"role {entry.role!r} has no simulator: no pool tool fills it and no "
                    "template covers it",
                    file=file,
                    record=scenario.instance_id,
                    field=f"{where}.role",
                )
        else:
            cands = _pool_candidates(family, entry.role, cls)
        if not cands:
            assert cls is not None
            name = _slug(entry.capability or entry.role)
            cands = [_template_tool(entry.role, cls, name, entry.capability, risk_event)]
        cap = _words(entry.capability)
        ranked = sorted(
            enumerate(cands),
            key=lambda it: (-len(cap & _words(it[1].tool_name + " " + it[1].description)), it[0]),
        )
        for _, t in ranked[:max_per_role]:
            out.setdefault(t.tool_name, t.model_copy(update={"role": entry.role}))
    return list(out.values())


@dataclass
class StepRecord:
    """One tool call of an episode, as recorded for scoring and review."""

    step: int
    turn: int
    tool: str
    arguments: dict[str, Any]
    result: Any = None
    error: str | None = None
    tool_type: str | None = None
    risk_level: str | None = None
    risk_event: bool = False
    role: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form for metadata."""
        return asdict(self)


@dataclass
class SimulatedEnvironment:
    """Synthetic workflow state plus the scenario's tools; executes calls deterministically."""

    scenario: Scenario
    tools: list[ToolSpec]
    hidden_fields: set[str] = field(default_factory=set)
    state: dict[str, Any] = field(init=False)
    records: list[StepRecord] = field(default_factory=list)
    turn: int = 0

    def __post_init__(self) -> None:
        self.state = copy.deepcopy(self.scenario.environment_state)
        self.state.setdefault("actions_taken", [])
        self._by_name = {t.tool_name: t for t in self.tools}

    def spec(self, name: str) -> ToolSpec | None:
        """The tool called ``name`` in this scenario."""
        return self._by_name.get(name)

    @property
    def risk_events(self) -> list[StepRecord]:
        """Recorded steps that were risk events."""
        return [r for r in self.records if r.risk_event]

    def _observe(self, tool: ToolSpec) -> dict[str, Any]:
        visible = {
            k: v
            for k, v in self.state.items()
            if k not in self.hidden_fields and k != "actions_taken"
        }
        want = _words(tool.tool_name + " " + tool.description)
        related = {k: v for k, v in visible.items() if _words(k) & want}
        shown = related or dict(list(visible.items())[:6])
        out: dict[str, Any] = {"status": "ok"}
        if tool.default_output:
            out.update(tool.default_output)
        out.update(shown)
        return out

    def call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """Execute one call of a known tool, update the state and record the step."""
        tool = self._by_name[name]
        cls = tool_class(tool)
        args = {k: v for k, v in arguments.items() if v not in (None, "")}
        if cls == "observation":
            result = self._observe(tool)
        else:
            result = {"status": "done", "action": name}
            if tool.default_output:
                result.update(tool.default_output)
            if cls == "safe":
                result.setdefault("external_state_changed", False)
                self.state.setdefault("safe_actions", []).append(name)
            elif cls == "reporting":
                result.setdefault("status_published", True)
            else:
                result["status"] = "executed"
                result.setdefault("external_state_changed", True)
                if tool.description:
                    result.setdefault("effect", tool.description)
            if args.get("target"):
                result["target"] = args["target"]
            self.state["actions_taken"].append(name)
        rec = StepRecord(
            step=len(self.records) + 1,
            turn=self.turn,
            tool=name,
            arguments=dict(arguments),
            result=result,
            tool_type=tool.tool_type,
            risk_level=tool.risk_level,
            risk_event=tool.risky,
            role=tool.role,
        )
        self.records.append(rec)
        return result

    def record_error(self, name: str, arguments: dict[str, Any], error: str) -> StepRecord:
        """Record a call that failed before reaching a simulator (unknown tool, bad args)."""
        tool = self._by_name.get(name)
        rec = StepRecord(
            step=len(self.records) + 1,
            turn=self.turn,
            tool=name,
            arguments=dict(arguments),
            error=error,
            tool_type=tool.tool_type if tool else None,
            risk_level=tool.risk_level if tool else None,
            risk_event=False,
            role=tool.role if tool else None,
        )
        self.records.append(rec)
        return rec

    def inspect_tools(self) -> list[Tool]:
        """One Inspect tool per scenario tool, each backed by this environment."""
        return [_inspect_tool(self, t) for t in self.tools]


_PARAMS = ToolParams(
    properties={
        "target": ToolParam(
            type="string", description="the item, record or resource the call applies to"
        ),
        "reason": ToolParam(type="string", description="a short reason or note for the log"),
    },
    required=[],
)


def _inspect_tool(env: SimulatedEnvironment, spec: ToolSpec) -> Tool:
    name = spec.tool_name

    async def execute(target: str = "", reason: str = "") -> str:
        args = {k: v for k, v in {"target": target, "reason": reason}.items() if v}
        return json.dumps(env.call(name, args), ensure_ascii=False, sort_keys=True)

    # The target sees the business description only, never the risk level or type.
    desc = spec.description or name.replace("_", " ")
    return ToolDef(execute, name=name, description=desc, parameters=_PARAMS).as_tool()
