"""Pydantic schema for agent-safety families and scenarios, compatible with ForesightSafety-SAGE.

The released SAGE files (``data/families/<dimension>/<subcategory>.json`` and
``data/tasks/<dimension>/<subcategory>_seeds/*.json``) load into these models unchanged:
fields this project does not use are kept (``extra="allow"``), and fields it needs are
required, so a mismatch is reported with the file, instance id and field.

Two authority contexts exist for every scenario. SAGE calls them ``soft`` and ``hard``;
this project calls them ``trust`` and ``warning`` (the names used in the VESTA paper).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

RiskLevel = Literal["low", "medium", "high", "critical"]
RISKY_LEVELS: frozenset[str] = frozenset({"high", "critical"})
AUTHORITIES: tuple[str, str] = ("trust", "warning")
SAGE_AUTHORITY = {"trust": "soft", "warning": "hard"}


class _Open(BaseModel):
    """Base for SAGE-compatible objects: unknown fields are preserved, not rejected."""

    model_config = ConfigDict(extra="allow")


class NamedRef(_Open):
    """``{"id": ..., "name": ...}`` as used for risk_dimension and risk_subtype."""

    id: str = Field(min_length=1)
    name: str = ""


class ToolSpec(_Open):
    """One tool of a family's tool pool (SAGE fields), plus the role it was resolved for."""

    tool_name: str = Field(min_length=1, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    tool_type: str = Field(min_length=1)
    risk_level: RiskLevel
    description: str = ""
    default_output: dict[str, Any] | None = None
    risk_event: str | None = None
    role: str | None = Field(default=None, description="manifest role this tool fills")

    @field_validator("risk_level", mode="before")
    @classmethod
    def _lower(cls, v: Any) -> Any:
        return v.lower() if isinstance(v, str) else v

    @property
    def risky(self) -> bool:
        """A call to this tool is a risk event (high or critical risk level)."""
        return self.risk_level in RISKY_LEVELS


class AuthorityDesign(_Open):
    """Trust (soft) and Warning (hard) authority texts of a family."""

    principle: str = ""
    authority_context_soft: str = ""
    authority_context_hard: str = ""


class AttackerProfile(_Open):
    """The attacker's goal, allowed pressure tactics and per-tactic message templates."""

    goal: str = ""
    allowed_pressure_tactics: list[str] = Field(default_factory=list)
    forbidden_attacker_behaviors: list[str] = Field(default_factory=list)
    strategy_templates: dict[str, list[str]] = Field(default_factory=dict)


class JudgeTemplate(_Open):
    """Episode-level judging criteria of a family."""

    unsafe_if: list[str] = Field(min_length=1)
    safe_if: list[str] = Field(default_factory=list)
    primary_risk_indicators: list[str] = Field(default_factory=list)
    secondary_risk_indicators: list[str] = Field(default_factory=list)


class Family(_Open):
    """A subcategory's family definition (SAGE ``data/families/<dim>/<sub>.json``)."""

    family_id: str = Field(min_length=3)
    family_name: str = ""
    risk_dimension: NamedRef
    risk_subtype: NamedRef
    definition: str = Field(min_length=1)
    core_question: str = ""
    risk_mechanism: dict[str, Any] = Field(default_factory=dict)
    boundary_definition: dict[str, Any] = Field(default_factory=dict)
    behavioral_boundary: dict[str, Any] = Field(default_factory=dict)
    common_risk_points: list[str] = Field(default_factory=list)
    authority_design: AuthorityDesign = Field(default_factory=AuthorityDesign)
    tool_pool: dict[str, list[ToolSpec]] = Field(min_length=1)
    attacker_profile: AttackerProfile = Field(default_factory=AttackerProfile)
    judge_template: JudgeTemplate
    environment_state_schema: dict[str, Any] = Field(default_factory=dict)

    @property
    def dimension(self) -> str:
        """Risk dimension id."""
        return self.risk_dimension.id

    @property
    def subcategory(self) -> str:
        """Risk subcategory id."""
        return self.risk_subtype.id

    def all_tools(self) -> list[ToolSpec]:
        """Every tool in the pool, in file order, each once."""
        seen: dict[str, ToolSpec] = {}
        for group in self.tool_pool.values():
            for t in group:
                seen.setdefault(t.tool_name, t)
        return list(seen.values())

    def tool(self, name: str) -> ToolSpec | None:
        """The pool tool called ``name`` (None when absent)."""
        return next((t for t in self.all_tools() if t.tool_name == name), None)

    def hidden_state_fields(self) -> set[str]:
        """Environment fields the family marks as hidden from the target."""
        vis = self.environment_state_schema.get("visibility_guidance") or {}
        return set(vis.get("primarily_hidden_environment_state") or [])


class TargetSpec(_Open):
    """What the target agent is told: role, task, situation and both authority contexts."""

    role_context: str = Field(min_length=1)
    task_context: str = Field(min_length=1)
    crisis_context: str = ""
    operational_consequence: str = ""
    authority_context_soft: str = Field(min_length=1)
    authority_context_hard: str = Field(min_length=1)

    def authority_text(self, authority: str) -> str:
        """The authority context for ``trust`` or ``warning``."""
        if authority not in AUTHORITIES:
            raise ValueError(f"authority must be one of {AUTHORITIES}, got {authority!r}")
        return self.authority_context_soft if authority == "trust" else self.authority_context_hard


class JudgeSpec(_Open):
    """Hidden evaluation reference: the boundary, expected risk points and safe alternatives."""

    boundary_basis: str = Field(min_length=1)
    expected_risk_points: list[str] = Field(default_factory=list)
    safe_alternatives: list[str] = Field(default_factory=list)


class ToolRole(_Open):
    """One required tool role of a scenario's manifest."""

    role: str = Field(min_length=1)
    capability: str = ""
    preferred_tool_name: str | None = None


class ToolManifest(_Open):
    """The tool roles a scenario needs (SAGE describes capabilities, not final tools)."""

    required_tool_roles: list[ToolRole] = Field(min_length=1)
    constraints: dict[str, Any] = Field(default_factory=dict)


class AttackerSpec(_Open):
    """The scenario's attacker: pressure strategy, objective, opening message, turn budget."""

    mode: str = "llm_adaptive"
    strategy: str = Field(min_length=1)
    objective: str = ""
    initial_message: str = Field(min_length=1)
    max_turns: int = Field(default=4, ge=1, le=20)


class Scenario(_Open):
    """One executable scenario (a SAGE ``instances[]`` entry)."""

    instance_id: str = Field(min_length=1)
    scenario_theme: str = ""
    domain: str = "general"
    target_spec: TargetSpec
    environment_state: dict[str, Any] = Field(default_factory=dict)
    judge_spec: JudgeSpec
    tool_manifest: ToolManifest
    attacker: AttackerSpec


class TaskFile(_Open):
    """A SAGE task file: family metadata and a list of instances."""

    family_id: str = Field(min_length=3)
    family_name: str = ""
    risk_dimension: NamedRef
    risk_subtype: NamedRef
    instances: list[dict[str, Any]] = Field(min_length=1)


class ScenarioRecord(BaseModel):
    """A validated scenario bound to its family, ready to run (this project's unit of work)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    scenario: Scenario
    family_id: str
    dimension: str
    subcategory: str
    source: str = Field(description="seed | generated:template | generated:model | import:<file>")

    @property
    def instance_id(self) -> str:
        """The scenario's id."""
        return self.scenario.instance_id
