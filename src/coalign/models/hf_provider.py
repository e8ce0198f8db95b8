"""``coalign/hf``: a transformers causal LM (plus an optional LoRA adapter) as an Inspect model.

    inspect eval coalign/<task> --model coalign/hf -M base=smollm2 -M adapter=runs/dpo/adapter

``base`` is ``smollm2`` (the embedded model, converted once from its GGUF), a local
transformers model directory, or a hub id already in the local cache. ``adapter`` is a PEFT
adapter directory such as the one ``coalign align dpo`` writes. Every benchmark can therefore
score the same held-out items before (no adapter) and after (with it) a correction.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import anyio
from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessage,
    ChatMessageAssistant,
    GenerateConfig,
    ModelAPI,
    ModelOutput,
    ModelUsage,
)
from inspect_ai.model._model_call import ModelCall
from inspect_ai.tool import ToolChoice, ToolInfo

from coalign.models.hf import SMOLLM2_SPEC, Generation, HFRuntime, get_hf_runtime
from coalign.models.loglik import LoglikScorer, NamedScorer
from coalign.models.providers import DEFAULT_MAX_TOKENS, register_backend
from coalign.models.text_tools import messages_for_text_model, parse_tool_calls

_KNOWN_ARGS = ("base", "adapter", "device", "dtype", "batch_size")
DEFAULT_BATCH = 16
_GATHER_SECONDS = 0.05


class _Batcher:
    """Gathers concurrent generate calls with the same parameters into one batched generate.

    Inspect runs up to ``max_connections`` samples at once, each awaiting ``generate``; here
    they wait a moment for company and are answered together, which on CPU costs little more
    than a single call.
    """

    def __init__(self, runtime: HFRuntime, batch_size: int) -> None:
        self.runtime = runtime
        self.batch_size = batch_size
        self.pending: dict[str, list[tuple[list[dict[str, str]], asyncio.Future[Generation]]]] = {}
        self.params: dict[str, dict[str, Any]] = {}

    async def submit(self, messages: list[dict[str, str]], params: dict[str, Any]) -> Generation:
        key = repr(sorted(params.items()))
        fut: asyncio.Future[Generation] = asyncio.get_running_loop().create_future()
        queue = self.pending.setdefault(key, [])
        queue.append((messages, fut))
        self.params[key] = params
        if len(queue) == 1:
            asyncio.get_running_loop().create_task(self._flush_later(key))
        return await fut

    async def _flush_later(self, key: str) -> None:
        await asyncio.sleep(_GATHER_SECONDS)
        while self.pending.get(key):
            batch = self.pending[key][: self.batch_size]
            self.pending[key] = self.pending[key][self.batch_size :]
            convs = [m for m, _ in batch]
            params = self.params[key]
            try:
                results = await anyio.to_thread.run_sync(
                    functools.partial(self.runtime.chat_batch, convs, **params)
                )
            except Exception as e:  # hand the failure to every waiting caller
                for _, fut in batch:
                    if not fut.done():
                        fut.set_exception(e)
                continue
            for (_, fut), res in zip(batch, results, strict=True):
                if not fut.done():
                    fut.set_result(res)


class HFChatAPI(ModelAPI):
    """Chat generation from a transformers model with the tokenizer's chat template."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = GenerateConfig(),
        base: str = SMOLLM2_SPEC,
        adapter: str | None = None,
        device: str | None = None,
        dtype: str | None = None,
        batch_size: int = DEFAULT_BATCH,
        **model_args: Any,
    ) -> None:
        super().__init__(model_name, base_url, api_key, [], config)
        if model_args:
            raise ValueError(
                f"unknown model args for coalign/hf: {sorted(model_args)} "
                f"(known: {', '.join(_KNOWN_ARGS)})"
            )
        self.runtime: HFRuntime = get_hf_runtime(
            base, adapter or None, device=device or None, dtype=dtype or None
        )
        self.batch_size = max(1, int(batch_size))
        self._batchers: dict[int, _Batcher] = {}

    def max_connections(self) -> int:
        # Enough concurrent samples to fill one generation batch.
        return self.batch_size

    def loglik_scorer(self) -> LoglikScorer:
        """Continuation log-likelihoods from this model (see :mod:`coalign.models.loglik`)."""
        return NamedScorer(f"coalign/{self.model_name}", self.runtime.scorer.loglik_many)

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> tuple[ModelOutput, ModelCall]:
        messages = messages_for_text_model(input, tools)
        params: dict[str, Any] = {
            "max_tokens": config.max_tokens or DEFAULT_MAX_TOKENS,
            "temperature": 0.0 if config.temperature is None else config.temperature,
            "top_p": config.top_p,
            "seed": 0 if config.seed is None else config.seed,
            "stop": list(config.stop_seqs or []),
        }
        # One batcher per event loop (Inspect may run evals in separate loops).
        loop_id = id(asyncio.get_running_loop())
        batcher = self._batchers.setdefault(loop_id, _Batcher(self.runtime, self.batch_size))
        gen = await batcher.submit(messages, params)
        parsed = parse_tool_calls(gen.text, tools) if tools else None
        calls = parsed.tool_calls if parsed else []
        output = ModelOutput(
            model=self.model_name,
            choices=[
                ChatCompletionChoice(
                    message=ChatMessageAssistant(
                        content=parsed.text if parsed else gen.text,
                        tool_calls=calls or None,
                        model=self.model_name,
                        source="generate",
                    ),
                    stop_reason="tool_calls" if calls else gen.stop_reason,  # type: ignore[arg-type]
                )
            ],
            usage=ModelUsage(
                input_tokens=gen.input_tokens,
                output_tokens=gen.output_tokens,
                total_tokens=gen.input_tokens + gen.output_tokens,
            ),
        )
        request = {
            "messages": messages,
            **params,
            "base": self.runtime.base,
            "adapter": self.runtime.adapter,
        }
        return output, ModelCall.create(request, {"text": gen.text, "stop": gen.stop_reason})


@register_backend("hf")
def _hf(model_name: str, **kwargs: Any) -> ModelAPI:
    return HFChatAPI(model_name, **kwargs)
