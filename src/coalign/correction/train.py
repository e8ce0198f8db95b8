"""LoRA-DPO and LoRA-SFT training with TRL, with checkpoints, resume and a manifest.

Order of work in :func:`train_dpo` / :func:`train_sft`, chosen so that every mistake the user
can make is reported before minutes of compute are spent:

1. the config validated itself on construction (:class:`~coalign.correction.config.ConfigError`);
2. the data is read whole, checked for held-out leakage and refused if empty;
3. the base model is resolved and loaded (:class:`~coalign.models.hf.BaseModelError`);
4. only then does training start, checkpointing every ``save_steps`` steps under
   ``<output_dir>/checkpoints``; ``resume=True`` continues from the newest checkpoint;
5. the adapter is saved in ``<output_dir>`` with ``manifest.json`` (base model, data hashes,
   config, metrics, wall time, library versions), written last and atomically, so a directory
   with a manifest always holds a complete adapter.
"""

from __future__ import annotations

import json
import os
import platform
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coalign._extras import require
from coalign.correction.config import DPOTrainConfig, SFTTrainConfig, _LoRATrainConfig
from coalign.correction.data import (
    PreferenceDataset,
    SFTDataset,
    SFTExample,
    combine_pairs,
    read_sft,
)
from coalign.io import atomic_writer
from coalign.models.hf import BaseModelError, apply_thread_setting, resolve_base
from coalign.pairs import PreferencePair

MANIFEST = "manifest.json"
RUN_FILE = "run.json"
CHECKPOINTS = "checkpoints"
TRAIN_LOG = "train_log.jsonl"


@dataclass
class TrainResult:
    """What a training run produced: the adapter directory, its metrics and wall time."""

    adapter_dir: Path
    metrics: dict[str, Any]
    wall_time: float
    manifest: dict[str, Any] = field(default_factory=dict)
    resumed_from: str | None = None

    def model_spec(self) -> tuple[str, dict[str, str]]:
        """Inspect model name and model_args to evaluate the corrected model."""
        return "coalign/hf", {
            "base": str(self.manifest.get("base", "smollm2")),
            "adapter": str(self.adapter_dir),
        }


TRAIN_MODULES = ("torch", "transformers", "peft", "trl", "datasets")
"""What training imports; all come with the ``train`` extra."""


def prepare_base(spec: str = "smollm2") -> Path:
    """A local, trainable transformers directory for ``spec`` (or a clear BaseModelError).

    ``smollm2`` is converted once from the embedded GGUF into the cache; a directory must hold a
    transformers model; a hub id must be in the local Hugging Face cache (offline use).
    """
    path = resolve_base(spec)
    p = Path(path)
    if p.exists():
        return p
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(path, local_files_only=not _online()))
    except Exception as e:
        raise BaseModelError(
            f"base model {spec!r} is neither 'smollm2', a local transformers directory, nor a "
            f"hub id available here: {e}"
        ) from e


def _online() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "") not in ("1", "true", "True")


def library_versions() -> dict[str, str]:
    """Versions of the libraries that shape a training run (for the manifest)."""
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for name in ("coalign", "torch", "transformers", "peft", "trl", "accelerate", "datasets"):
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _last_checkpoint(out: Path) -> Path | None:
    ckpt_root = out / CHECKPOINTS
    if not ckpt_root.is_dir():
        return None
    found = []
    for d in ckpt_root.iterdir():
        if d.is_dir() and d.name.startswith("checkpoint-") and (d / "trainer_state.json").exists():
            try:
                found.append((int(d.name.split("-")[1]), d))
            except ValueError:
                continue
    return max(found)[1] if found else None


def _fingerprint(kind: str, config: _LoRATrainConfig, data: dict[str, Any]) -> dict[str, Any]:
    cfg = config.to_dict()
    cfg.pop("output_dir", None)
    # Checkpoint cadence does not change what is learned, so a resume may alter it.
    for k in ("save_steps", "save_total_limit", "logging_steps"):
        cfg.pop(k, None)
    return {"kind": kind, "config": cfg, "data": data}


def _check_resume(out: Path, fp: dict[str, Any], resume: bool) -> Path | None:
    """The checkpoint to resume from; refuses to mix runs with different config or data."""
    run_file = out / RUN_FILE
    last = _last_checkpoint(out)
    if run_file.exists() and (resume or last is not None):
        previous = json.loads(run_file.read_text(encoding="utf-8"))
        if previous != fp:
            if not resume:
                return None
            diff = sorted(
                k
                for k in set(previous.get("config", {})) | set(fp["config"])
                if previous.get("config", {}).get(k) != fp["config"].get(k)
            )
            what = f"config fields {diff}" if diff else "training data or kind"
            raise ValueError(
                f"cannot resume in {out}: its checkpoints come from a run with different {what}; "
                "use a new --out directory or drop --resume"
            )
    return last if resume else None


