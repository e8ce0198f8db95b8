"""``coalign align dpo|sft``: train a LoRA correction from preference pairs or corrected answers.

The training options are generated from the fields of :class:`DPOTrainConfig` and
:class:`SFTTrainConfig` (one ``--<field-name-with-dashes>`` per field, with the field's type,
default and help), so the command line, ``--config FILE.yaml`` and the Python API cannot drift
apart. Options given on the command line override the file.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any, get_type_hints

import typer
from rich.console import Console

from coalign._extras import MissingExtraError
from coalign.cli_common import fail, out_option
from coalign.correction.config import (
    ConfigError,
    DPOTrainConfig,
    SFTTrainConfig,
    _LoRATrainConfig,
)

align_app = typer.Typer(
    help="Correct a model: LoRA-DPO on preference pairs, LoRA-SFT on corrected responses.",
    no_args_is_help=True,
)
console = Console(stderr=True)

_KW = inspect.Parameter.KEYWORD_ONLY
# the config field behind the shared -o/--out option
_OUT_FIELD = "output_dir"
_SCALARS = (bool, int, float, str)


def option_flag(name: str) -> str:
    """The command-line flag of config field ``name``."""
    return "-o/--out" if name == _OUT_FIELD else "--" + name.replace("_", "-")


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple | list):
        return ",".join(str(v) for v in value)
    return str(value)


def _param(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(name, _KW, default=default, annotation=annotation)


def config_options(cls: type[_LoRATrainConfig]) -> list[inspect.Parameter]:
    """One Typer option per field of ``cls``, with the field's type, default and help.

    Scalars keep their type (booleans get ``--x/--no-x``); list-valued fields are text,
    comma-separated. ``output_dir`` is the shared ``-o/--out``, required unless ``--config``
    is given.
    """
    hints = get_type_hints(cls)
    params = []
    for f in fields(cls):
        hint, help = hints[f.name], f.metadata["help"]
        if f.name == _OUT_FIELD:
            option = out_option(None, help=f"{help} (required unless --config is given)")
            params.append(_param(f.name, Path | None, option))
            continue
        flag = option_flag(f.name)
        if hint is bool:
            option = typer.Option(f.default, f"{flag}/--no-{flag[2:]}", help=help)
        elif hint in _SCALARS:
            option = typer.Option(f.default, flag, help=help)
        else:
            text = _as_text(f.default)
            option = typer.Option(
                text, flag, help=f"{help}, comma-separated", show_default=bool(text)
            )
            hint = str
        params.append(_param(f.name, hint, option))
    return params


def config_from_command_line(
    ctx: typer.Context, cls: type[_LoRATrainConfig], values: dict[str, Any], file: Path | None
) -> Any:
    """The config: the dataclass defaults, then ``--config FILE``, then the options given."""
    hints = get_type_hints(cls)
    given: dict[str, Any] = {}
    for name in cls.field_names():
        source = ctx.get_parameter_source(name)
        # by name: newer Typer versions ship their own copy of click's ParameterSource
        if source is None or source.name != "COMMANDLINE":
            continue
        value = values[name]
        if name == _OUT_FIELD:
            value = str(value)
        elif hints[name] not in _SCALARS:
            value = cls.from_text(name, value)
        given[name] = value
    where = {name: option_flag(name) for name in given}
    if file is not None:
        return cls.from_file(file, given, where)
    if _OUT_FIELD not in given:
        raise ConfigError(cls.__name__, [(_OUT_FIELD, "give -o/--out DIR (or a --config file)")])
    return cls.from_mapping(given, where)


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


_COMMON = [
    _param(
        "held_out",
        list[Path] | None,
        typer.Option(
            None,
            "--held-out",
            help="JSONL of held-out evaluation items (id/item_id, prompt/input); training "
            "refuses any example with the same item id or prompt. Repeatable.",
        ),
    ),
    _param(
        "config",
        Path | None,
        typer.Option(
            None,
            "--config",
            help="YAML file of config fields (the option names with underscores); "
            "options given here override it",
        ),
    ),
    _param(
        "resume",
        bool,
        typer.Option(False, "--resume", help="continue from the last checkpoint in -o/--out"),
    ),
]


def _train_command(
    cls: type[_LoRATrainConfig],
    data: inspect.Parameter,
    extra: list[inspect.Parameter],
    train: Callable[[Any, dict[str, Any]], object],
) -> Callable[..., None]:
    """A Typer command: ``data``, one option per config field, the common and ``extra``
    options; it builds the config and calls ``train(config, other_values)`` (whose docstring
    is the command's help)."""

    def command(ctx: typer.Context, **values: Any) -> None:
        try:
            config = config_from_command_line(ctx, cls, values, values["config"])
            result = train(config, values)
        except (ConfigError, ValueError, RuntimeError, MissingExtraError) as e:
            fail(e)
        _finish(result)

    params = [
        inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context),
        data,
        *config_options(cls),
        *_COMMON,
        *extra,
    ]
    # Typer reads the options from the signature and the types from the annotations.
    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    command.__doc__ = train.__doc__
    return command


def _dpo(config: DPOTrainConfig, values: dict[str, Any]) -> object:
    """Train a LoRA adapter with DPO on preference pairs."""
    from coalign.correction.data import combine_pairs
    from coalign.correction.train import train_dpo

    ids, prompts = _held_out(values["held_out"])
    ds = combine_pairs(values["pairs"], held_out_ids=ids, held_out_prompts=prompts)
    console.print(f"{len(ds)} pairs from {len(ds.files)} file(s): {ds.provenance()['by_kind']}")
    return train_dpo(ds, config, resume=values["resume"], init_adapter=values["init_adapter"])


def _sft(config: SFTTrainConfig, values: dict[str, Any]) -> object:
    """Train a LoRA adapter by supervised fine-tuning on corrected responses."""
    from coalign.correction.data import read_sft
    from coalign.correction.train import train_sft

    ids, prompts = _held_out(values["held_out"])
    ds = read_sft(values["data"], held_out_ids=ids, held_out_prompts=prompts)
    console.print(f"{len(ds)} examples from {len(ds.files)} file(s): {ds.provenance()['by_kind']}")
    return train_sft(ds, config, resume=values["resume"])


align_app.command("dpo")(
    _train_command(
        DPOTrainConfig,
        _param(
            "pairs",
            list[Path],
            typer.Argument(..., help="preference-pair JSONL file(s) (coalign.pairs format)"),
        ),
        [
            _param(
                "init_adapter",
                Path | None,
                typer.Option(
                    None, "--init-adapter", help="continue training this adapter (e.g. SFT)"
                ),
            )
        ],
        _dpo,
    )
)
align_app.command("sft")(
    _train_command(
        SFTTrainConfig,
        _param(
            "data",
            list[Path],
            typer.Argument(
                ..., help="JSONL with prompt + completion (or preference pairs: chosen is learnt)"
            ),
        ),
        [],
        _sft,
    )
)
