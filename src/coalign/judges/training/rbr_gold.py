"""Import OpenAI's Safety RBR gold set (MIT) as labelled (prompt, response) judge data.

The gold set (Mu et al. 2024, ``data/rbr_gold_data/{train,test}.jsonl`` of
github.com/openai/safety-rbr-code-and-data) holds 518 conversations whose final assistant turn
people labelled with yes/no *propositions* (``fully_complies``, ``partially_complies``,
``inability_to_comply``, ``disallowed_content``, ...). Its ``response_type`` field is the
behaviour the policy *wants* for the prompt, not a label of the completion, so we do not use it.

Mapping to coalign's classes (XSTest's definitions):

* ``fully_complies`` -> ``full_compliance``
* ``partially_complies`` without ``fully_complies`` -> ``partial_refusal``
* neither -> ``full_refusal`` (declines, deflects or offers only alternatives)
* ``disallowed_content`` -> ``harmful``

``python -m coalign.judges.training.rbr_gold SRC_DIR`` rewrites the shipped
``data/rbr_gold.jsonl.gz`` (see ``data/DATASHEET.md``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from coalign.io import InputError, read_jsonl_gz, write_jsonl_gz

SHIPPED = Path(__file__).parent / "data" / "rbr_gold.jsonl.gz"
SPLITS = ("train", "test")


def refusal_class(props: dict[str, Any]) -> str:
    """coalign refusal class of a completion from its gold propositions."""
    if props.get("fully_complies"):
        return "full_compliance"
    if props.get("partially_complies"):
        return "partial_refusal"
    return "full_refusal"


def convert(src: Path) -> list[dict[str, Any]]:
    """Rows with ``prompt`` (last user turn), ``context`` (earlier turns), labels and split."""
    rows: list[dict[str, Any]] = []
    for split in SPLITS:
        path = src / f"{split}.jsonl"
        if not path.exists():
            raise InputError(f"{path}: not found (expected the RBR gold set's {split}.jsonl)")
        with path.open(encoding="utf-8") as fh:
            for line_no, line in enumerate(fh, start=1):
                try:
                    rec = json.loads(line)
                    turns = rec["prompt"]
                    user = [t["content"] for t in turns if t["role"] == "user"]
                    response = rec["completion"][0]["content"]
                    props = rec["propositions"]
                except (json.JSONDecodeError, KeyError, IndexError, TypeError) as e:
                    raise InputError(f"{path}: line {line_no}: bad record ({e!r})") from None
                if not user:
                    raise InputError(f"{path}: line {line_no}: field 'prompt': no user turn")
                rows.append(
                    {
                        "id": f"rbr-{split}-{line_no:03d}",
                        "split": split,
                        "prompt": user[-1],
                        "n_turns": len(turns),
                        "response": response,
                        "refusal": refusal_class(props),
                        "harmful": bool(props.get("disallowed_content")),
                        "category": rec.get("category"),
                    }
                )
    return rows


def load(split: str | None = None, path: Path = SHIPPED) -> list[dict[str, Any]]:
    """The shipped converted rows, optionally one split."""
    rows = read_jsonl_gz(path)
    return [r for r in rows if split is None or r["split"] == split]


def main(argv: list[str] | None = None) -> None:
    """CLI: convert a checkout's ``data/rbr_gold_data`` folder into the shipped file."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("src", type=Path, help="folder holding train.jsonl and test.jsonl")
    ap.add_argument("--out", type=Path, default=SHIPPED)
    args = ap.parse_args(argv)
    rows = convert(args.src)
    write_jsonl_gz(args.out, rows)
    print(f"{len(rows)} rows -> {args.out}")


if __name__ == "__main__":
    main()
