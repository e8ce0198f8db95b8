"""Agreement of coalign judges with human refusal labels on model completions.

Input: one or more CSV files with a prompt, a completion and a human label column whose values
start with ``1_`` (full compliance), ``2_`` (full refusal) or ``3_`` (partial refusal), as in the
XSTest v2 human-annotated completions (github.com/paul-rottger/exaggerated-safety,
``model_completions/``). Data is never shipped with coalign; pass your own copy.

For every judge it prints, on the same items:

* 3-class agreement (full compliance / partial refusal / full refusal) and Cohen's kappa;
* binary agreement, refusal vs compliance (partial counts as refusal), and its kappa;
* n, abstentions, and the "forced" agreement that also scores abstained items by the judge's
  most probable class;
* seconds per item.

Example::

    python perf/judge_agreement.py --data /work/data/xstest/xstest_v2_gpt4_odd_subset.csv
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from coalign.judges.base import get_judge
from coalign.stats import Rate, cohen_kappa, rate

LABELS = {"1": "full_compliance", "2": "full_refusal", "3": "partial_refusal"}


def load(path: Path, prompt_col: str, response_col: str, label_col: str) -> list[dict[str, Any]]:
    """Rows with ``prompt``, ``response`` and the human ``label`` (one of the three classes)."""
    rows = []
    with path.open(encoding="utf-8", newline="") as fh:
        for i, r in enumerate(csv.DictReader(fh), start=2):
            raw = (r.get(label_col) or "").strip()
            if raw[:1] not in LABELS:
                raise SystemExit(f"{path}: line {i}: field {label_col!r}: unknown label {raw!r}")
            rows.append(
                {
                    "prompt": r[prompt_col],
                    "response": r[response_col],
                    "label": LABELS[raw[:1]],
                    "file": path.name,
                }
            )
    return rows


def judge_all(spec: str, rows: list[dict[str, Any]]) -> tuple[list[Any], float]:
    """Verdicts for every row (batched when the judge supports it) and seconds taken."""
    judge = get_judge(spec)
    t0 = time.perf_counter()
    pairs = [(r["prompt"], r["response"]) for r in rows]
    if hasattr(judge, "judge_many"):
        verdicts = judge.judge_many(pairs)
    else:

        async def run() -> list[Any]:
            return [await judge.judge(p, r) for p, r in pairs]

        verdicts = asyncio.run(run())
    return verdicts, time.perf_counter() - t0


def binary(c: str) -> str:
    """Refusal vs compliance: partial refusal counts as refusal."""
    return "compliance" if c == "full_compliance" else "refusal"


def agreement(rows: list[dict[str, Any]], verdicts: list[Any]) -> dict[str, Any]:
    """All figures for one judge."""
    decided = [(r, v) for r, v in zip(rows, verdicts, strict=True) if v.label != "abstain"]
    human3 = [r["label"] for r, _ in decided]
    judge3 = [v.details.get("refusal", "full_compliance") for _, v in decided]
    three: Rate = rate(
        [
            None if v.label == "abstain" else v.details.get("refusal") == r["label"]
            for r, v in zip(rows, verdicts, strict=True)
        ]
    )
    two: Rate = rate(
        [
            None
            if v.label == "abstain"
            else binary(v.details.get("refusal", "")) == binary(r["label"])
            for r, v in zip(rows, verdicts, strict=True)
        ]
    )
    forced2 = rate(
        [
            binary(v.details.get("refusal", "full_compliance")) == binary(r["label"])
            for r, v in zip(rows, verdicts, strict=True)
        ]
    )
    return {
        "three": three,
        "two": two,
        "forced_two": forced2,
        "kappa3": cohen_kappa(human3, judge3),
        "kappa2": cohen_kappa([binary(x) for x in human3], [binary(x) for x in judge3]),
        "abstained": sum(v.label == "abstain" for v in verdicts),
        "n": len(rows),
    }


def main(argv: list[str] | None = None) -> None:
    """CLI entry point."""
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--data", type=Path, nargs="+", required=True)
    ap.add_argument("--judge", nargs="+", default=["classifier", "patterns"])
    ap.add_argument("--prompt-col", default="prompt")
    ap.add_argument("--response-col", default="completion")
    ap.add_argument("--label-col", default="final_label")
    ap.add_argument("--errors", type=int, default=0, help="print up to N disagreements per judge")
    args = ap.parse_args(argv)
    console = Console(width=200)
    rows = [
        r for p in args.data for r in load(p, args.prompt_col, args.response_col, args.label_col)
    ]
    counts = {c: sum(r["label"] == c for r in rows) for c in LABELS.values()}
    console.print(
        f"{len(rows)} human-labelled completions from {', '.join(p.name for p in args.data)}: {counts}"
    )
    table = Table(title="Judge agreement with human refusal labels")
    for col in (
        "judge",
        "n",
        "abstained",
        "3-class agreement",
        "kappa (3)",
        "binary agreement",
        "kappa (2)",
        "binary, abstentions forced",
        "s/item",
    ):
        table.add_column(col)
    for spec in args.judge:
        verdicts, secs = judge_all(spec, rows)
        a = agreement(rows, verdicts)
        table.add_row(
            spec,
            str(a["n"]),
            str(a["abstained"]),
            a["three"].format(),
            f"{a['kappa3']:.3f}",
            a["two"].format(),
            f"{a['kappa2']:.3f}",
            a["forced_two"].format(),
            f"{secs / max(1, len(rows)):.4f}",
        )
        shown = 0
        for r, v in zip(rows, verdicts, strict=True):
            if shown >= args.errors:
                break
            got = v.details.get("refusal")
            if got != r["label"]:
                shown += 1
                console.print(
                    f"[{spec}] human={r['label']} judge={got} ({v.label}) :: {r['prompt'][:60]!r} -> {r['response'][:150]!r}"
                )
    console.print(table)


if __name__ == "__main__":
    main()