def _torch_device_args() -> dict[str, Any]:
    import torch

    if torch.cuda.is_available():
        return {"bf16": bool(torch.cuda.is_bf16_supported()), "fp16": False}
    # On CPU, float32 is both faster and exact; TRL's default bf16 would silently cast.
    return {"bf16": False, "fp16": False, "use_cpu": True}


def _common_args(config: _LoRATrainConfig, progress: bool) -> dict[str, Any]:
    return {
        "output_dir": str(config.out / CHECKPOINTS),
        "learning_rate": config.learning_rate,
        "num_train_epochs": config.num_train_epochs,
        "max_steps": config.max_steps,
        "per_device_train_batch_size": config.per_device_train_batch_size,
        "gradient_accumulation_steps": config.gradient_accumulation_steps,
        "max_length": config.max_length,
        # transformers 5 reads a float in [0, 1) as a ratio of the total steps.
        "warmup_steps": config.warmup_steps,
        "weight_decay": config.weight_decay,
        "seed": config.seed,
        "data_seed": config.seed,
        "save_strategy": "steps",
        "save_steps": config.save_steps,
        "save_total_limit": config.save_total_limit,
        "logging_steps": config.logging_steps,
        "report_to": [],
        "gradient_checkpointing": False,  # recomputation costs more than it saves at this size
        "disable_tqdm": True,  # our Rich bar (or silence) replaces HF's tqdm bar
        "dataloader_num_workers": 0,
        "lr_scheduler_type": "linear",
        **_torch_device_args(),
    }


def _lora_config(config: _LoRATrainConfig) -> Any:
    from peft import LoraConfig

    return LoraConfig(
        r=config.r,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=config.lora_targets(),
        bias="none",
        task_type="CAUSAL_LM",
    )


def _load_base(spec: str, init_adapter: str | os.PathLike[str] | None) -> tuple[Any, Any, Path]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    apply_thread_setting()
    path = prepare_base(spec)
    try:
        tok: Any = AutoTokenizer.from_pretrained(path)
        model: Any = AutoModelForCausalLM.from_pretrained(path)
    except Exception as e:
        raise BaseModelError(f"cannot load base model {spec!r} from {path}: {e}") from e
    if init_adapter is not None:
        if not (Path(init_adapter) / "adapter_config.json").exists():
            raise BaseModelError(
                f"init adapter {str(init_adapter)!r}: no adapter_config.json there"
            )
        from peft import PeftModel

        # Continue training this adapter (e.g. SFT then DPO); the reference stays the base model.
        model = PeftModel.from_pretrained(model, str(init_adapter), is_trainable=True)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return model, tok, path


def _summarise(log_history: list[dict[str, Any]], train_output: Any) -> dict[str, Any]:
    """Final and mean values of the logged training metrics."""
    steps = [h for h in log_history if "loss" in h]
    metrics: dict[str, Any] = {}
    if steps:
        keys = sorted({k for h in steps for k in h if isinstance(h[k], int | float)})
        for k in keys:
            vals = [float(h[k]) for h in steps if k in h]
            if k in ("epoch", "step", "grad_norm", "learning_rate"):
                continue
            metrics[f"{k}/first"] = vals[0]
            metrics[f"{k}/last"] = vals[-1]
    summary = getattr(train_output, "metrics", {}) or {}
    for k in ("train_loss", "train_runtime", "train_samples_per_second", "epoch"):
        if k in summary:
            metrics[k] = float(summary[k])
    metrics["global_step"] = int(getattr(train_output, "global_step", 0))
    return metrics


def count_truncated(dataset: Any, max_length: int) -> int:
    """Examples of a tokenized TRL dataset that ``max_length`` would cut (TRL keeps the start,
    so what is lost is the end of the response: the part the preference is about)."""
    cols = set(getattr(dataset, "column_names", None) or [])
    if {"prompt_ids", "chosen_ids", "rejected_ids"} <= cols:
        return sum(
            len(p) + max(len(c), len(r)) > max_length
            for p, c, r in zip(
                dataset["prompt_ids"], dataset["chosen_ids"], dataset["rejected_ids"], strict=True
            )
        )
    if "input_ids" in cols:
        return sum(len(ids) > max_length for ids in dataset["input_ids"])
    return 0


