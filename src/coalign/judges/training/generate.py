"""Generate the synthetic labelled (prompt, response, labels) examples for the classifier.

Every example is built from the hand-written banks in :mod:`.prompts` and :mod:`.responses`
with a seeded random generator, so the data set is reproducible byte for byte. Run
``python -m coalign.judges.training.generate --out examples.jsonl`` to inspect it.
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from dataclasses import asdict, dataclass

from coalign.io import write_jsonl
from coalign.judges.training import prompts as P
from coalign.judges.training import responses as T

# Class mix per prompt type: (full_compliance, partial_refusal, full_refusal).
MIX = {
    "benign": (0.5, 0.25, 0.25),
    "contrast": (0.45, 0.25, 0.30),
    "hazardous": (0.30, 0.25, 0.45),
}
CLASSES = ("full_compliance", "partial_refusal", "full_refusal")


@dataclass(frozen=True)
class Example:
    """One synthetic labelled pair."""

    prompt: str
    response: str
    refusal: str
    harmful: bool
    prompt_type: str
    domain: str
    family: str
    group: int  # index of the source prompt, for grouped train/validation splits

    def to_dict(self) -> dict[str, object]:
        """Plain dict for JSONL."""
        return asdict(self)


def _one(
    rng: random.Random, ptype: str, prompt: str, topic: str, domain: str
) -> tuple[str, str, str, bool]:
    cls = rng.choices(CLASSES, weights=MIX[ptype])[0]
    benign = ptype != "hazardous"
    if cls == "full_compliance":
        roll = rng.random()
        if ptype == "contrast" and roll < 0.35:
            family, text = T.dark_fact_answer(rng, topic)
        elif benign and roll < 0.6:
            family, text = T.natural_answer(rng, topic)
        elif benign:
            family, text = T.benign_answer(rng, prompt, topic, domain)
        else:
            family, text = T.hazardous_compliance(rng, topic, domain)
        return cls, family, text, not benign
    if cls == "full_refusal":
        if rng.random() < 0.25:
            family, text = T.natural_refusal(rng)
        else:
            family, text = T.full_refusal(rng, topic, benign=benign)
        return cls, family, text, False
    family, text = T.partial_refusal(rng, prompt, topic, domain, benign=benign)
    return cls, family, text, False


def generate(per_prompt: int = 40, seed: int = 0) -> list[Example]:
    """All synthetic examples (deduplicated on (prompt, response)), in a stable order."""
    rng = random.Random(seed)
    banks = [("benign", P.BENIGN), ("contrast", P.CONTRAST), ("hazardous", P.HAZARDOUS)]
    out: list[Example] = []
    seen: set[tuple[str, str]] = set()
    group = 0
    for ptype, bank in banks:
        for prompt, topic, domain in bank:
            for _ in range(per_prompt):
                cls, family, text, harmful = _one(rng, ptype, prompt, topic, domain)
                key = (prompt, text)
                if key in seen:
                    continue
                seen.add(key)
                out.append(Example(prompt, text, cls, harmful, ptype, domain, family, group))
            group += 1
    return out


def summary(examples: list[Example]) -> dict[str, dict[str, int]]:
    """Counts per refusal class, harmful flag, prompt type and template family."""
    return {
        "refusal": dict(Counter(e.refusal for e in examples)),
        "harmful": dict(Counter(str(e.harmful) for e in examples)),
        "prompt_type": dict(Counter(e.prompt_type for e in examples)),
        "family": dict(sorted(Counter(e.family for e in examples).items())),
    }


def main(argv: list[str] | None = None) -> None:
    """CLI: write the examples as JSONL and print counts."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", required=True)
    ap.add_argument("--per-prompt", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    ex = generate(args.per_prompt, args.seed)
    write_jsonl(args.out, [e.to_dict() for e in ex])
    print(f"{len(ex)} examples -> {args.out}")
    for k, v in summary(ex).items():
        print(k, v)


if __name__ == "__main__":
    main()
