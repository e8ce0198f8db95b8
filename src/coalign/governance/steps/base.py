"""The one interface every pipeline step shares: a scikit-learn transformer.

A step subclasses :class:`Step` (scikit-learn's ``TransformerMixin`` and ``BaseEstimator``):
its constructor arguments are its settings, stored unchanged as attributes, so
``get_params``, ``set_params``, ``sklearn.base.clone`` and the repr are scikit-learn's, and a
pipeline can record every setting and rebuild the index when one changes. ``fit(X, context)``
learns from a frame (rows = units, columns = codes) and keeps what it learned in attributes
ending with ``_``; the :class:`Context` (framework, groups, denominators, log) takes
scikit-learn's ``y`` place. ``transform(X)`` applies what was learned, and the mixin's
``fit_transform(X, context)`` does both.

Two deliberate departures from scikit-learn's conventions, both so that a bad setting fails
where it is written rather than at the next build: the constructor and ``set_params`` validate
settings (an :class:`~coalign.io.InputError` naming the setting; a refused ``set_params``
leaves the step as it was), and ``set_params`` discards fitted state, which no longer matches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

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


class Step(TransformerMixin, BaseEstimator):
    """Base class of the pipeline steps; subclasses define ``__init__`` (settings only, then
    ``self._validate()``), ``_validate``, ``fit`` and ``transform``."""

    name: ClassVar[str] = "step"

    def set_params(self, **params: Any) -> Self:
        """scikit-learn's ``set_params``, checked: an unknown name or a refused value is an
        InputError and leaves the step as it was. Fitted state is discarded."""
        before = self.get_params(deep=False)
        for k in params:
            if k not in before:
                raise InputError(
                    f"{type(self).__name__} has no setting {k!r} (settings: {', '.join(before)})"
                )
        super().set_params(**params)
        try:
            self._validate()
        except Exception:
            super().set_params(**before)
            raise
        for k in [k for k in vars(self) if k.endswith("_") and not k.startswith("_")]:
            delattr(self, k)
        return self

    def _validate(self) -> None:
        """Check settings; subclasses raise InputError on bad values."""

    def fit(self, X: pd.DataFrame, context: Context | None = None) -> Self:
        """Learn from X (rows = units, columns = codes); returns the step."""
        raise NotImplementedError

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Apply what was learned."""
        raise NotImplementedError

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