def _write_manifest(
    out: Path,
    kind: str,
    config: _LoRATrainConfig,
    base_path: Path,
    data: dict[str, Any],
    metrics: dict[str, Any],
    wall: float,
    resumed_from: str | None,
) -> dict[str, Any]:
    manifest = {
        "kind": kind,
        "base": config.base,
        "base_path": str(base_path),
        "adapter_dir": str(out),
        "data": data,
        "config": config.to_dict(),
        "metrics": metrics,
        "wall_time_s": round(wall, 3),
        "resumed_from": resumed_from,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "versions": library_versions(),
        "model_spec": {
            "model": "coalign/hf",
            "model_args": {"base": config.base, "adapter": str(out)},
        },
    }
    with atomic_writer(out / MANIFEST) as fh:
        json.dump(manifest, fh, indent=2)
    return manifest


def _run(
    kind: str,
    trainer_factory: Any,
    config: _LoRATrainConfig,
    data_provenance: dict[str, Any],
    resume: bool,
    progress: bool,
    t0: float,
    init_adapter: str | os.PathLike[str] | None = None,
    extra_callbacks: Sequence[Any] = (),
) -> TrainResult:
    for module in TRAIN_MODULES:  # say which extra is missing before anything is loaded
        require(module, "train", f"LoRA {kind.upper()} training")
    out = config.out
    fp = _fingerprint(kind, config, data_provenance)
    fp["init_adapter"] = str(init_adapter) if init_adapter else None
    resume_from = _check_resume(out, fp, resume)
    # Only now, with config and data checked, is the (possibly large) base model loaded.
    model, tok, base_path = _load_base(config.base, init_adapter)
    from transformers import set_seed

    set_seed(config.seed)
    out.mkdir(parents=True, exist_ok=True)
    (out / MANIFEST).unlink(missing_ok=True)  # a stale manifest must not describe a new adapter
    with atomic_writer(out / RUN_FILE) as fh:
        json.dump(fp, fh, indent=2)
    callbacks = [RichProgress(f"{kind.upper()} training")] if progress else []
    callbacks.append(JsonlLog(out / TRAIN_LOG))
    callbacks += list(extra_callbacks)
    trainer = trainer_factory(model, tok, callbacks)
    truncated = count_truncated(trainer.train_dataset, config.max_length)
    if truncated:
        warnings.warn(
            f"{truncated} of {len(trainer.train_dataset)} training examples are longer than "
            f"max_length={config.max_length} tokens and lose the end of their responses; "
            "raise max_length to train on them whole",
            stacklevel=2,
        )
    from transformers.trainer_callback import PrinterCallback

    trainer.remove_callback(PrinterCallback)  # it prints raw log dicts once tqdm is off
    result = trainer.train(resume_from_checkpoint=str(resume_from) if resume_from else None)
    trainer.model.save_pretrained(str(out))
    tok.save_pretrained(str(out))
    metrics = _summarise(trainer.state.log_history, result)
    metrics["truncated_examples"] = truncated
    wall = time.perf_counter() - t0
    manifest = _write_manifest(
        out,
        kind,
        config,
        base_path,
        data_provenance,
        metrics,
        wall,
        str(resume_from) if resume_from else None,
    )
    return TrainResult(
        adapter_dir=out,
        metrics=metrics,
        wall_time=wall,
        manifest=manifest,
        resumed_from=str(resume_from) if resume_from else None,
    )


def train_dpo(
    pairs: PreferenceDataset | Sequence[str | os.PathLike[str] | PreferencePair],
    config: DPOTrainConfig | None = None,
    *,
    held_out_ids: Sequence[str] = (),
    held_out_prompts: Sequence[str] = (),
    resume: bool = False,
    progress: bool = True,
    init_adapter: str | os.PathLike[str] | None = None,
    callbacks: Sequence[Any] = (),
) -> TrainResult:
    """Train a LoRA adapter with DPO on preference pairs; returns where it is and how it went.

    ``pairs`` is a :class:`PreferenceDataset` or a list of pair files / pairs. Held-out item ids
    and prompts are checked for leakage (again, if a dataset was given) before the model loads.
    ``init_adapter`` continues training an existing adapter (e.g. an SFT one) instead of
    starting a fresh LoRA; the DPO reference is still the base model without any adapter.
    """
    t0 = time.perf_counter()
    config = config or DPOTrainConfig()
    ds = pairs if isinstance(pairs, PreferenceDataset) else combine_pairs(pairs)
    ds.check_no_leakage(held_out_ids, held_out_prompts)
    ds.require_nonempty()

    def factory(model: Any, tok: Any, callbacks: list[Any]) -> Any:
        from datasets import Dataset
        from trl import DPOConfig, DPOTrainer

        args = DPOConfig(
            **_common_args(config, progress),
            beta=config.beta,
            loss_type=list(config.loss_type),
            loss_weights=list(config.loss_weights) if config.loss_weights else None,
            precompute_ref_log_probs=config.precompute_ref_log_probs,
        )
        return DPOTrainer(
            model=model,
            args=args,
            train_dataset=Dataset.from_list(ds.to_trl()),
            processing_class=tok,
            peft_config=None if init_adapter else _lora_config(config),
            callbacks=callbacks,
        )

    return _run(
        "dpo", factory, config, ds.provenance(), resume, progress, t0, init_adapter, callbacks
    )


