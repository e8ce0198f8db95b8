"""Intrinsic alignment solvers: self-reflection, perspective-taking, moral deliberation."""

from coalign.intrinsic.solvers import (
    DEFAULT_PRINCIPLES,
    moral_deliberation,
    perspective_taking,
    self_reflection,
)

__all__ = ["DEFAULT_PRINCIPLES", "moral_deliberation", "perspective_taking", "self_reflection"]
