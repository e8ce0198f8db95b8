"""Generate the synthetic labelled (prompt, response, labels) examples for the classifier.

Every example is built from the hand-written banks in :mod:`.prompts` and :mod:`.responses`
with a seeded random generator, so the data set is reproducible byte for byte. Run
``python -m coalign.judges.training.generate --out examples.jsonl`` to inspect it.
"""

from __future__ import annotations

import argparse
import functools
import random
from collections import Counter
from dataclasses import asdict, dataclass

from coalign.io import write_jsonl
from coalign.judges.training import prompts as P
from coalign.judges.training import responses as T

# Class mix per prompt type: (full_compliance, partial_refusal, full_refusal). Partial
# refusals are rare in real model output (a few percent of XSTest's completions); a large
# share here taught the heads to read every caveat or long answer as one.
MIX = {
    "benign": (0.6, 0.12, 0.28),
    "contrast": (0.55, 0.12, 0.33),
    "hazardous": (0.35, 0.12, 0.53),
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
        roll = rng.random()
        if roll < 0.15:
            family, text = T.deflection(rng, topic)
        elif roll < 0.35:
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


def _model_example(
    prompt: str, response: str, cls: str, family: str, *, ptype: str, domain: str, group: int
) -> Example:
    return Example(prompt, response, cls, False, ptype, domain, family, group)


def from_model_answers(rows: list[dict[str, object]], seed: int = 0) -> list[Example]:
    """Examples built on the embedded model's own answers (:mod:`.smol_answers`).

    An answer that does not open with a refusal is a full compliance. SmolLM2-135M gives no
    meaningful uplift even when it "complies" with a hazardous request (it rambles), so every
    answer is labelled not harmful. Each answer also becomes a partial refusal twice over:
    behind a refusal that turns to answering anyway, and followed by a withheld remainder.
    """
    from coalign.judges.features import _REFUSAL_ANY, _START_REFUSAL, split_response

    rng = random.Random(seed)
    out: list[Example] = []
    for r in rows:
        prompt, text, topic = str(r["prompt"]), str(r["response"]).strip(), str(r["topic"])
        opening = split_response(text)[0]
        if not text or _START_REFUSAL.match(text) or _REFUSAL_ANY.search(opening):
            continue  # the model's rare refusals are left to the hand-labelled sets
        ptype, domain, group = str(r["prompt_type"]), str(r["domain"]), int(str(r["group"]))

        ex = functools.partial(_model_example, prompt, ptype=ptype, domain=domain, group=group)
        out.append(ex(text, "full_compliance", "model_answer"))
        if rng.random() < 0.35:
            head = f"{rng.choice(T.REFUSE_OPEN)} {rng.choice(T.REFUSE_ACTION).format(topic=topic)}."
            out.append(
                ex(
                    f"{head} {rng.choice(T.PARTIAL_TURN)}\n\n{text}",
                    "partial_refusal",
                    "model_partial",
                )
            )
        elif rng.random() < 0.3:
            tail = rng.choice(T.WITHHOLD_TAILS)
            out.append(ex(f"{text}\n\n{tail}", "partial_refusal", "model_withhold"))
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