def train_sft(
    examples: SFTDataset | Sequence[str | os.PathLike[str] | SFTExample | PreferencePair],
    config: SFTTrainConfig | None = None,
    *,
    held_out_ids: Sequence[str] = (),
    held_out_prompts: Sequence[str] = (),
    resume: bool = False,
    progress: bool = True,
    init_adapter: str | os.PathLike[str] | None = None,
    callbacks: Sequence[Any] = (),
) -> TrainResult:
    """Train a LoRA adapter by supervised fine-tuning on (human-corrected) responses."""
    t0 = time.perf_counter()
    config = config or SFTTrainConfig()
    ds = examples if isinstance(examples, SFTDataset) else read_sft(examples)
    ds.check_no_leakage(held_out_ids, held_out_prompts)
    ds.require_nonempty()

    def factory(model: Any, tok: Any, callbacks: list[Any]) -> Any:
        from datasets import Dataset
        from trl import SFTConfig, SFTTrainer

        args = SFTConfig(
            **_common_args(config, progress),
            completion_only_loss=config.completion_only_loss,
        )
        return SFTTrainer(
            model=model,
            args=args,
            train_dataset=Dataset.from_list(ds.to_trl()),
            processing_class=tok,
            peft_config=None if init_adapter else _lora_config(config),
            callbacks=callbacks,
        )

    return _run(
        "sft", factory, config, ds.provenance(), resume, progress, t0, init_adapter, callbacks
    )


def _make_rich_progress() -> type:
    from transformers import TrainerCallback

    class _RichProgress(TrainerCallback):  # type: ignore[misc]
        """A Rich progress bar over optimiser steps, showing the latest loss."""

        def __init__(self, title: str) -> None:
            self.title = title
            self._progress: Any = None
            self._task: Any = None

        def on_train_begin(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[info]}"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                transient=False,
            )
            self._progress.start()
            self._task = self._progress.add_task(
                self.title, total=state.max_steps, completed=state.global_step, info=""
            )

        def on_step_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            if self._progress is not None:
                self._progress.update(self._task, completed=state.global_step)

        def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kw: Any) -> None:
            if self._progress is not None and logs:
                parts = [f"loss {logs['loss']:.3f}"] if "loss" in logs else []
                for key in ("rewards/accuracies", "rewards/margins"):
                    if key in logs:
                        parts.append(f"{key.split('/')[1][:3]} {float(logs[key]):.2f}")
                if parts:
                    self._progress.update(self._task, info=" ".join(parts))

        def on_train_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            if self._progress is not None:
                self._progress.stop()
                self._progress = None

    return _RichProgress


def JsonlLog(path: Path) -> Any:  # noqa: N802 - reads as a class at call sites
    """A TrainerCallback appending every logged metrics dict (with step and time) to ``path``.

    Lets a run be followed from another shell (``tail -f``) when no terminal shows the bar.
    """
    from transformers import TrainerCallback

    from coalign.io import append_jsonl

    class _JsonlLog(TrainerCallback):  # type: ignore[misc]
        def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kw: Any) -> None:
            if logs:
                with path.open("a", encoding="utf-8") as fh:
                    append_jsonl(
                        fh,
                        {"step": state.global_step, "max_steps": state.max_steps,
                         "time": round(time.time(), 1), **logs},
                    )  # fmt: skip

    return _JsonlLog()


def RichProgress(title: str) -> Any:  # noqa: N802 - reads as a class at call sites
    """A transformers TrainerCallback that draws a Rich progress bar."""
    return _make_rich_progress()(title)
