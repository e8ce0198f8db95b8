"""Answers of the embedded SmolLM2 model to the training request banks (project-generated).

Real small-model text (rambling, echoes, loops, confident nonsense) is what coalign's demo
judges most often, and template text does not look like it. This module samples a few answers
per request of :mod:`.prompts` with llama.cpp (seeded) and ships them as
``data/smollm2_answers.jsonl.gz``; training reads the shipped file, so re-training does not
depend on llama.cpp reproducing the same tokens on another build.

``python -m coalign.judges.training.smol_answers [--per-prompt 2] [--max-tokens 200]``
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tqdm import tqdm

from coalign.io import read_jsonl_gz, write_jsonl_gz
from coalign.judges.training import prompts as P

SHIPPED = Path(__file__).parent / "data" / "smollm2_answers.jsonl.gz"


def banks() -> list[tuple[str, str, str, str]]:
    """(prompt type, prompt, topic, domain) for every request of the training banks."""
    return [
        (ptype, prompt, topic, domain)
        for ptype, bank in (
            ("benign", P.BENIGN),
            ("contrast", P.CONTRAST),
            ("hazardous", P.HAZARDOUS),
        )
        for prompt, topic, domain in bank
    ]


def sample(per_prompt: int, max_tokens: int, seed: int) -> list[dict[str, Any]]:
    """Seeded answers, ``per_prompt`` per request, temperature 0.8."""
    from coalign.models.gguf import smollm2_runtime

    rt = smollm2_runtime()
    rows = []
    items = banks()
    for i, (ptype, prompt, topic, domain) in enumerate(tqdm(items, desc="SmolLM2 answers")):
        for k in range(per_prompt):
            out = rt.chat(
                [{"role": "user", "content": prompt}],
                temperature=0.8,
                top_p=0.95,
                max_tokens=max_tokens,
                seed=seed + 1000 * i + k,
            )
            rows.append(
                {
                    "group": i,
                    "prompt_type": ptype,
                    "prompt": prompt,
                    "topic": topic,
                    "domain": domain,
                    "sample": k,
                    "response": out["choices"][0]["message"]["content"].strip(),
                }
            )
    return rows


def load(path: Path = SHIPPED) -> list[dict[str, Any]]:
    """The shipped answers."""
    return read_jsonl_gz(path)


def main(argv: list[str] | None = None) -> None:
    """CLI: sample and write the shipped file."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-prompt", type=int, default=2)
    ap.add_argument("--max-tokens", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=SHIPPED)
    args = ap.parse_args(argv)
    rows = sample(args.per_prompt, args.max_tokens, args.seed)
    write_jsonl_gz(args.out, rows)
    print(f"{len(rows)} answers -> {args.out}")


if __name__ == "__main__":
    main()
