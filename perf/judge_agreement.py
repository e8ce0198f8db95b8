"""Agreement of coalign judges with human refusal labels on model completions.

Input: one or more CSV files with a prompt, a completion and a human label column whose values
start with ``1_`` (full compliance), ``2_`` (full refusal) or ``3_`` (partial refusal), as in the
XSTest v2 human-annotated completions (github.com/paul-rottger/exaggerated-safety,
``model_completions/``: one file per model). Data is never shipped with coalign; pass your own
copy, e.g. every file of that folder::

    python perf/judge_agreement.py --data xstest/model_completions/*.csv

For every judge it prints, refusal vs compliance (partial refusal counts as refusal, as in the
XSTest paper):

* **forced**: every item, abstentions scored by the judge's most probable class;
* **decided**: the items the judge did not abstain on, and the share it abstained on;
* the same per input file (per model, for XSTest), and 3-class agreement and kappa;
* judgments per second (wall clock of one batched call, after the judge is loaded).

XSTest is coalign's acceptance set for the default judge: no training data, threshold or
model choice of coalign's comes from it.
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
from coalign.stats import cohen_kappa

LABELS = {"1": "full_compliance", "2": "full_refusal", "3": "partial_refusal"}


def load(
    path: Path, prompt_col: str, response_col: str, label_col: str, harm_col: str | None = None
) -> list[dict[str, Any]]:
    """Rows with ``prompt``, ``response`` and the human ``label`` (one of the three classes)."""
    rows = []
    with path.open(encoding="utf-8", newline="") as fh:
        for i, r in enumerate(csv.DictReader(fh), start=2):
            for col in (prompt_col, response_col, label_col):
                if col not in r:
                    raise SystemExit(f"{path}: line {i}: no column {col!r}")
            raw = (r.get(label_col) or "").strip()
            if raw[:1] not in LABELS:
                raise SystemExit(f"{path}: line {i}: field {label_col!r}: unknown label {raw!r}")
            rows.append(
                {
                    "prompt": r[prompt_col],
                    "response": r[response_col] or "",
                    "label": LABELS[raw[:1]],
                    "file": path.stem,
                    "harmful": _yes_no(path, i, harm_col, r) if harm_col else None,
                }
            )
    return rows


def _yes_no(path: Path, line: int, col: str, r: dict[str, str]) -> bool:
    raw = (r.get(col) or "").strip().lower()
    if raw not in ("yes", "no", "true", "false", "1", "0"):
        raise SystemExit(f"{path}: line {line}: field {col!r}: expected yes/no, got {raw!r}")
    return raw in ("yes", "true", "1")


def harm_figures(rows: list[dict[str, Any]], verdicts: list[Any]) -> str:
    """Harm agreement and kappa against the human harm labels."""
    human = ["yes" if r["harmful"] else "no" for r in rows]
    pred = ["yes" if v.details.get("harmful") else "no" for v in verdicts]
    agree = sum(a == b for a, b in zip(human, pred, strict=True)) / max(1, len(rows))
    kappa = cohen_kappa(list(human), list(pred))
    return (
        f"harm: agreement {agree:.3f}, kappa {kappa:.3f} "
        f"(human yes={human.count('yes')}, judge yes={pred.count('yes')}, n={len(rows)}; "
        "kappa is undefined when both raters use one label)"
    )


def judge_all(spec: str, rows: list[dict[str, Any]]) -> tuple[list[Any], float]:
    """Verdicts for every row (batched when the judge supports it) and seconds taken."""
    judge = get_judge(spec)
    pairs = [(r["prompt"], r["response"]) for r in rows]
    if hasattr(judge, "judge_many"):
        judge.judge_many(pairs[:2])  # load the model outside the timed call
        t0 = time.perf_counter()
        verdicts = judge.judge_many(pairs)
    else:

        async def run() -> list[Any]:
            return [await judge.judge(p, r) for p, r in pairs]

        t0 = time.perf_counter()
        verdicts = asyncio.run(run())
    return verdicts, time.perf_counter() - t0


def binary(c: str | None) -> str:
    """Refusal vs compliance: partial refusal counts as refusal."""
    return "compliance" if c in (None, "full_compliance") else "refusal"


def figures(rows: list[dict[str, Any]], verdicts: list[Any]) -> dict[str, Any]:
    """Forced and decided binary agreement and kappa, 3-class figures, abstentions."""
    pred = [v.details.get("refusal") for v in verdicts]
    human = [r["label"] for r in rows]
    decided = [i for i, v in enumerate(verdicts) if v.label != "abstain"]
    hb, pb = [binary(h) for h in human], [binary(p) for p in pred]
    dh, dp = [hb[i] for i in decided], [pb[i] for i in decided]
    n = len(rows)
    return {
        "n": n,
        "forced": sum(a == b for a, b in zip(hb, pb, strict=True)) / max(1, n),
        "forced_kappa": cohen_kappa(list(hb), list(pb)),
        "decided_n": len(decided),
        "abstained": n - len(decided),
        "decided": sum(a == b for a, b in zip(dh, dp, strict=True)) / max(1, len(decided)),
        "decided_kappa": cohen_kappa(list(dh), list(dp)),
        "three": sum(h == (p or "full_compliance") for h, p in zip(human, pred, strict=True))
        / max(1, n),
        "three_kappa": cohen_kappa(list(human), [p or "full_compliance" for p in pred]),
    }


def _row(name: str, f: dict[str, Any], secs: float | None) -> list[str]:
    return [
        name,
        str(f["n"]),
        f"{f['forced']:.3f}",
        f"{f['forced_kappa']:.3f}",
        f"{f['decided']:.3f} (n={f['decided_n']})",
        f"{f['decided_kappa']:.3f}",
        f"{f['abstained']} ({f['abstained'] / max(1, f['n']):.1%})",
        f"{f['three']:.3f} / {f['three_kappa']:.3f}",
        "" if secs is None else f"{f['n'] / secs:.1f}",
    ]


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
    ap.add_argument(
        "--harm-col",
        help="optional column of human harm labels (yes/no): also report harm agreement",
    )
    ap.add_argument("--errors", type=int, default=0, help="print up to N disagreements per judge")
    args = ap.parse_args(argv)
    console = Console(width=200)
    rows = [
        r
        for p in args.data
        for r in load(p, args.prompt_col, args.response_col, args.label_col, args.harm_col)
    ]
    counts = {c: sum(r["label"] == c for r in rows) for c in LABELS.values()}
    console.print(f"{len(rows)} human-labelled completions from {len(args.data)} file(s): {counts}")
    table = Table(title="Agreement with human labels, refusal vs compliance (partial = refusal)")
    for col in (
        "judge / model",
        "n",
        "agreement, forced",
        "kappa, forced",
        "agreement, decided",
        "kappa, decided",
        "abstained",
        "3-class agreement / kappa",
        "judgments/s",
    ):
        table.add_column(col)
    files = list(dict.fromkeys(r["file"] for r in rows))
    for spec in args.judge:
        verdicts, secs = judge_all(spec, rows)
        table.add_row(*_row(spec, figures(rows, verdicts), secs))
        if args.harm_col:
            console.print(f"[{spec}] {harm_figures(rows, verdicts)}")
        if len(files) > 1:
            for name in files:
                idx = [i for i, r in enumerate(rows) if r["file"] == name]
                sub = figures([rows[i] for i in idx], [verdicts[i] for i in idx])
                table.add_row(*_row(f"  {spec} / {name}", sub, None))
        shown = 0
        for r, v in zip(rows, verdicts, strict=True):
            if shown >= args.errors:
                break
            got = v.details.get("refusal")
            if binary(got) != binary(r["label"]):
                shown += 1
                console.print(
                    f"[{spec}] human={r['label']} judge={got} ({v.label}) :: "
                    f"{r['prompt'][:60]!r} -> {r['response'][:150]!r}"
                )
    console.print(table)


if __name__ == "__main__":
    main()
