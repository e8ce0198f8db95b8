"""Training configurations, validated on construction (before any model or data loads).

Field names are TRL's (``DPOConfig``/``SFTConfig``, i.e. transformers' ``TrainingArguments``)
and PEFT's (``LoraConfig``) wherever those libraries have the field, so a setting reads the same
in Python, in a YAML config file (keys = field names), on the command line
(``--<field-name-with-dashes>``) and in TRL's documentation. Each field's help text is in its
metadata; ``coalign align`` generates its options from the fields.

The defaults are the recipe measured in ``docs/correction.md`` for the embedded SmolLM2-135M
on 2 CPU cores: LoRA on every linear layer, a high learning rate and a few epochs, because the
first try (LoRA r=8 on q/v, lr 5e-4, one epoch) fitted its training pairs without changing the
model's greedy answers.
"""

from __future__ import annotations

import math
import os
import types
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Self, Union, get_args, get_origin, get_type_hints

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
    """A training configuration with impossible values; lists every problem at once.

    ``problems`` holds ``(field, message)`` pairs; ``where`` says where a field's value was
    set (``"cfg.yaml, key 'beta'"``, ``"--beta"``) so the message points at it.
    """

    def __init__(
        self,
        kind: str,
        problems: Sequence[tuple[str, str]],
        where: Mapping[str, str] | None = None,
    ) -> None:
        self.kind = kind
        self.items = list(problems)
        self.where = dict(where or {})
        self.fields = [name for name, _ in self.items]
        self.problems = [message for _, message in self.items]
        lines = [
            f"{self.where[name]}: {message}" if name in self.where else message
            for name, message in self.items
        ]
        super().__init__(f"invalid {kind}:\n" + "\n".join(f"  - {line}" for line in lines))


_OUTPUT_DIR_HELP = "output directory: adapter, manifest.json, checkpoints/"


def _option(default: Any, help: str, **metadata: Any) -> Any:
    """A dataclass field carrying its help text (shown by ``coalign align ... --help``)."""
    return field(default=default, metadata={"help": help, **metadata})


