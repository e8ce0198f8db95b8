"""``coalign align dpo|sft``: train a LoRA correction from preference pairs or corrected answers."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from coalign.correction.config import ConfigError, DPOTrainConfig, SFTTrainConfig

align_app = typer.Typer(
    help="Correct a model: LoRA-DPO on preference pairs, LoRA-SFT on corrected responses.",
    no_args_is_help=True,
)
console = Console(stderr=True)

_BASE = typer.Option("smollm2", "--base", help="'smollm2' (embedded), a transformers dir or hub id")
_OUT = typer.Option(..., "--out", help="output directory: adapter, manifest.json, checkpoints/")
_HELD = typer.Option(
    None,
    "--held-out",
    help="JSONL of held-out evaluation items (id/item_id, prompt/input); training refuses "
    "any example with the same item id or prompt. Repeatable.",
)


def _targets(value: str) -> str | tuple[str, ...]:
    return (
        value if value == "all-linear" else tuple(t.strip() for t in value.split(",") if t.strip())
    )


def _held_out(files: list[Path] | None) -> tuple[list[str], list[str]]:
    from coalign.correction.data import held_out_from_jsonl

    ids: list[str] = []
    prompts: list[str] = []
    for f in files or []:
        i, p = held_out_from_jsonl(f)
        ids += i
        prompts += p
    return ids, prompts


def _finish(result: object) -> None:
    from coalign.correction.train import TrainResult

    assert isinstance(result, TrainResult)
    m = result.metrics
    console.print(
        f"[green]adapter saved[/green] in {result.adapter_dir} "
        f"({result.wall_time:.1f}s, {m.get('global_step', 0)} steps"
        + (f", resumed from {result.resumed_from}" if result.resumed_from else "")
        + ")"
    )
    shown = {k: round(v, 4) for k, v in m.items() if k.endswith("/last") or k == "train_loss"}
    console.print_json(json.dumps(shown))
    name, args = result.model_spec()
    margs = " ".join(f"-M {k}={v}" for k, v in args.items())
    console.print(f"evaluate it with: inspect eval <task> --model {name} {margs}")


def _fail(e: Exception) -> None:
    console.print(f"[red]error:[/red] {escape(str(e))}", soft_wrap=True)
    raise typer.Exit(2)


@align_app.command("dpo")
def dpo_cmd(
    pairs: list[Path] = typer.Argument(
        ..., help="preference-pair JSONL file(s) (coalign.pairs format)"
    ),
    base: str = _BASE,
    out: Path = _OUT,
    held_out: list[Path] | None = _HELD,
    beta: float = typer.Option(0.1, help="DPO beta (strength of the pull towards the base)"),
    loss: str = typer.Option(
        "sigmoid", help="TRL DPO loss type(s), comma-separated, e.g. sigmoid,sft"
    ),
    loss_weights: str = typer.Option("", help="weights for the loss types, comma-separated"),
    lora_r: int = typer.Option(16, help="LoRA rank"),
    lora_alpha: int = typer.Option(32, help="LoRA alpha"),
    lora_dropout: float = typer.Option(0.0, help="LoRA dropout"),
    targets: str = typer.Option("all-linear", help="'all-linear' or module names, comma-separated"),
    lr: float = typer.Option(1e-3, "--lr", help="learning rate"),
    epochs: float = typer.Option(3.0, help="epochs (ignored when --max-steps is set)"),
    max_steps: int = typer.Option(-1, help="optimiser steps (-1: use --epochs)"),
    batch_size: int = typer.Option(4, help="per-device batch size"),
    grad_accum: int = typer.Option(1, help="gradient accumulation steps"),
    max_length: int = typer.Option(320, help="max tokens of prompt + response"),
    seed: int = typer.Option(0, help="random seed"),
    save_steps: int = typer.Option(10, help="checkpoint every N steps"),
    precompute_ref: bool = typer.Option(
        True, "--precompute-ref/--no-precompute-ref", help="score the reference once up front"
    ),
    init_adapter: Path | None = typer.Option(
        None, help="continue training this adapter (e.g. SFT)"
    ),
    resume: bool = typer.Option(
        False, "--resume", help="continue from the last checkpoint in --out"
    ),
) -> None:
    """Train a LoRA adapter with DPO on preference pairs."""
    from coalign.correction.data import combine_pairs
    from coalign.correction.train import train_dpo

    try:
        config = DPOTrainConfig(
            output_dir=str(out), base=base, beta=beta,
            loss_type=tuple(t.strip() for t in loss.split(",") if t.strip()),
            loss_weights=tuple(float(w) for w in loss_weights.split(",")) if loss_weights else None,
            lora_r=lora_r, lora_alpha=lora_alpha, lora_dropout=lora_dropout,
            target_modules=_targets(targets), learning_rate=lr, num_epochs=epochs,
            max_steps=max_steps, batch_size=batch_size, grad_accum=grad_accum,
            max_length=max_length, seed=seed, save_steps=save_steps,
            precompute_ref_log_probs=precompute_ref,
        )  # fmt: skip
        ids, prompts = _held_out(held_out)
        ds = combine_pairs(pairs, held_out_ids=ids, held_out_prompts=prompts)
        console.print(f"{len(ds)} pairs from {len(ds.files)} file(s): {ds.provenance()['by_kind']}")
        result = train_dpo(ds, config, resume=resume, init_adapter=init_adapter)
    except (ConfigError, ValueError, RuntimeError) as e:
        _fail(e)
    _finish(result)


@align_app.command("sft")
def sft_cmd(
    data: list[Path] = typer.Argument(
        ..., help="JSONL with prompt + completion (or preference pairs: chosen is learnt)"
    ),
    base: str = _BASE,
    out: Path = _OUT,
    held_out: list[Path] | None = _HELD,
    lora_r: int = typer.Option(16, help="LoRA rank"),
    lora_alpha: int = typer.Option(32, help="LoRA alpha"),
    lora_dropout: float = typer.Option(0.0, help="LoRA dropout"),
    targets: str = typer.Option("all-linear", help="'all-linear' or module names, comma-separated"),
    lr: float = typer.Option(1e-3, "--lr", help="learning rate"),
    epochs: float = typer.Option(3.0, help="epochs (ignored when --max-steps is set)"),
    max_steps: int = typer.Option(-1, help="optimiser steps (-1: use --epochs)"),
    batch_size: int = typer.Option(4, help="per-device batch size"),
    grad_accum: int = typer.Option(1, help="gradient accumulation steps"),
    max_length: int = typer.Option(320, help="max tokens of prompt + response"),
    seed: int = typer.Option(0, help="random seed"),
    save_steps: int = typer.Option(10, help="checkpoint every N steps"),
    resume: bool = typer.Option(
        False, "--resume", help="continue from the last checkpoint in --out"
    ),
) -> None:
    """Train a LoRA adapter by supervised fine-tuning on corrected responses."""
    from coalign.correction.data import read_sft
    from coalign.correction.train import train_sft

    try:
        config = SFTTrainConfig(
            output_dir=str(out), base=base, lora_r=lora_r, lora_alpha=lora_alpha,
            lora_dropout=lora_dropout, target_modules=_targets(targets), learning_rate=lr,
            num_epochs=epochs, max_steps=max_steps, batch_size=batch_size,
            grad_accum=grad_accum, max_length=max_length, seed=seed, save_steps=save_steps,
        )  # fmt: skip
        ids, prompts = _held_out(held_out)
        ds = read_sft(data, held_out_ids=ids, held_out_prompts=prompts)
        console.print(
            f"{len(ds)} examples from {len(ds.files)} file(s): {ds.provenance()['by_kind']}"
        )
        result = train_sft(ds, config, resume=resume)
    except (ConfigError, ValueError, RuntimeError) as e:
        _fail(e)
    _finish(result)
