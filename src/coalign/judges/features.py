"""Feature vectors for the offline classifier: sentence embeddings plus a few shape cues.

Blocks (concatenated in this order, each head stores which blocks it uses):

``head``     embedding of the response's opening (first two sentences, at most 300 chars):
             refusals announce themselves there
``body``     embedding of the rest of the response (zeros when there is none): what was
             actually provided
``prompt``   embedding of the request: harmful assistance depends on what was asked
``shape``    engineered cues: length, list and code structure, refusal phrasing at the start
             or anywhere, a contrast after a refusal, prompt/response similarity
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

from coalign.judges.base import _PARTIAL_HINTS, _REFUSAL_PATTERNS
from coalign.judges.embedding import EMBED_DIM, encode

BLOCKS = ("head", "body", "prompt", "shape")
SHAPE_NAMES = (
    "log_words",
    "list_lines",
    "has_code",
    "refusal_in_head",
    "refusal_anywhere",
    "contrast_after_refusal",
    "cos_prompt_head",
    "cos_prompt_body",
    "body_empty",
)

_SENT_END = re.compile(r"(?<=[.!?])\s+|\n+")
_REFUSAL = [re.compile(p, re.I) for p in _REFUSAL_PATTERNS]
_CONTRAST = re.compile(r"\b(?:however|but|instead|that said|alternatively)\b", re.I)
_PARTIAL = [re.compile(p, re.I) for p in _PARTIAL_HINTS]
_LIST_LINE = re.compile(r"^\s*(?:\d+[.)]|[-*\u2022]|#{1,4} )\s*\S")
_HEAD_CHARS = 300


def split_response(response: str) -> tuple[str, str]:
    """Split into (opening, rest): the first two sentences capped at 300 characters."""
    text = response.strip()
    parts = [p for p in _SENT_END.split(text) if p.strip()]
    head = " ".join(parts[:2])[:_HEAD_CHARS]
    # Locate where the head ends in the original text so the body keeps its formatting.
    cut = 0
    for p in parts[:2]:
        pos = text.find(p, cut)
        if pos < 0:
            break
        cut = pos + len(p)
    cut = min(cut, _HEAD_CHARS) if len(head) >= _HEAD_CHARS else cut
    return head, text[cut:].strip()


def _shape(response: str, head: str, body: str) -> list[float]:
    words = len(response.split())
    lines = [ln for ln in response.splitlines() if ln.strip()]
    list_frac = sum(bool(_LIST_LINE.match(ln)) for ln in lines) / max(1, len(lines))
    has_code = "```" in response or any(ln.startswith("    ") for ln in response.splitlines())
    refusal_head = any(p.search(head) for p in _REFUSAL)
    refusal_any = refusal_head or any(p.search(response) for p in _REFUSAL)
    contrast = refusal_any and bool(_CONTRAST.search(body) or any(p.search(body) for p in _PARTIAL))
    return [
        math.log1p(words) / 6.0,
        list_frac,
        float(has_code),
        float(refusal_head),
        float(refusal_any),
        float(contrast),
        0.0,  # similarities filled in once embeddings exist
        0.0,
        float(not body),
    ]


def featurize(
    prompts: Sequence[str],
    responses: Sequence[str],
    *,
    encoder: object = None,
) -> dict[str, np.ndarray]:
    """Feature blocks for each (prompt, response) pair, batch-encoded in one pass.

    ``encoder`` may be a callable ``texts -> embeddings`` (training uses a disk cache); by
    default the in-process cached model is used.
    """
    enc = encoder if callable(encoder) else encode
    heads, bodies = (
        zip(*(split_response(r) for r in responses), strict=True) if responses else ((), ())
    )
    n = len(responses)
    texts = list(heads) + list(bodies) + list(prompts)
    emb = np.asarray(enc(texts), dtype=np.float32).reshape(len(texts), EMBED_DIM)
    e_head, e_body, e_prompt = emb[:n], emb[n : 2 * n], emb[2 * n :]
    shape = np.array(
        [_shape(r, h, b) for r, h, b in zip(responses, heads, bodies, strict=True)],
        dtype=np.float32,
    ).reshape(n, len(SHAPE_NAMES))
    shape[:, 6] = np.sum(e_prompt * e_head, axis=1)
    shape[:, 7] = np.sum(e_prompt * e_body, axis=1)
    return {"head": e_head, "body": e_body, "prompt": e_prompt, "shape": shape}


def stack(blocks: dict[str, np.ndarray], names: Sequence[str]) -> np.ndarray:
    """Concatenate the named blocks column-wise."""
    return np.concatenate([blocks[b] for b in names], axis=1)
