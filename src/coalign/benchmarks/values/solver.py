"""The likelihood-mode solver: score every candidate response, generate nothing.

Which model scores: ``scorer_model`` (an Inspect model name such as ``coalign/hf``), else the
model bound to Inspect's model role ``scorer`` (``--model-role scorer=...``), else the model
under test. Scoring goes through :func:`coalign.models.loglik.loglik_scorer`, the one
log-likelihood API of :mod:`coalign.models`.
"""

from __future__ import annotations

import anyio
from inspect_ai.model import get_model
from inspect_ai.solver import Generate, Solver, TaskState, solver

SCORER_ROLE = "scorer"
LOGLIK = "loglik"
"""State-metadata key of the per-response log-likelihoods the likelihood scorer reads."""
LOGLIK_MODEL = "loglik_model"


@solver
def loglik_solver(scorer_model: str | None = None) -> Solver:
    """Log-likelihood of every response as the reply to persona + question, into
    ``state.metadata["loglik"]`` (``logprob``, ``n_tokens``, ``mean`` per response)."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        from coalign.models.loglik import loglik_scorer

        model = get_model(scorer_model) if scorer_model else get_model(role=SCORER_ROLE)
        lm = loglik_scorer(model)
        responses = list(state.metadata["values_item"]["responses"])
        messages = [{"role": m.role, "content": m.text} for m in state.messages]
        scored = await anyio.to_thread.run_sync(lm.loglik_many, messages, responses)
        state.metadata[LOGLIK] = [
            {"logprob": ll.logprob, "n_tokens": ll.n_tokens, "mean": ll.mean} for ll in scored
        ]
        state.metadata[LOGLIK_MODEL] = lm.name
        return state

    return solve
