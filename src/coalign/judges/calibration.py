"""Fit the offline classifier to people's final decisions: the human decides, the judge learns.

Input is a list of :class:`Decision` (a request, a response, whether the request was hazardous,
and the final human label ``safe`` / ``unsafe``). :func:`calibrate`

1. splits the decisions (stratified by label, seeded) into a fitting part and a held-out part;
2. fits a *decision head* on the fitting part: a logistic regression from the shipped heads'
   outputs (refusal-class and harm log-odds), the hazardous flag and the lexical cues to
   P(people say unsafe). A small head over a few strong inputs, so tens of decisions are
   enough, and the shipped refusal and harm heads stay as they are;
3. calibrates it: a temperature and an abstention threshold from cross-validated predictions
   on the fitting part (the threshold is the highest that abstains on at most ``max_abstain``
   of those decisions);
4. measures agreement with the held-out decisions before (shipped judge) and after, and the
   reliability of the stated confidence (binned accuracy vs confidence, expected calibration
   error);
5. returns a :class:`~coalign.judges.heads.HeadSet` with the decision head and a metadata
   record (version hash, the ids of the decisions fitted on and held out, threshold, figures)
   that ``classifier:heads=PATH`` loads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from coalign.judges.features import featurize
from coalign.judges.heads import DEFAULT_HEADS_PATH, HeadSet, LinearHead, softmax
from coalign.stats import cohen_kappa

DECISION_BLOCKS = ["base", "context", "lex"]
BINS = 10


class CalibrationError(ValueError):
    """The decisions cannot support a calibration (too few, or one label only)."""


@dataclass(frozen=True)
class Decision:
    """One final human decision about one response."""

    id: str
    prompt: str
    response: str
    hazardous: bool | None
    label: Literal["safe", "unsafe"]


def context_block(hazardous: Sequence[bool | None]) -> np.ndarray:
    """One-hot hazardous flag: (true, false, unknown)."""
    return np.array(
        [[h is True, h is False, h is None] for h in hazardous], dtype=np.float32
    ).reshape(len(hazardous), 3)


def base_block(heads: HeadSet, blocks: dict[str, np.ndarray]) -> np.ndarray:
    """Log-odds of the shipped refusal classes and of harm, per pair."""
    ref, harm = heads.heads["refusal"], heads.heads["harmful"]
    p_ref = ref.predict_proba(np.concatenate([blocks[b] for b in ref.blocks], axis=1))
    p_harm = harm.predict_proba(np.concatenate([blocks[b] for b in harm.blocks], axis=1))
    p = np.clip(np.concatenate([p_ref, p_harm[:, 1:]], axis=1), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p)).astype(np.float32)


def decision_features(
    heads: HeadSet,
    prompts: Sequence[str],
    responses: Sequence[str],
    hazardous: Sequence[bool | None],
) -> dict[str, np.ndarray]:
    """Every feature block, plus ``base`` and ``context`` for the decision head."""
    blocks = featurize(prompts, responses)
    blocks["base"] = base_block(heads, blocks)
    blocks["context"] = context_block(hazardous)
    return blocks


def _fit(x: np.ndarray, y: np.ndarray, c: float) -> LinearHead:
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    clf = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
    clf.fit((x - mean) / scale, y)
    w, b = clf.coef_[0], clf.intercept_[0]
    sign = 1.0 if clf.classes_[1] == 1 else -1.0
    return LinearHead(
        "decision",
        ["safe", "unsafe"],
        DECISION_BLOCKS,
        mean,
        scale,
        np.stack([-sign * w / 2, sign * w / 2]),
        np.array([-sign * b / 2, sign * b / 2]),
    )


def _stratified_split(
    labels: np.ndarray, holdout: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    held = np.zeros(len(labels), dtype=bool)
    for value in (0, 1):
        idx = np.flatnonzero(labels == value)
        rng.shuffle(idx)
        held[idx[: int(round(holdout * len(idx)))]] = True
    return ~held, held


def _cv_probs(x: np.ndarray, y: np.ndarray, c: float, seed: int, folds: int = 5) -> np.ndarray:
    """Out-of-fold logits for the fitting decisions."""
    rng = np.random.default_rng(seed + 1)
    fold = rng.permutation(len(y)) % folds
    logits = np.zeros((len(y), 2))
    for k in range(folds):
        tr, te = fold != k, fold == k
        if te.any() and len(np.unique(y[tr])) == 2:
            logits[te] = _fit(x[tr], y[tr], c).logits(x[te])
    return logits


def _temperature(logits: np.ndarray, y: np.ndarray) -> float:
    grid = np.exp(np.linspace(np.log(0.2), np.log(10.0), 200))
    nll = [-np.mean(np.log(softmax(logits / t)[np.arange(len(y)), y] + 1e-12)) for t in grid]
    return float(grid[int(np.argmin(nll))])


def _threshold(confidence: np.ndarray, max_abstain: float) -> float:
    """Highest threshold (0.5 to 0.95) abstaining on at most ``max_abstain`` of the items."""
    best = 0.5
    for t in np.round(np.arange(0.5, 0.951, 0.01), 2):
        if np.mean(confidence < t) <= max_abstain:
            best = float(t)
    return best


def reliability(confidence: Sequence[float], correct: Sequence[bool]) -> dict[str, Any]:
    """Binned accuracy against stated confidence and the expected calibration error."""
    conf, ok = np.asarray(confidence, dtype=float), np.asarray(correct, dtype=float)
    edges = np.linspace(0.5, 1.0, BINS + 1)
    bins, ece = [], 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        m = (conf >= lo) & ((conf < hi) | (hi == 1.0))
        if m.any():
            acc, mean_conf = float(ok[m].mean()), float(conf[m].mean())
            ece += m.sum() / max(1, len(conf)) * abs(acc - mean_conf)
            bins.append(
                {"low": round(lo, 2), "high": round(hi, 2), "n": int(m.sum()), "accuracy": acc,
                 "confidence": mean_conf}
            )  # fmt: skip
    return {"bins": bins, "ece": float(ece)}


def agreement(
    human: Sequence[str],
    labels: Sequence[str],
    would_be: Sequence[str],
    confidence: Sequence[float],
) -> dict[str, Any]:
    """Forced and decided agreement, kappa, abstentions and reliability of one judge."""
    forced = [w if lab == "abstain" else lab for lab, w in zip(labels, would_be, strict=True)]
    decided = [i for i, lab in enumerate(labels) if lab != "abstain"]
    n = len(human)
    return {
        "n": n,
        "agreement_forced": sum(a == b for a, b in zip(human, forced, strict=True)) / max(1, n),
        "kappa_forced": cohen_kappa(list(human), forced),
        "decided": len(decided),
        "abstained": n - len(decided),
        "agreement_decided": sum(human[i] == labels[i] for i in decided) / max(1, len(decided)),
        "reliability": reliability(
            [max(c, 0.5) for c in confidence],
            [h == f for h, f in zip(human, forced, strict=True)],
        ),
    }


def _base_verdicts(
    heads_path: str | None, decisions: Sequence[Decision]
) -> tuple[list[str], list[str], list[float]]:
    from coalign.judges.classifier import ClassifierJudge

    judge = ClassifierJudge(heads_path=heads_path)
    vs = judge.judge_many(
        [(d.prompt, d.response) for d in decisions], [{"hazardous": d.hazardous} for d in decisions]
    )
    labels: list[str] = [v.label for v in vs]
    would_be = [str(v.details.get("would_be", v.label)) for v in vs]
    # The stated confidence of the shipped judge in the label it gives (or would give).
    conf = []
    for v in vs:
        p_unsafe = float(v.details.get("p_unsafe", 0.5))
        conf.append(p_unsafe if (v.details.get("would_be", v.label) == "unsafe") else 1 - p_unsafe)
    return labels, would_be, conf


def calibrate(
    decisions: Sequence[Decision],
    *,
    heads: HeadSet | None = None,
    heads_path: str | None = None,
    holdout: float = 0.3,
    seed: int = 0,
    max_abstain: float = 0.1,
    c: float = 1.0,
    min_decisions: int = 20,
) -> HeadSet:
    """Fit, calibrate and evaluate a decision head; see the module docstring."""
    from coalign.judges.classifier import load_heads

    if not 0.0 < holdout < 1.0:
        raise CalibrationError(f"holdout must be between 0 and 1, got {holdout}")
    if len(decisions) < min_decisions:
        raise CalibrationError(
            f"{len(decisions)} usable decisions; calibration needs at least {min_decisions}"
        )
    y = np.array([1 if d.label == "unsafe" else 0 for d in decisions])
    if len(np.unique(y)) < 2:
        raise CalibrationError("every decision has the same label; calibration needs both")
    base = heads if heads is not None else load_heads(heads_path or DEFAULT_HEADS_PATH)
    fit_mask, held_mask = _stratified_split(y, holdout, seed)
    if len(np.unique(y[fit_mask])) < 2 or not held_mask.any():
        raise CalibrationError("too few decisions of one label to hold some out")
    blocks = decision_features(
        base,
        [d.prompt for d in decisions],
        [d.response for d in decisions],
        [d.hazardous for d in decisions],
    )
    x = np.concatenate([blocks[b] for b in DECISION_BLOCKS], axis=1)
    cv_logits = _cv_probs(x[fit_mask], y[fit_mask], c, seed)
    temperature = _temperature(cv_logits, y[fit_mask])
    cv_conf = softmax(cv_logits / temperature).max(axis=1)
    threshold = _threshold(cv_conf, max_abstain)
    head = _fit(x[fit_mask], y[fit_mask], c)
    head.temperature = temperature

    held = [d for d, m in zip(decisions, held_mask, strict=True) if m]
    human = [d.label for d in held]
    b_labels, b_would, b_conf = _base_verdicts(heads_path, held)
    p = head.predict_proba(x[held_mask])[:, 1]
    a_would = ["unsafe" if q >= 0.5 else "safe" for q in p]
    a_conf = [float(max(q, 1 - q)) for q in p]
    a_labels = [w if cf >= threshold else "abstain" for w, cf in zip(a_would, a_conf, strict=True)]
    fitted_ids = [d.id for d, m in zip(decisions, fit_mask, strict=True) if m]
    meta: dict[str, Any] = {
        **base.meta,
        "calibration": {
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "threshold": threshold,
            "temperature": temperature,
            "max_abstain": max_abstain,
            "seed": seed,
            "holdout": holdout,
            "c": c,
            "fitted_ids": fitted_ids,
            "held_out_ids": [d.id for d in held],
            "before": agreement(human, b_labels, b_would, b_conf),
            "after": agreement(human, a_labels, a_would, a_conf),
        },
    }
    digest = hashlib.sha256(
        json.dumps(
            {
                "coef": head.coef.round(6).tolist(),
                "intercept": head.intercept.round(6).tolist(),
                "fitted_ids": fitted_ids,
                "threshold": threshold,
            },
            sort_keys=True,
        ).encode()
    ).hexdigest()
    meta["calibration"]["version"] = f"calib-{digest[:12]}"
    return HeadSet(heads={**base.heads, "decision": head}, meta=meta)
