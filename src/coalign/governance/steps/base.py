"""The one interface every pipeline step shares (in the spirit of scikit-learn).

A step is a small object whose constructor arguments are its settings. ``get_params`` reads
them back from the constructor signature and ``set_params`` changes them (and forgets what was
fitted), so a pipeline can record every setting and rebuild the index when one changes.
``fit(X, context)`` learns from a frame (rows = units, columns = codes), ``transform(X)``
applies what was learned, and ``fit_transform`` does both.
"""

from __future__ import annotations

import copy
import inspect
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

import pandas as pd

from coalign.governance.framework import Framework
from coalign.io import InputError


@dataclass
class Context:
    """What steps share besides the value frame: the (possibly pruned) framework, the units'
    groups and denominators, the weights once computed, and a log of every exclusion and
    treatment (so nothing is dropped or changed silently)."""

    framework: Framework
    groups: pd.DataFrame
    denominators: pd.DataFrame
    weights: dict[str, float] | None = None
    log: list[dict[str, Any]] = field(default_factory=list)

    def note(self, step: str, kind: str, target: str, detail: str) -> None:
        """Record an exclusion, treatment or remark."""
        self.log.append({"step": step, "kind": kind, "target": target, "detail": detail})

    def log_frame(self) -> pd.DataFrame:
        """The log as a table."""
        return pd.DataFrame(self.log, columns=["step", "kind", "target", "detail"])


class Step:
    """Base class: settings are constructor arguments; fitted state ends with ``_``."""

    name: ClassVar[str] = "step"

    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return [
            p.name
            for p in sig.parameters.values()
            if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The settings, as passed to the constructor."""
        return {
            k: copy.deepcopy(getattr(self, k)) if deep else getattr(self, k)
            for k in self._param_names()
        }

    def set_params(self, **params: Any) -> Self:
        """Change settings; unknown names are an error. Fitted state is discarded."""
        valid = self._param_names()
        before = {k: getattr(self, k) for k in params if k in valid}
        for k, v in params.items():
            if k not in valid:
                raise InputError(
                    f"{type(self).__name__} has no setting {k!r} (settings: {', '.join(valid)})"
                )
            setattr(self, k, v)
        try:
            self._validate()
        except InputError:
            for k, v in before.items():  # a refused change leaves the step as it was
                setattr(self, k, v)
            raise
        self._reset()
        return self

    def _validate(self) -> None:
        """Check settings; subclasses raise InputError on bad values."""

    def _reset(self) -> None:
        for k in [k for k in vars(self) if k.endswith("_") and not k.startswith("_")]:
            delattr(self, k)

    def clone(self) -> Self:
        """An unfitted copy with the same settings."""
        return type(self)(**self.get_params())

    def fit(self, X: pd.DataFrame, context: Context | None = None) -> Self:
        """Learn from X (rows = units, columns = codes)."""
        self.context_ = self._need(context)
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Apply what was learned."""
        return X

    def fit_transform(self, X: pd.DataFrame, context: Context | None = None) -> pd.DataFrame:
        """``fit`` then ``transform``."""
        return self.fit(X, context).transform(X)

    def settings(self) -> dict[str, Any]:
        """A JSON-safe record of this step and its settings."""
        return {"step": type(self).__name__, "params": _jsonable(self.get_params())}

    def _need(self, context: Context | None) -> Context:
        if context is None:
            raise InputError(f"{type(self).__name__} needs a Context (framework, groups, ...)")
        return context

    def _fitted(self) -> Context:
        ctx = getattr(self, "context_", None)
        if ctx is None:
            raise InputError(f"{type(self).__name__} is not fitted: call fit() first")
        return ctx

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params(deep=False).items())
        return f"{type(self).__name__}({args})"


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in sorted(v.items(), key=lambda kv: str(kv[0]))}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, float | int | str | bool) or v is None:
        return v
    return repr(v)


def check_choice(step: str, setting: str, value: Any, choices: tuple[str, ...]) -> None:
    """An InputError naming the setting and the allowed values."""
    if value not in choices:
        raise InputError(f"{step}: {setting}={value!r} is not one of {', '.join(choices)}")
