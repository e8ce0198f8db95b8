"""Inspect model providers under the ``coalign/`` prefix.

``coalign/smollm2``   the embedded SmolLM2-135M-Instruct GGUF, in process (no network, no key)
``coalign/gguf``      any local GGUF file: ``-M path=/models/x.gguf``
``coalign/scripted``  deterministic rule-based answers for exact, model-free tests

Further backends (e.g. a transformers model with a LoRA adapter) register themselves with
:func:`register_backend`, so ``coalign/<name>`` stays the one namespace users type. A backend
that can score continuations offers a ``loglik_scorer()`` method, which
:func:`coalign.models.loglik.loglik_scorer` asks for.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import yaml
from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageTool,
    GenerateConfig,
    ModelAPI,
    ModelOutput,
    ModelUsage,
)
from inspect_ai.model._model_call import ModelCall
from inspect_ai.tool import ToolCall, ToolChoice, ToolInfo
from pydantic import BaseModel, Field, ValidationError

from coalign.io import InputError, validation_error
from coalign.models.gguf import GGUFRuntime, get_runtime, smollm2_path
from coalign.models.loglik import LoglikScorer, NamedScorer
from coalign.models.text_tools import messages_for_text_model, parse_tool_calls

DEFAULT_MAX_TOKENS = 256

BackendFactory = Callable[..., ModelAPI]
_BACKENDS: dict[str, BackendFactory] = {}


def register_backend(name: str) -> Callable[[BackendFactory], BackendFactory]:
    """Register a backend reachable as ``coalign/<name>``."""

    def deco(factory: BackendFactory) -> BackendFactory:
        _BACKENDS[name] = factory
        return factory

    return deco


def backend_names() -> list[str]:
    """Names usable after ``coalign/``."""
    return sorted(_BACKENDS)


_STOP_REASONS = {"stop": "stop", "length": "max_tokens", "tool_calls": "tool_calls"}


class GGUFChatAPI(ModelAPI):
    """Chat generation from a local GGUF file through llama-cpp-python."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = GenerateConfig(),
        path: str | None = None,
        n_ctx: int = 2048,
        **model_args: Any,
    ) -> None:
        super().__init__(model_name, base_url, api_key, [], config)
        if model_args:
            raise ValueError(
                f"unknown model args for coalign/{model_name}: "
                f"{sorted(model_args)} (known: path, n_ctx)"
            )
        file = Path(path) if path else smollm2_path()
        self.runtime: GGUFRuntime = get_runtime(file, n_ctx=int(n_ctx))

    def max_connections(self) -> int:
        # Calls are serialised on the runtime's lock anyway; more slots only queue threads.
        return 1

    def loglik_scorer(self) -> LoglikScorer:
        """Continuation log-likelihoods from this model (see :mod:`coalign.models.loglik`)."""
        return NamedScorer(f"coalign/{self.model_name}", self.runtime.loglik_many)

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> tuple[ModelOutput, ModelCall]:
        messages = messages_for_text_model(input, tools)
        params: dict[str, Any] = {
            "temperature": 0.0 if config.temperature is None else config.temperature,
            "max_tokens": config.max_tokens or DEFAULT_MAX_TOKENS,
            "seed": 0 if config.seed is None else config.seed,
        }
        if config.top_p is not None:
            params["top_p"] = config.top_p
        if config.stop_seqs:
            params["stop"] = list(config.stop_seqs)
        result = await anyio.to_thread.run_sync(lambda: self.runtime.chat(messages, **params))
        choice = result["choices"][0]
        text = choice["message"].get("content") or ""
        parsed = parse_tool_calls(text, tools) if tools else None
        calls = parsed.tool_calls if parsed else []
        usage = result.get("usage", {})
        output = ModelOutput(
            model=self.model_name,
            choices=[
                ChatCompletionChoice(
                    message=ChatMessageAssistant(
                        content=parsed.text if parsed else text,
                        tool_calls=calls or None,
                        model=self.model_name,
                        source="generate",
                    ),
                    stop_reason="tool_calls"
                    if calls
                    else _STOP_REASONS.get(str(choice.get("finish_reason")), "unknown"),  # type: ignore[arg-type]
                )
            ],
            usage=ModelUsage(
                input_tokens=usage.get("prompt_tokens", 0),
                output_tokens=usage.get("completion_tokens", 0),
                total_tokens=usage.get("total_tokens", 0),
            ),
        )
        return output, ModelCall.create({"messages": messages, **params}, result)


