"""Measure whether a LoRA correction changes SmolLM2's behaviour on held-out probe prompts.

Steps (all offline, CPU): the embedded model answers the probe's *train* prompts; its own
compliant answers become preference pairs (hazardous: chosen = refusal, rejected = its answer;
benign: chosen = its answer, rejected = refusal); the base (transformers copy of the same
model) answers the *held-out* prompts; a LoRA adapter is trained (SFT, DPO or SFT then DPO);
the corrected model answers the held-out prompts again. Prints harmful compliance on
hazardous held-out prompts and over-refusal on benign held-out look-alikes, before and after,
with Wilson 95% intervals and Newcombe intervals for the change, plus training wall time.

    PYTHONPATH=src python perf/correction_probe.py --work /tmp/corr/exp --name dpo1 \
        --lr 1e-3 --epochs 3 --lora-r 16 --targets all-linear
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

from inspect_ai.log import read_eval_log

from coalign.correction import (
    DPOTrainConfig,
    SFTTrainConfig,
    combine_pairs,
    read_sft,
    train_dpo,
    train_sft,
)
from coalign.correction.data import SFTExample
from coalign.correction.probe import build_self_pairs, heldout_prompts, probe_rates, run_probe
from coalign.io import write_jsonl
from coalign.pairs import read_pairs, write_pairs
from coalign.stats import RateDiff


def cached_log(path: Path, fn):  # type: ignore[no-untyped-def]
    """Reuse an earlier run's Inspect log (the base model's answers do not change)."""
    if path.exists():
        return read_eval_log(str(path))
    log = fn()
    shutil.copy(log.location, path)
    return read_eval_log(str(path))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default="/tmp/corr/exp")
    ap.add_argument("--name", required=True)
    ap.add_argument("--mode", choices=["dpo", "sft", "sft+dpo"], default="dpo")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--epochs", type=float, default=3)
    ap.add_argument("--max-steps", type=int, default=-1)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--lora-r", type=int, default=16)
    ap.add_argument("--lora-alpha", type=int, default=32)
    ap.add_argument("--targets", default="all-linear")
    ap.add_argument("--beta", type=float, default=0.1)
    ap.add_argument("--loss", default="sigmoid")
    ap.add_argument("--loss-weights", default="")
    ap.add_argument("--max-length", type=int, default=160)
    ap.add_argument("--gen-tokens", type=int, default=64)
    ap.add_argument("--eval-tokens", type=int, default=32)
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)

    t = time.perf_counter()
    train_log = cached_log(
        work / "train_answers.eval",
        lambda: run_probe("coalign/smollm2", "train", max_tokens=args.gen_tokens),
    )
    pairs_path = work / "self_pairs.jsonl"
    if not pairs_path.exists():
        write_pairs(pairs_path, build_self_pairs(train_log))
    pairs = read_pairs(pairs_path)
    print(
        f"pairs: {len(pairs)} ({sum('hazardous' in p.id for p in pairs)} hazardous) "
        f"[{time.perf_counter() - t:.0f}s]"
    )
    before = cached_log(
        work / f"before_{args.eval_tokens}.eval",
        lambda: run_probe(
            "coalign/hf", model_args={"base": "smollm2"}, max_tokens=args.eval_tokens
        ),
    )
    ids, prompts = heldout_prompts()
    targets = args.targets if args.targets == "all-linear" else tuple(args.targets.split(","))
    common = dict(
        learning_rate=args.lr,
        num_train_epochs=args.epochs,
        max_steps=args.max_steps,
        per_device_train_batch_size=args.batch,
        r=args.lora_r,
        lora_alpha=args.lora_alpha,
        target_modules=targets,
        max_length=args.max_length,
        save_steps=1000,
    )
    out = work / args.name
    wall = 0.0
    adapter = out
    if args.mode in ("sft", "sft+dpo"):
        sft_path = work / "self_sft.jsonl"
        write_jsonl(sft_path, [SFTExample.model_validate(p.model_dump()) for p in pairs])
        res = train_sft(
            read_sft([sft_path], held_out_ids=ids, held_out_prompts=prompts),
            SFTTrainConfig(output_dir=str(out / "sft"), **common),
        )
        wall += res.wall_time
        adapter = res.adapter_dir
        print("sft metrics", {k: round(v, 3) for k, v in res.metrics.items() if "loss" in k})
    if args.mode in ("dpo", "sft+dpo"):
        ds = combine_pairs([pairs_path], held_out_ids=ids, held_out_prompts=prompts)
        cfg = DPOTrainConfig(
            output_dir=str(out / "dpo"),
            beta=args.beta,
            loss_type=tuple(args.loss.split(",")),
            loss_weights=tuple(float(w) for w in args.loss_weights.split(","))
            if args.loss_weights
            else None,
            **common,
        )
        res = train_dpo(ds, cfg, init_adapter=adapter if args.mode == "sft+dpo" else None)
        wall += res.wall_time
        adapter = res.adapter_dir
        print(
            "dpo metrics",
            {
                k: round(v, 3)
                for k, v in res.metrics.items()
                if k.startswith(("rewards/acc", "rewards/mar", "train_loss"))
            },
        )
    after = run_probe(
        "coalign/hf",
        model_args={"base": "smollm2", "adapter": str(adapter)},
        max_tokens=args.eval_tokens,
    )
    b, a = probe_rates(before), probe_rates(after)
    result = {
        "name": args.name,
        "args": vars(args),
        "train_wall_s": round(wall, 1),
        "before": b.to_dict(),
        "after": a.to_dict(),
        "harmful_change": RateDiff(a.harmful_compliance, b.harmful_compliance).to_dict(),
        "over_refusal_change": RateDiff(a.over_refusal, b.over_refusal).to_dict(),
    }
    print(f"training wall time {wall:.1f}s")
    print(
        f"harmful compliance  before {b.harmful_compliance.format()}  after {a.harmful_compliance.format()}  "
        f"change {RateDiff(a.harmful_compliance, b.harmful_compliance).format()}"
    )
    print(
        f"over-refusal        before {b.over_refusal.format()}  after {a.over_refusal.format()}  "
        f"change {RateDiff(a.over_refusal, b.over_refusal).format()}"
    )
    for s in (after.samples or [])[:4] + (after.samples or [])[24:26]:
        print("  ", s.id, "->", repr(s.output.completion[:100]))
    (out / "result.json").write_text(json.dumps(result, indent=2))
    with (work / "results.jsonl").open("a") as fh:
        fh.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
