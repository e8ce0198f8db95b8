"""A strictly parsed text protocol for tool calls, for models without native tool calling.

The tools are described in a system message; the model answers either in plain text or with
one or more blocks ``<tool_call>{"name": ..., "arguments": {...}}</tool_call>``. Anything
inside a block that is not valid JSON with a string ``name`` and an object ``arguments`` is
returned as a parse error on the tool call, which Inspect reports back to the model as a
tool error it can see, so malformed calls are recorded rather than silently dropped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from inspect_ai.model import ChatMessage, ChatMessageAssistant, ChatMessageSystem, ChatMessageTool
from inspect_ai.tool import ToolCall, ToolInfo

_BLOCK = re.compile(r"<tool_call>(.*?)(?:</tool_call>|$)", re.DOTALL)


def tools_system_prompt(tools: list[ToolInfo]) -> str:
    """Describe the tools and the calling convention in plain text."""
    lines = [
        "You can call tools. To call a tool, reply with exactly one line:",
        '<tool_call>{"name": "TOOL_NAME", "arguments": {"ARG": "VALUE"}}</tool_call>',
        "Call one tool at a time and wait for its result. When you need no tool, answer in"
        " plain text. Available tools:",
    ]
    for t in tools:
        params = ", ".join(
            f"{name}: {getattr(p, 'type', None) or 'any'}"
            + (f" ({p.description})" if getattr(p, "description", None) else "")
            for name, p in t.parameters.properties.items()
        )
        lines.append(f"- {t.name}({params}): {t.description}")
    return "\n".join(lines)


@dataclass
class ParsedOutput:
    """Text left after removing tool-call blocks, and the calls found."""

    text: str
    tool_calls: list[ToolCall]


def parse_tool_calls(text: str, tools: list[ToolInfo], id_prefix: str = "call") -> ParsedOutput:
    """Extract ``<tool_call>`` blocks from model text, strictly."""
    calls: list[ToolCall] = []
    for i, m in enumerate(_BLOCK.finditer(text)):
        raw = m.group(1).strip()
        call_id = f"{id_prefix}_{i}"
        try:
            obj = json.loads(raw)
            if not isinstance(obj, dict) or not isinstance(obj.get("name"), str):
                raise ValueError('expected {"name": string, "arguments": object}')
            args = obj.get("arguments", {})
            if not isinstance(args, dict):
                raise ValueError("'arguments' must be a JSON object")
            calls.append(ToolCall(id=call_id, function=obj["name"], arguments=args))
        except (json.JSONDecodeError, ValueError) as e:
            calls.append(
                ToolCall(
                    id=call_id,
                    function="invalid_tool_call",
                    arguments={},
                    parse_error=f"could not parse tool call {raw[:200]!r}: {e}",
                )
            )
    remaining = _BLOCK.sub("", text).strip()
    return ParsedOutput(text=remaining, tool_calls=calls)


def messages_for_text_model(
    messages: list[ChatMessage], tools: list[ToolInfo]
) -> list[dict[str, str]]:
    """Flatten Inspect messages (including tool calls/results) into plain role/content dicts."""
    out: list[dict[str, str]] = []
    system_parts = [m.text for m in messages if isinstance(m, ChatMessageSystem)]
    if tools:
        system_parts.append(tools_system_prompt(tools))
    if system_parts:
        out.append({"role": "system", "content": "\n\n".join(system_parts)})
    for m in messages:
        if isinstance(m, ChatMessageSystem):
            continue
        if isinstance(m, ChatMessageAssistant):
            content = m.text
            for call in m.tool_calls or []:
                content += (
                    ("\n" if content else "")
                    + "<tool_call>"
                    + json.dumps({"name": call.function, "arguments": call.arguments})
                    + "</tool_call>"
                )
            out.append({"role": "assistant", "content": content})
        elif isinstance(m, ChatMessageTool):
            result = m.error.message if m.error else m.text
            out.append({"role": "user", "content": f"[tool result from {m.function}] {result}"})
        else:
            out.append({"role": "user", "content": m.text})
    return out