class ScriptRule(BaseModel):
    """One rule of the scripted model: when ``match`` finds the last message, answer."""

    match: str = Field(description="regular expression searched in the last message's text")
    response: str = ""
    tool_call: dict[str, Any] | None = Field(
        default=None, description='{"name": tool, "arguments": {...}} to call instead of text'
    )
    role: str = Field(
        default="any",
        pattern="^(any|user|tool)$",
        description="which kind of last message the rule applies to",
    )


def load_rules(rules: str | list[dict[str, Any]] | None) -> list[ScriptRule]:
    """Rules from a list of dicts or a YAML/JSON file path; errors name file, rule and field."""
    if rules is None:
        return []
    source = "rules"
    data: Any = rules
    if isinstance(rules, str):
        p = Path(rules)
        if not p.exists():
            raise InputError("scripted-model rules file not found", file=p)
        source = str(p)
        data = (
            yaml.safe_load(p.read_text(encoding="utf-8"))
            if p.suffix in (".yaml", ".yml")
            else json.loads(p.read_text(encoding="utf-8"))
        )
    if not isinstance(data, list):
        raise InputError("expected a list of rules", file=source)
    out = []
    for i, r in enumerate(data):
        try:
            rule = ScriptRule.model_validate(r)
            re.compile(rule.match)
        except ValidationError as e:
            raise validation_error(e, file=source, record=f"rule {i}") from None
        except re.error as e:
            raise InputError(
                f"bad regular expression: {e}", file=source, record=f"rule {i}", field="match"
            ) from None
        out.append(rule)
    return out


class ScriptedAPI(ModelAPI):
    """Deterministic answers by rules, for exact tests: first matching rule wins."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = GenerateConfig(),
        rules: str | list[dict[str, Any]] | None = None,
        fallback: str = "I can help with that.",
        **model_args: Any,
    ) -> None:
        super().__init__(model_name, base_url, api_key, [], config)
        if model_args:
            raise ValueError(
                f"unknown model args for coalign/scripted: {sorted(model_args)} "
                "(known: rules, fallback)"
            )
        self.rules = load_rules(rules)
        self.fallback = fallback
        self.calls = 0

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        last = input[-1] if input else None
        text = last.text if last else ""
        kind = "tool" if isinstance(last, ChatMessageTool) else "user"
        self.calls += 1
        for rule in self.rules:
            if rule.role not in ("any", kind) or not re.search(rule.match, text, re.I | re.S):
                continue
            if rule.tool_call is not None:
                call = ToolCall(
                    id=f"scripted_{self.calls}",
                    function=rule.tool_call["name"],
                    arguments=dict(rule.tool_call.get("arguments", {})),
                )
                return ModelOutput(
                    model="scripted",
                    choices=[
                        ChatCompletionChoice(
                            message=ChatMessageAssistant(
                                content=rule.response,
                                tool_calls=[call],
                                model="scripted",
                                source="generate",
                            ),
                            stop_reason="tool_calls",
                        )
                    ],
                    usage=self._usage(input, rule.response),
                )
            return self._text(rule.response, input)
        return self._text(self.fallback, input)

    def _text(self, content: str, input: list[ChatMessage]) -> ModelOutput:
        out = ModelOutput.from_content(model="scripted", content=content)
        out.usage = self._usage(input, content)
        return out

    @staticmethod
    def _usage(input: list[ChatMessage], content: str) -> ModelUsage:
        n_in = sum(len(m.text.split()) for m in input)
        n_out = len(content.split())
        return ModelUsage(input_tokens=n_in, output_tokens=n_out, total_tokens=n_in + n_out)


@register_backend("smollm2")
def _smollm2(model_name: str, **kwargs: Any) -> ModelAPI:
    if kwargs.get("path"):
        raise ValueError(
            "coalign/smollm2 always uses the embedded file; use coalign/gguf "
            "-M path=... for another GGUF model"
        )
    return GGUFChatAPI(model_name, **kwargs)


@register_backend("gguf")
def _gguf(model_name: str, **kwargs: Any) -> ModelAPI:
    if not kwargs.get("path"):
        raise ValueError("coalign/gguf needs -M path=/path/to/model.gguf")
    return GGUFChatAPI(model_name, **kwargs)


@register_backend("scripted")
def _scripted(model_name: str, **kwargs: Any) -> ModelAPI:
    return ScriptedAPI(model_name, **kwargs)


def create_model_api(model_name: str, **kwargs: Any) -> ModelAPI:
    """Build the backend named by ``model_name`` (the part after ``coalign/``)."""
    name = model_name.split("/")[0]
    if name not in _BACKENDS:
        raise ValueError(
            f"unknown coalign model {model_name!r}; available: "
            + ", ".join(f"coalign/{n}" for n in backend_names())
        )
    return _BACKENDS[name](model_name, **kwargs)
