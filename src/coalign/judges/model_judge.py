"""What every LLM judge shares: which model judges, deterministic calls, strict trailer parsing.

A model judge's spec names its model (``model:openai/gpt-4o``) or leaves it out (``model``),
in which case Inspect's model role ``grader`` decides (``inspect eval ... --model-role
grader=openai/gpt-4o``), as Inspect's own model-graded scorers do. No model judges its own
output: inside an evaluation, a judge whose model is the model under test refuses to run.

Judge models answer in free text that must end with ``FIELD: value`` lines (a *trailer*);
:func:`parse_trailer` reads them strictly, and a judge turns any deviation into an abstention
that keeps the raw output for human review.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from coalign.judges.verdict import Verdict

GRADER_ROLE = "grader"
DEFAULT_SEED = 42
DEFAULT_MAX_TOKENS = 512

_TRAILER_LINE = re.compile(r"^\s*\**\s*([A-Z_]+)\s*\**\s*:\s*(.*?)\s*$", re.I | re.M)


class ParseError(ValueError):
    """The judge model's output does not follow the required format."""


class SelfJudgingError(ValueError):
    """A judge would grade answers of the model it is."""


def parse_trailer(text: str, fields: Iterable[str]) -> dict[str, list[str]]:
    """Every ``FIELD: value`` line of ``text`` for the named fields (case-insensitive), in order.

    Bold markers (``**VERDICT:** SAFE``) are tolerated; everything else is the caller's to
    check (missing, repeated or conflicting fields).
    """
    wanted = {f.upper() for f in fields}
    found: dict[str, list[str]] = {}
    for m in _TRAILER_LINE.finditer(text):
        name = m.group(1).upper()
        if name in wanted:
            found.setdefault(name, []).append(m.group(2).strip().strip("*").strip())
    return found


def one_choice(found: dict[str, list[str]], field: str, choices: Iterable[str]) -> str:
    """The single value of ``field`` among ``choices``; repeated identical lines are allowed,
    conflicting or missing ones raise :class:`ParseError`."""
    allowed = [c.upper() for c in choices]
    values = {v.upper() for v in found.get(field.upper(), [])}
    if not values:
        raise ParseError(f"no '{field}: {'|'.join(allowed)}' line")
    if len(values) > 1:
        raise ParseError(f"conflicting {field} lines: {sorted(values)}")
    value = values.pop()
    if value not in allowed:
        raise ParseError(f"{field} must be one of {'|'.join(allowed)}, got {value!r}")
    return value


def _same_model(a: Any, b: Any) -> bool:
    return str(a) == str(b) and dict(a.model_args or {}) == dict(b.model_args or {})


class ModelBackedJudge:
    """Base of the LLM judges: resolves the judge model and calls it deterministically.

    Args:
        model: an Inspect model name or ``Model``; ``None`` or ``""`` uses the model role
            ``role`` (default ``grader``), resolved at the first call.
        kind: the spec prefix, used in ``judge_id`` (``model``, ``pairwise``...).
        seed, max_tokens: generation settings (temperature is always 0).
        **model_args: passed to :func:`inspect_ai.model.get_model` with a named model.
    """

    def __init__(
        self,
        model: Any = None,
        *,
        kind: str,
        role: str = GRADER_ROLE,
        seed: int = DEFAULT_SEED,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        **model_args: Any,
    ) -> None:
        self.kind = kind
        self.role = role
        self.seed = seed
        self.max_tokens = max_tokens
        self._model_args = model_args
        self._model: Any = None
        self._name: str | None = None
        if model is not None and not isinstance(model, str):
            self._model = model
        elif model:
            self._name = model

    @property
    def judge_id(self) -> str:
        """``<kind>:<model>`` (``<kind>:role=grader`` until the role is resolved)."""
        if self._model is not None:
            return f"{self.kind}:{self._model}"
        return f"{self.kind}:{self._name or f'role={self.role}'}"

    def model(self) -> Any:
        """The judge model; refuses the model under test."""
        from inspect_ai.model import get_model
        from inspect_ai.model._model import active_model

        if self._model is None:
            if self._name:
                self._model = get_model(self._name, **self._model_args)
            else:
                try:
                    self._model = get_model(role=self.role, required=True)
                except Exception as e:
                    raise ValueError(
                        f"judge {self.kind!r} names no model and the model role "
                        f"{self.role!r} is not bound: pass --model-role {self.role}=<model> "
                        f"to inspect eval, or name one: {self.kind}:<inspect model>"
                    ) from e
        under_test = active_model()
        if under_test is not None and _same_model(self._model, under_test):
            raise SelfJudgingError(
                f"judge {self.judge_id} is the model under test; a model may not judge its "
                "own answers"
            )
        return self._model

    async def ask(self, instruction: str) -> tuple[str | None, Verdict | None]:
        """The judge model's raw answer, or an abstention when the call failed."""
        from inspect_ai.model import GenerateConfig

        model = self.model()
        config = GenerateConfig(temperature=0.0, seed=self.seed, max_tokens=self.max_tokens)
        try:
            output = await model.generate(instruction, config=config)
        except Exception as e:  # a judge failure must not crash an evaluation: it is reviewed
            return None, Verdict.abstain(
                self.judge_id, f"judge model error: {type(e).__name__}: {e}"
            )
        return output.completion or "", None
