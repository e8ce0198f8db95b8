"""Continuation log-likelihood: one API for every model that can score a given reply.

    scorer = loglik_scorer()                       # the model under test (inside an eval)
    scorer = loglik_scorer("coalign/smollm2")      # or any Inspect model name / Model
    scorer.loglik_many(messages, ["reply A", "reply B"])  # -> [LogLikelihood, ...]

Supported: ``coalign/smollm2`` and ``coalign/gguf -M path=...`` (llama.cpp, the shared prompt
evaluated once), ``coalign/hf -M base=... [-M adapter=...]`` and Inspect's own ``hf/<model>``
(transformers, the shared prompt's key/value cache reused). A coalign provider offers scoring
through its ``loglik_scorer()`` method; Inspect's ``hf`` provider through the loaded model and
tokenizer it holds. Any other model raises :class:`LoglikUnsupportedError`.

This module imports nothing heavy: the backends live in :mod:`coalign.models.gguf` and
:mod:`coalign.models.hf` and load their libraries when a model is created.
"""

from __future__ import annotations

import math
import sys
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from inspect_ai.model import Model, ModelAPI

SUPPORTED_MODELS = (
    "coalign/smollm2",
    "coalign/gguf -M path=<file.gguf>",
    "coalign/hf -M base=<model> [-M adapter=<dir>]",
    "hf/<model>",
)


@dataclass(frozen=True)
class LogLikelihood:
    """Summed log-probability of a continuation and the number of its tokens."""

    logprob: float
    n_tokens: int

    @property
    def mean(self) -> float:
        """Length-normalised (per-token) log-probability."""
        return self.logprob / self.n_tokens if self.n_tokens else math.nan


class LoglikScorer(Protocol):
    """Scores continuations as the assistant's reply to chat messages."""

    name: str

    def loglik_many(
        self, messages: list[dict[str, str]], continuations: list[str]
    ) -> list[LogLikelihood]:
        """Log-likelihood of each continuation after ``messages``; synchronous, thread-safe."""
        ...


class LoglikUnsupportedError(ValueError):
    """The model cannot score a given continuation; the message names the models that can."""


@dataclass
class NamedScorer:
    """A backend's ``loglik_many`` under the name of the model it scores for.

    Backends are shared by every Inspect model on the same weights (one llama.cpp context per
    file, one transformers model per base and adapter), so the name comes from the model.
    """

    name: str
    score: Callable[[list[dict[str, str]], list[str]], list[LogLikelihood]]

    def loglik_many(
        self, messages: list[dict[str, str]], continuations: list[str]
    ) -> list[LogLikelihood]:
        """Log-likelihood of each continuation after ``messages``."""
        return self.score(messages, continuations)


# One scorer (and so one lock) per loaded Inspect hf model, however often it is asked for.
_hf_scorers: weakref.WeakKeyDictionary[ModelAPI, NamedScorer] = weakref.WeakKeyDictionary()
_hf_scorers_lock = threading.Lock()


def _inspect_hf_scorer(api: ModelAPI, name: str) -> NamedScorer | None:
    """The transformers scorer over Inspect's ``hf/`` provider, or None for other providers."""
    # Inspect's hf provider imports torch; if it is not loaded, ``api`` cannot be one of its.
    module = sys.modules.get("inspect_ai.model._providers.hf")
    hf_api = getattr(module, "HuggingFaceAPI", None)
    if hf_api is None or not isinstance(api, hf_api):
        return None
    with _hf_scorers_lock:
        if api not in _hf_scorers:
            from coalign.models.hf import CausalLMScorer

            scorer = CausalLMScorer(api.model, api.tokenizer)  # type: ignore[attr-defined]
            _hf_scorers[api] = NamedScorer(name, scorer.loglik_many)
        return _hf_scorers[api]


def loglik_scorer(model: Model | str | None = None) -> LoglikScorer:
    """The log-likelihood scorer of ``model``, or raise :class:`LoglikUnsupportedError`.

    None = the model under test (Inspect's ``get_model()``); a str is an Inspect model name.
    """
    from inspect_ai.model import Model, get_model

    resolved = model if isinstance(model, Model) else get_model(model)
    api = resolved.api
    own = getattr(api, "loglik_scorer", None)
    if callable(own):
        scorer: LoglikScorer = own()
        return scorer
    hf = _inspect_hf_scorer(api, str(resolved))
    if hf is not None:
        return hf
    raise LoglikUnsupportedError(
        f"{resolved} cannot score continuations by log-likelihood: its provider "
        f"({type(api).__name__}) gives no log-probabilities of a given text. Models that can: "
        + ", ".join(SUPPORTED_MODELS)
    )
