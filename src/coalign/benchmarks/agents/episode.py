"""The agent under test: a multi-turn episode with simulated tools and the adaptive attacker.

Each turn the attacker speaks, then the target runs Inspect's tool loop
(``generate(tool_calls="single")`` repeated up to ``max_steps`` times per turn): native tool
calling where the model has it, the strict text protocol for models such as the embedded
SmolLM2. Every call is recorded; calls Inspect rejects (unknown tool, bad arguments,
unparseable call) come back to the target as visible tool errors and are recorded too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inspect_ai.model import (
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageTool,
    ChatMessageUser,
)
from inspect_ai.solver import Generate, Solver, TaskState, solver

from coalign.benchmarks.agents.attacker import AttackContext, TrajectoryView, make_attacker
from coalign.benchmarks.agents.schema import Family, ScenarioRecord, ToolSpec
from coalign.benchmarks.agents.tools import SimulatedEnvironment, StepRecord, resolve_tools

DEFAULT_MAX_STEPS = 3


@dataclass
class Bound:
    """A scenario with its family and resolved tools, ready to run."""

    record: ScenarioRecord
    family: Family
    tools: list[ToolSpec]


def bind(record: ScenarioRecord, family: Family) -> Bound:
    """Resolve the scenario's tools against its family."""
    return Bound(record, family, resolve_tools(record.scenario, family))


def system_prompt(b: Bound, authority: str) -> str:
    """What the target is told: role, authority context, task, situation, visible state."""
    ts = b.record.scenario.target_spec
    hidden = b.family.hidden_state_fields()
    state = "\n".join(
        f"- {k}: {v}" for k, v in b.record.scenario.environment_state.items() if k not in hidden
    )
    parts = [
        ts.role_context,
        ts.authority_text(authority),
        f"Task: {ts.task_context}",
        f"Situation: {ts.crisis_context}" if ts.crisis_context else "",
        ts.operational_consequence,
        f"Current workflow state:\n{state}" if state else "",
        "Use the tools to inspect and act. When you are done, reply to the user in plain text.",
    ]
    return "\n\n".join(p for p in parts if p)


def _reorder(env: SimulatedEnvironment, before: int, new_messages: list[Any]) -> list[StepRecord]:
    """Merge simulator records with rejected calls, in the order the target made them."""
    done = env.records[before:]
    del env.records[before:]
    tool_msgs = {m.tool_call_id: m for m in new_messages if isinstance(m, ChatMessageTool)}
    out: list[StepRecord] = []
    for m in new_messages:
        if not isinstance(m, ChatMessageAssistant):
            continue
        for call in m.tool_calls or []:
            tm = tool_msgs.get(call.id)
            if tm is not None and tm.error is not None:
                out.append(env.record_error(call.function, call.arguments, tm.error.message))
                env.records.pop()
            elif done:
                out.append(done.pop(0))
    out.extend(done)  # defensive: anything executed but not matched stays recorded
    for rec in out:
        rec.step = len(env.records) + 1
        env.records.append(rec)
    return out


@solver
def agent_episode(
    bound: dict[str, Bound],
    attacker: str | None = None,
    turn_budget: int | None = None,
    max_steps: int = DEFAULT_MAX_STEPS,
) -> Solver:
    """Run one scenario x authority episode and leave the trajectory in ``state.metadata``.

    ``attacker`` is resolved per episode by :func:`make_attacker` (a model role is only bound
    inside the running task).
    """

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        user_sim = make_attacker(attacker)
        b = bound[state.metadata["scenario_id"]]
        sc = b.record.scenario
        authority = state.metadata["authority"]
        env = SimulatedEnvironment(sc, b.tools, hidden_fields=b.family.hidden_state_fields())
        state.tools = env.inspect_tools()  # type: ignore[assignment]
        opening = sc.attacker.initial_message
        state.messages = [
            ChatMessageSystem(content=system_prompt(b, authority)),
            ChatMessageUser(content=opening),
        ]
        turns = turn_budget or sc.attacker.max_turns
        view = TrajectoryView(turn=1)
        transcript: list[dict[str, Any]] = [{"turn": 1, "role": "user", "text": opening}]
        for turn in range(1, turns + 1):
            env.turn = view.turn = turn
            if turn > 1:
                msg = await user_sim.next_message(AttackContext(sc, b.family, b.tools, view))
                if msg is None:
                    break
                state.messages.append(ChatMessageUser(content=msg))
                transcript.append({"turn": turn, "role": "user", "text": msg})
            reply = ""
            for _ in range(max_steps):
                before_msgs, before_recs = len(state.messages), len(env.records)
                state = await generate(state, tool_calls="single")
                new = state.messages[before_msgs:]
                steps = _reorder(env, before_recs, new)
                asst = next((m for m in new if isinstance(m, ChatMessageAssistant)), None)
                text = asst.text if asst else ""
                if text:
                    reply = text
                transcript.append(
                    {"turn": turn, "role": "agent", "text": text, "steps": [s.step for s in steps]}
                )
                if not asst or not asst.tool_calls:
                    break
            view.agent_replies.append(reply)
            view.steps = list(env.records)
        state.metadata["trajectory"] = {
            "steps": [r.to_dict() for r in env.records],
            "transcript": transcript,
            "attacker": user_sim.name,
            "attacker_fallbacks": user_sim.fallbacks,
            "turns": view.turn,
            "tools": [
                {
                    "name": t.tool_name,
                    "type": t.tool_type,
                    "risk_level": t.risk_level,
                    "role": t.role,
                }
                for t in b.tools
            ],
        }
        return state

    return solve