def read_config_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The mapping of a YAML config file (``{}`` when empty); ConfigError naming the file."""
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise ConfigError("config file", [("", f"{path}: cannot read it: {e}")]) from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise ConfigError(
            "config file", [("", f"{path}: must be a mapping of field names to values")]
        )
    return data


def _is_union(hint: Any) -> bool:
    return get_origin(hint) in (Union, types.UnionType)


def _coerce(hint: Any, value: Any) -> Any:
    """``value`` (from YAML or parsed command-line text) as the field type ``hint``.

    Raises TypeError/ValueError when it cannot be one; numbers written as text ("1e-3", which
    YAML reads as a string) are accepted for number fields, lists become tuples.
    """
    if _is_union(hint):
        alternatives = get_args(hint)
        if value is None and type(None) in alternatives:
            return None
        if str in alternatives and isinstance(value, str):
            return value
        for alt in alternatives:
            if get_origin(alt) is tuple:
                return _coerce(alt, value)
        raise TypeError(value)
    if get_origin(hint) is tuple:
        element = get_args(hint)[0]
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list | tuple):
            raise TypeError(value)
        return tuple(_coerce(element, v) for v in value)
    if isinstance(value, bool) != (hint is bool):
        raise TypeError(value)
    if hint is bool or (hint is str and isinstance(value, str)):
        return value
    if hint is int and isinstance(value, int | str):
        return int(value)
    if hint is float and isinstance(value, int | float | str):
        return float(value)
    raise TypeError(value)


def _type_name(hint: Any) -> str:
    """How an error message names the field type ``hint``."""
    if _is_union(hint):
        return " or ".join(_type_name(a) for a in get_args(hint))
    if get_origin(hint) is tuple:
        plural = {int: "integers", float: "numbers", str: "names"}
        return f"a list of {plural[get_args(hint)[0]]}"
    names = {bool: "true or false", int: "an integer", float: "a number", str: "text"}
    return names.get(hint, "null" if hint is type(None) else str(hint))


@dataclass
class _LoRATrainConfig:
    """Fields shared by DPO and SFT training (LoRA, optimiser, schedule, I/O)."""

    output_dir: str = _option("runs/correction", _OUTPUT_DIR_HELP)
    base: str = _option("smollm2", "'smollm2' (embedded), a transformers directory or a hub id")
    r: int = _option(16, "LoRA rank")
    lora_alpha: int = _option(32, "LoRA alpha")
    lora_dropout: float = _option(0.0, "LoRA dropout")
    # 'all-linear' is PEFT's keyword; any other text on the command line is a list of names
    target_modules: tuple[str, ...] | str = _option(
        "all-linear", "'all-linear' or the module names LoRA adapts", keywords=("all-linear",)
    )
    learning_rate: float = _option(1e-3, "learning rate")
    num_train_epochs: float = _option(3.0, "epochs (ignored when max_steps is set)")
    max_steps: int = _option(-1, "optimiser steps (-1: use num_train_epochs)")
    per_device_train_batch_size: int = _option(4, "examples per device and step")
    gradient_accumulation_steps: int = _option(1, "steps whose gradients are summed per update")
    # persona-conditioned values pairs run to ~260 tokens; shorter limits cut their responses
    max_length: int = _option(320, "max tokens of prompt + response")
    warmup_steps: float = _option(
        0.0, "linear warm-up: a ratio of the total steps if below 1, else a number of steps"
    )
    weight_decay: float = _option(0.0, "weight decay")
    seed: int = _option(0, "random seed")
    save_steps: int = _option(10, "checkpoint every N steps")
    save_total_limit: int = _option(2, "checkpoints kept")
    logging_steps: int = _option(1, "log the metrics every N steps")

    def __post_init__(self) -> None:
        if isinstance(self.target_modules, list):
            self.target_modules = tuple(self.target_modules)
        problems = self._problems()
        if problems:
            raise ConfigError(type(self).__name__, problems)

    def _problems(self) -> list[tuple[str, str]]:
        p: list[tuple[str, str]] = []

        def bad(name: str, message: str) -> None:
            p.append((name, message))

        for name in (
            "r",
            "lora_alpha",
            "per_device_train_batch_size",
            "gradient_accumulation_steps",
            "max_length",
            "save_steps",
            "save_total_limit",
            "logging_steps",
        ):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                bad(name, f"{name} must be a positive integer, got {v!r}")
        if isinstance(self.max_length, int) and 0 < self.max_length < 16:
            bad(
                "max_length",
                f"max_length must be at least 16 tokens to hold a prompt and reply, "
                f"got {self.max_length}",
            )
        if not (0.0 <= self.lora_dropout < 1.0):
            bad("lora_dropout", f"lora_dropout must be in [0, 1), got {self.lora_dropout!r}")
        if not (math.isfinite(self.learning_rate) and 0.0 < self.learning_rate < 1.0):
            bad("learning_rate", f"learning_rate must be in (0, 1), got {self.learning_rate!r}")
        if not (math.isfinite(self.num_train_epochs) and self.num_train_epochs > 0):
            bad("num_train_epochs", f"num_train_epochs must be > 0, got {self.num_train_epochs!r}")
        if not isinstance(self.max_steps, int) or (self.max_steps < 1 and self.max_steps != -1):
            bad(
                "max_steps",
                "max_steps must be a positive integer or -1 (use num_train_epochs), "
                f"got {self.max_steps!r}",
            )
        w = self.warmup_steps
        # transformers reads a value below 1 as a ratio and anything else as a step count
        if not (math.isfinite(w) and (0.0 <= w < 1.0 or (float(w).is_integer() and w >= 1))):
            bad(
                "warmup_steps",
                f"warmup_steps must be a ratio in [0, 1) or a whole number of steps, got {w!r}",
            )
        if self.weight_decay < 0:
            bad("weight_decay", f"weight_decay must be >= 0, got {self.weight_decay!r}")
        if not isinstance(self.seed, int) or self.seed < 0:
            bad("seed", f"seed must be a non-negative integer, got {self.seed!r}")
        tm = self.target_modules
        if isinstance(tm, str):
            if not tm.strip():
                bad(
                    "target_modules",
                    "target_modules must not be empty (e.g. 'all-linear' or q_proj,v_proj)",
                )
        elif not tm or not all(isinstance(t, str) and t.strip() for t in tm):
            bad(
                "target_modules",
                f"target_modules must be 'all-linear' or non-empty module names, got {tm!r}",
            )
        if not str(self.output_dir).strip():
            bad("output_dir", "output_dir must not be empty")
        if not str(self.base).strip():
            bad("base", "base must name a model ('smollm2', a directory or a hub id)")
        return p

    @classmethod
    def from_mapping(
        cls, values: Mapping[str, Any], where: Mapping[str, str] | None = None
    ) -> Self:
        """A config from plain values (YAML, command line), type-checked and validated.

        Unknown keys and values of the wrong type are refused with the rest of the problems in
        one ConfigError; ``where`` names where each key was set, for that message.
        """
        hints = get_type_hints(cls)
        kwargs: dict[str, Any] = {}
        problems: list[tuple[str, str]] = []
        for key, value in values.items():
            if key not in hints:
                known = ", ".join(cls.field_names())
                problems.append((key, f"unknown key {key!r}; known keys: {known}"))
                continue
            try:
                kwargs[key] = _coerce(hints[key], value)
            except (TypeError, ValueError):
                problems.append((key, f"{key} must be {_type_name(hints[key])}, got {value!r}"))
        if problems:
            raise ConfigError(cls.__name__, problems, where)
        try:
            return cls(**kwargs)
        except ConfigError as e:
            raise ConfigError(cls.__name__, e.items, where) from None

    @classmethod
    def from_file(
        cls,
        path: str | os.PathLike[str],
        overrides: Mapping[str, Any] | None = None,
        override_where: Mapping[str, str] | None = None,
    ) -> Self:
        """A config from a YAML file (keys = field names), with ``overrides`` on top.

        ``override_where`` names where each override came from (e.g. ``--beta``); problems
        with a value from the file name the file and the key.
        """
        values = read_config_file(path)
        where = {k: f"{path}, key {k!r}" for k in values}
        where.update(override_where or {})
        return cls.from_mapping({**values, **(overrides or {})}, where)

    @classmethod
    def from_text(cls, name: str, text: str) -> Any:
        """A list-valued field written as text (a command-line option): comma-separated
        values, empty for none; a field's keywords (``target_modules``' 'all-linear') stay text.
        """
        spec = {f.name: f for f in fields(cls)}[name]
        if text in spec.metadata.get("keywords", ()):
            return text
        if not text.strip() and spec.default is None:
            return None
        return [t.strip() for t in text.split(",") if t.strip()]

    @property
    def out(self) -> Path:
        """The output directory as a Path."""
        return Path(self.output_dir)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the manifest and YAML (tuples as lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

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

    output_dir: str = _option("runs/dpo", _OUTPUT_DIR_HELP)
    beta: float = _option(0.1, "DPO beta (strength of the pull towards the base)")
    loss_type: tuple[str, ...] = _option(
        ("sigmoid",), "TRL DPO loss type(s): sigmoid, sft, ipo, ..."
    )
    loss_weights: tuple[float, ...] | None = _option(None, "weights for the loss types")
    precompute_ref_log_probs: bool = _option(True, "score the reference once up front")

    def _problems(self) -> list[tuple[str, str]]:
        if isinstance(self.loss_type, str):
            self.loss_type = tuple(t.strip() for t in self.loss_type.split(",") if t.strip())
        self.loss_type = tuple(self.loss_type)
        if self.loss_weights is not None:
            self.loss_weights = tuple(float(w) for w in self.loss_weights)
        p = super()._problems()
        if not (math.isfinite(self.beta) and self.beta > 0):
            p.append(("beta", f"beta must be > 0, got {self.beta!r}"))
        if not self.loss_type:
            p.append(("loss_type", "loss_type must name at least one DPO loss"))
        unknown = [t for t in self.loss_type if t not in KNOWN_DPO_LOSSES]
        if unknown:
            p.append(
                ("loss_type", f"unknown loss_type {unknown}; known: {', '.join(KNOWN_DPO_LOSSES)}")
            )
        if self.loss_weights is not None:
            if len(self.loss_weights) != len(self.loss_type):
                p.append(
                    (
                        "loss_weights",
                        f"loss_weights has {len(self.loss_weights)} values for "
                        f"{len(self.loss_type)} loss types",
                    )
                )
            if any(not math.isfinite(w) or w < 0 for w in self.loss_weights):
                p.append(
                    (
                        "loss_weights",
                        f"loss_weights must be finite and >= 0, got {list(self.loss_weights)}",
                    )
                )
        return p


@dataclass
class SFTTrainConfig(_LoRATrainConfig):
    """LoRA supervised fine-tuning on corrected responses (TRL ``SFTTrainer``).

    The loss is on the completion tokens only, so the model learns the corrected answers, not
    to reproduce the prompts.
    """

    output_dir: str = _option("runs/sft", _OUTPUT_DIR_HELP)
    completion_only_loss: bool = _option(True, "loss on the completion tokens only")
