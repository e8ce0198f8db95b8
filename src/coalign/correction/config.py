"""Training configurations, validated on construction (before any model or data loads).

The defaults are the recipe measured in ``docs/correction.md`` for the embedded SmolLM2-135M
on 2 CPU cores: LoRA on every linear layer, a high learning rate and a few epochs, because the
first try (LoRA r=8 on q/v, lr 5e-4, one epoch) fitted its training pairs without changing the
model's greedy answers.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

KNOWN_DPO_LOSSES = (
    "sigmoid",
    "hinge",
    "ipo",
    "exo_pair",
    "nca_pair",
    "robust",
    "bco_pair",
    "sppo_hard",
    "aot",
    "aot_unpaired",
    "apo_zero",
    "apo_down",
    "discopop",
    "sft",
    "sigmoid_norm",
)


class ConfigError(ValueError):
    """A training configuration with impossible values; lists every problem at once."""

    def __init__(self, kind: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"invalid {kind}:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass
class _LoRATrainConfig:
    """Fields shared by DPO and SFT training (LoRA, optimiser, schedule, I/O)."""

    output_dir: str = "runs/correction"
    base: str = "smollm2"
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.0
    target_modules: tuple[str, ...] | str = "all-linear"
    learning_rate: float = 1e-3
    num_epochs: float = 3.0
    max_steps: int = -1
    batch_size: int = 4
    grad_accum: int = 1
    # persona-conditioned values pairs run to ~260 tokens; shorter limits cut their responses
    max_length: int = 320
    warmup_ratio: float = 0.0
    weight_decay: float = 0.0
    seed: int = 0
    save_steps: int = 10
    save_total_limit: int = 2
    logging_steps: int = 1

    def __post_init__(self) -> None:
        if isinstance(self.target_modules, list):
            self.target_modules = tuple(self.target_modules)
        problems = self._problems()
        if problems:
            raise ConfigError(type(self).__name__, problems)

    def _problems(self) -> list[str]:
        p: list[str] = []

        def positive_int(name: str) -> None:
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                p.append(f"{name} must be a positive integer, got {v!r}")

        for name in ("lora_r", "lora_alpha", "batch_size", "grad_accum", "max_length"):
            positive_int(name)
        for name in ("save_steps", "save_total_limit", "logging_steps"):
            positive_int(name)
        if isinstance(self.max_length, int) and 0 < self.max_length < 16:
            p.append(
                f"max_length must be at least 16 tokens to hold a prompt and reply, got {self.max_length}"
            )
        if not (0.0 <= self.lora_dropout < 1.0):
            p.append(f"lora_dropout must be in [0, 1), got {self.lora_dropout!r}")
        if not (math.isfinite(self.learning_rate) and 0.0 < self.learning_rate < 1.0):
            p.append(f"learning_rate must be in (0, 1), got {self.learning_rate!r}")
        if not (math.isfinite(self.num_epochs) and self.num_epochs > 0):
            p.append(f"num_epochs must be > 0, got {self.num_epochs!r}")
        if not isinstance(self.max_steps, int) or (self.max_steps < 1 and self.max_steps != -1):
            p.append(
                f"max_steps must be a positive integer or -1 (use num_epochs), got {self.max_steps!r}"
            )
        if not (0.0 <= self.warmup_ratio < 1.0):
            p.append(f"warmup_ratio must be in [0, 1), got {self.warmup_ratio!r}")
        if self.weight_decay < 0:
            p.append(f"weight_decay must be >= 0, got {self.weight_decay!r}")
        if not isinstance(self.seed, int) or self.seed < 0:
            p.append(f"seed must be a non-negative integer, got {self.seed!r}")
        tm = self.target_modules
        if isinstance(tm, str):
            if not tm.strip():
                p.append("target_modules must not be empty (e.g. 'all-linear' or q_proj,v_proj)")
        elif not tm or not all(isinstance(t, str) and t.strip() for t in tm):
            p.append(f"target_modules must be 'all-linear' or non-empty module names, got {tm!r}")
        if not str(self.output_dir).strip():
            p.append("output_dir must not be empty")
        if not str(self.base).strip():
            p.append("base must name a model ('smollm2', a directory or a hub id)")
        return p

    @property
    def out(self) -> Path:
        """The output directory as a Path."""
        return Path(self.output_dir)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the manifest (tuples as lists)."""
        d = asdict(self)
        if isinstance(d["target_modules"], tuple):
            d["target_modules"] = list(d["target_modules"])
        return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}

    @classmethod
    def field_names(cls) -> list[str]:
        """Names of every configurable field."""
        return [f.name for f in fields(cls)]

    def lora_targets(self) -> str | list[str]:
        """``target_modules`` as PEFT wants it."""
        tm = self.target_modules
        return tm if isinstance(tm, str) else list(tm)


@dataclass
class DPOTrainConfig(_LoRATrainConfig):
    """LoRA-DPO training (TRL ``DPOTrainer``): every field is checked when the object is made.

    ``loss_type`` accepts TRL's DPO losses; ``("sigmoid", "sft")`` with ``loss_weights``
    adds a likelihood term on the chosen responses (RPO), which moves greedy answers more than
    the pure preference loss on small data. ``precompute_ref_log_probs`` scores the reference
    (the base with the adapter disabled) once before training instead of at every step.
    """

    output_dir: str = "runs/dpo"
    beta: float = 0.1
    loss_type: tuple[str, ...] = ("sigmoid",)
    loss_weights: tuple[float, ...] | None = None
    precompute_ref_log_probs: bool = True

    def _problems(self) -> list[str]:
        if isinstance(self.loss_type, str):
            self.loss_type = tuple(t.strip() for t in self.loss_type.split(",") if t.strip())
        self.loss_type = tuple(self.loss_type)
        if self.loss_weights is not None:
            self.loss_weights = tuple(float(w) for w in self.loss_weights)
        p = super()._problems()
        if not (math.isfinite(self.beta) and self.beta > 0):
            p.append(f"beta must be > 0, got {self.beta!r}")
        if not self.loss_type:
            p.append("loss_type must name at least one DPO loss")
        unknown = [t for t in self.loss_type if t not in KNOWN_DPO_LOSSES]
        if unknown:
            p.append(f"unknown loss_type {unknown}; known: {', '.join(KNOWN_DPO_LOSSES)}")
        if self.loss_weights is not None:
            if len(self.loss_weights) != len(self.loss_type):
                p.append(
                    f"loss_weights has {len(self.loss_weights)} values for "
                    f"{len(self.loss_type)} loss types"
                )
            if any(not math.isfinite(w) or w < 0 for w in self.loss_weights):
                p.append(f"loss_weights must be finite and >= 0, got {list(self.loss_weights)}")
        return p


@dataclass
class SFTTrainConfig(_LoRATrainConfig):
    """LoRA supervised fine-tuning on corrected responses (TRL ``SFTTrainer``).

    The loss is on the completion tokens only, so the model learns the corrected answers, not
    to reproduce the prompts.
    """

    output_dir: str = "runs/sft"
    completion_only_loss: bool = True
