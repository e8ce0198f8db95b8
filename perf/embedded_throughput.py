"""Tokens/s of the embedded model through coalign's Inspect provider versus raw llama-cpp-python.

Both paths generate the same prompts greedily with the same max_tokens in one process. The
raw path calls ``Llama.create_chat_completion`` in a loop on its own Llama instance; the
coalign path sends all prompts concurrently through Inspect's ``Model.generate`` (as an eval
does), so the figure includes Inspect's message conversion, the provider's lock and thread
hand-off. Inspect's response cache is off. Rounds alternate to share any machine noise.

    python perf/embedded_throughput.py --prompts 16 --max-tokens 64 --rounds 2
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time

PROMPTS = [
    "Explain why the sky is blue in two sentences.",
    "List three safety rules for working with concentrated acids.",
    "What is the difference between a virus and a bacterium?",
    "Write a haiku about laboratory glassware.",
    "How do vaccines train the immune system?",
    "Summarise the water cycle for a ten-year-old.",
    "Give two tips for keeping a lab notebook.",
    "What does a Geiger counter measure?",
    "Why should fume hoods be used with volatile solvents?",
    "Describe photosynthesis in one paragraph.",
    "What is the Pythagorean theorem?",
    "Name three renewable energy sources.",
    "How does a refrigerator keep food cold?",
    "What is DNA made of?",
    "Explain what an earthquake's magnitude means.",
    "Why do we wear goggles in chemistry class?",
]


def raw_run(prompts: list[str], max_tokens: int) -> tuple[int, float]:
    """Generate with a fresh raw Llama instance; returns (completion tokens, seconds)."""
    from llama_cpp import Llama

    from coalign.models.gguf import smollm2_path

    llama = Llama(
        model_path=str(smollm2_path()),
        n_ctx=2048,
        n_threads=os.cpu_count() or 1,
        logits_all=True,
        verbose=False,
    )
    tokens = 0
    start = time.perf_counter()
    for p in prompts:
        out = llama.create_chat_completion(
            messages=[{"role": "user", "content": p}],
            temperature=0.0,
            max_tokens=max_tokens,
            seed=0,
        )
        tokens += out["usage"]["completion_tokens"]
    return tokens, time.perf_counter() - start


def inspect_run(prompts: list[str], max_tokens: int) -> tuple[int, float]:
    """Generate through Inspect's Model API for ``coalign/smollm2``."""
    from inspect_ai.model import GenerateConfig, get_model

    model = get_model(
        "coalign/smollm2", config=GenerateConfig(max_tokens=max_tokens, temperature=0.0, seed=0)
    )

    async def go() -> tuple[int, float]:
        start = time.perf_counter()
        outs = await asyncio.gather(*(model.generate(p, cache=False) for p in prompts))
        elapsed = time.perf_counter() - start
        return sum(o.usage.output_tokens for o in outs if o.usage), elapsed

    return asyncio.run(go())


def main() -> None:
    """Run both paths and print tokens/s and their ratio."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--prompts", type=int, default=16)
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    prompts = (PROMPTS * ((args.prompts // len(PROMPTS)) + 1))[: args.prompts]

    # warm both paths (model load, first-call allocations) outside the timings
    raw_run(prompts[:1], 8)
    inspect_run(prompts[:1], 8)
    totals = {"raw": [0, 0.0], "coalign": [0, 0.0]}
    for r in range(args.rounds):
        order = [("raw", raw_run), ("coalign", inspect_run)]
        if r % 2:
            order.reverse()
        for name, fn in order:
            tok, sec = fn(prompts, args.max_tokens)
            totals[name][0] += tok
            totals[name][1] += sec
            print(f"round {r + 1} {name:8s} {tok:5d} tokens {sec:7.2f} s {tok / sec:7.1f} tok/s")
    raw_tps = totals["raw"][0] / totals["raw"][1]
    co_tps = totals["coalign"][0] / totals["coalign"][1]
    print(f"raw llama-cpp-python : {raw_tps:7.1f} tokens/s ({totals['raw'][0]} tokens)")
    print(f"coalign/smollm2      : {co_tps:7.1f} tokens/s ({totals['coalign'][0]} tokens)")
    print(f"ratio coalign/raw    : {co_tps / raw_tps:.3f}")


if __name__ == "__main__":
    main()
