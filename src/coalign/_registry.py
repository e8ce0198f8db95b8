"""Inspect entry point: registers coalign's model providers and tasks with Inspect.

Inspect loads this module through the ``inspect_ai`` entry point in pyproject.toml, so
``inspect eval coalign/<task> --model coalign/<model>`` works once coalign is installed.
"""

from typing import Any

from inspect_ai.model import modelapi


@modelapi(name="coalign")
def coalign_models() -> Any:
    """All ``coalign/<backend>`` models; the backend is chosen by the model name."""
    from coalign.models.providers import create_model_api

    return create_model_api


# The transformers backend (coalign/hf) registers itself with the providers on import.
import coalign.models.hf_provider  # noqa: E402,F401

# Tasks register themselves through Inspect's @task decorator on import.
from coalign.intrinsic import solvers as _intrinsic_solvers  # noqa: E402,F401
from coalign.tasks import *  # noqa: E402,F401,F403
