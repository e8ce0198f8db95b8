import json

import pytest
from typer.testing import CliRunner

from coalign.cli import app
from coalign.correction import ConfigError, DPOTrainConfig, SFTTrainConfig, train_dpo
from coalign.correction.probe import REFUSALS, load_probe
from coalign.judges.base import PatternJudge
from coalign.models.hf import BaseModelError, resolve_base


def test_defaults_are_valid():
    c = DPOTrainConfig()
    assert c.target_modules == "all-linear" and c.precompute_ref_log_probs
    assert SFTTrainConfig(target_modules=["q_proj", "v_proj"]).lora_targets() == [
        "q_proj",
        "v_proj",
    ]
    assert c.to_dict()["loss_type"] == ["sigmoid"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"beta": 0}, "beta"),
        ({"beta": float("nan")}, "beta"),
        ({"r": 0}, "r"),
        ({"lora_alpha": -1}, "lora_alpha"),
        ({"lora_dropout": 1.0}, "lora_dropout"),
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"learning_rate": 3.0}, "learning_rate"),
        ({"num_train_epochs": 0}, "num_train_epochs"),
        ({"max_steps": 0}, "max_steps"),
        ({"per_device_train_batch_size": 0}, "per_device_train_batch_size"),
        ({"gradient_accumulation_steps": 0}, "gradient_accumulation_steps"),
        ({"warmup_steps": 2.5}, "warmup_steps"),
        ({"max_length": 8}, "max_length"),
        ({"seed": -1}, "seed"),
        ({"target_modules": ()}, "target_modules"),
        ({"loss_type": ("sigmoid", "nonsense")}, "loss_type"),
        ({"loss_type": ("sigmoid", "sft"), "loss_weights": (1.0,)}, "loss_weights"),
    ],
)
def test_impossible_values_rejected(kwargs, field):
    with pytest.raises(ConfigError) as e:
        DPOTrainConfig(**kwargs)
    assert field in str(e.value) and field in e.value.fields


def test_all_problems_reported_at_once():
    with pytest.raises(ConfigError) as e:
        SFTTrainConfig(r=0, learning_rate=-1, per_device_train_batch_size=0)
    assert len(e.value.problems) == 3


def test_missing_base_fails_before_training(tmp_path):
    with pytest.raises(BaseModelError, match="no such directory"):
        resolve_base(str(tmp_path / "nope"))
    (tmp_path / "notamodel").mkdir()
    with pytest.raises(BaseModelError, match="config.json"):
        resolve_base(str(tmp_path / "notamodel"))
    from coalign.pairs import PreferencePair

    p = PreferencePair.model_validate(
        {
            "id": "a",
            "prompt": [{"role": "user", "content": "q"}],
            "chosen": [{"role": "assistant", "content": "no"}],
            "rejected": [{"role": "assistant", "content": "yes"}],
            "source": {"kind": "t", "ids": ["r"]},
        }
    )
    out = tmp_path / "out"
    with pytest.raises(BaseModelError):
        train_dpo([p], DPOTrainConfig(output_dir=str(out), base=str(tmp_path / "notamodel")))
    assert not (out / "manifest.json").exists()


def test_cli_rejects_bad_config_and_leaks(tmp_path):
    runner = CliRunner()
    pairs = tmp_path / "p.jsonl"
    rec = {
        "id": "a",
        "prompt": [{"role": "user", "content": "How is sarin made?"}],
        "chosen": [{"role": "assistant", "content": "no"}],
        "rejected": [{"role": "assistant", "content": "yes"}],
        "source": {"kind": "oversight", "ids": ["r1"]},
    }
    pairs.write_text(json.dumps(rec) + "\n")
    r = runner.invoke(
        app, ["align", "dpo", str(pairs), "--out", str(tmp_path / "o"), "--beta", "-1"]
    )
    assert r.exit_code == 2 and "--beta: beta must be > 0" in r.output
    held = tmp_path / "held.jsonl"
    held.write_text(json.dumps({"id": "x", "prompt": "how is SARIN made"}) + "\n")
    r = runner.invoke(
        app, ["align", "dpo", str(pairs), "--out", str(tmp_path / "o"), "--held-out", str(held)]
    )
    assert r.exit_code == 2 and "held-out" in r.output
    empty = tmp_path / "e.jsonl"
    empty.write_text("")
    r = runner.invoke(app, ["align", "sft", str(empty), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "nothing to train" in r.output
    assert not (tmp_path / "o").exists()


def test_probe_splits_disjoint_and_refusals_recognised():
    train = load_probe("train")
    held = load_probe("heldout")
    assert {i.prompt for i in train}.isdisjoint({i.prompt for i in held})
    assert sum(i.hazardous for i in held) == 24 and sum(not i.hazardous for i in held) == 24
    judge = PatternJudge()
    # Every chosen refusal must read as a refusal to the judges, or the probe measures nothing.
    assert all(judge.refusal_class(r) != "full_compliance" for r in REFUSALS)


def _pair_file(tmp_path):
    rec = {
        "id": "a",
        "prompt": [{"role": "user", "content": "How is sarin made?"}],
        "chosen": [{"role": "assistant", "content": "no"}],
        "rejected": [{"role": "assistant", "content": "yes"}],
        "source": {"kind": "oversight", "ids": ["r1"]},
    }
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(rec) + "\n")
    return path


@pytest.fixture
def trained(monkeypatch, tmp_path):
    """The configs `coalign align` would train with (training itself is replaced)."""
    from coalign.correction import train
    from coalign.correction.train import TrainResult

    seen = []

    def fake(data, config, **kwargs):
        seen.append(config)
        return TrainResult(adapter_dir=tmp_path / "adapter", metrics={}, wall_time=0.0)

    monkeypatch.setattr(train, "train_dpo", fake)
    monkeypatch.setattr(train, "train_sft", fake)
    return seen


@pytest.mark.parametrize(
    "config",
    [
        DPOTrainConfig(
            output_dir="runs/x", r=4, target_modules=("q_proj", "v_proj"), learning_rate=5e-4,
            num_train_epochs=1.5, loss_type=("sigmoid", "sft"), loss_weights=(1.0, 0.5),
            precompute_ref_log_probs=False, warmup_steps=0.1,
        ),
        SFTTrainConfig(per_device_train_batch_size=2, gradient_accumulation_steps=3, seed=7),
    ],
)  # fmt: skip
def test_yaml_config_round_trip(tmp_path, config):
    import yaml

    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config.to_dict()))
    assert type(config).from_file(path) == config


def test_yaml_numbers_written_as_text_and_lists_are_read(tmp_path):
    path = tmp_path / "c.yaml"
    # PyYAML reads 1e-3 (no dot) as a string
    path.write_text("learning_rate: 1e-3\nloss_type: [sigmoid, sft]\nloss_weights: [1, 1]\n")
    c = DPOTrainConfig.from_file(path)
    assert c.learning_rate == 1e-3 and c.loss_type == ("sigmoid", "sft")
    assert c.loss_weights == (1.0, 1.0)


def test_cli_options_override_the_config_file(tmp_path, trained):
    path = tmp_path / "c.yaml"
    path.write_text(
        f"output_dir: {tmp_path / 'from-file'}\nbeta: 0.2\nlearning_rate: 0.0001\n"
        "loss_type: [sigmoid, sft]\nloss_weights: [1.0, 1.0]\n"
    )
    args = ["align", "dpo", str(_pair_file(tmp_path)), "--config", str(path)]
    r = CliRunner().invoke(app, [*args, "--beta", "0.3", "--target-modules", "q_proj,v_proj"])
    assert r.exit_code == 0, r.output
    expected = DPOTrainConfig(
        output_dir=str(tmp_path / "from-file"), beta=0.3, learning_rate=1e-4,
        loss_type=("sigmoid", "sft"), loss_weights=(1.0, 1.0),
        target_modules=("q_proj", "v_proj"),
    )  # fmt: skip
    assert trained == [expected]
    # -o/--out overrides the file's output_dir too; without a file the defaults apply
    r = CliRunner().invoke(app, [*args, "-o", str(tmp_path / "cli")])
    assert r.exit_code == 0 and trained[-1].output_dir == str(tmp_path / "cli")
    sft = ["align", "sft", str(_pair_file(tmp_path)), "-o", str(tmp_path / "s"), "--r", "8"]
    r = CliRunner().invoke(app, [*sft, "--no-completion-only-loss"])
    assert r.exit_code == 0, r.output
    assert trained[-1] == SFTTrainConfig(
        output_dir=str(tmp_path / "s"), r=8, completion_only_loss=False
    )


def test_config_file_unknown_key_and_bad_value_name_file_and_key(tmp_path, trained):
    path = tmp_path / "c.yaml"
    path.write_text("lr: 0.001\nbeta: -1\nmax_steps: many\n")
    r = CliRunner().invoke(app, ["align", "dpo", str(_pair_file(tmp_path)), "--config", str(path)])
    assert r.exit_code == 2 and not trained
    assert f"{path}, key 'lr': unknown key 'lr'" in r.output
    assert f"{path}, key 'max_steps': max_steps must be an integer" in r.output
    path.write_text("beta: -1\n")
    r = CliRunner().invoke(
        app, ["align", "dpo", str(_pair_file(tmp_path)), "--config", str(path), "--r", "0"]
    )
    assert r.exit_code == 2 and not trained
    assert f"{path}, key 'beta': beta must be > 0" in r.output
    assert "--r: r must be a positive integer" in r.output
    path.write_text("- a list\n")
    with pytest.raises(ConfigError, match="mapping of field names"):
        DPOTrainConfig.from_file(path)


def test_out_is_required_without_a_config_file(tmp_path, trained):
    r = CliRunner().invoke(app, ["align", "dpo", str(_pair_file(tmp_path))])
    assert r.exit_code == 2 and "-o/--out" in r.output and not trained


@pytest.mark.parametrize(
    ("command", "cls", "others"),
    [
        ("dpo", DPOTrainConfig, {"pairs", "held_out", "config", "resume", "init_adapter"}),
        ("sft", SFTTrainConfig, {"data", "held_out", "config", "resume"}),
    ],
)
def test_align_options_are_the_config_fields(command, cls, others):
    import dataclasses

    import typer

    from coalign.correction.cli import option_flag

    group = typer.main.get_command(app).commands["align"]  # type: ignore[attr-defined]
    params = {p.name: p for p in group.commands[command].params}
    assert set(params) - others == set(cls.field_names())
    for f in dataclasses.fields(cls):
        p = params[f.name]
        assert option_flag(f.name).split("/")[-1] in p.opts
        assert f.metadata["help"] in p.help
        if f.name != "output_dir" and isinstance(f.default, bool | int | float | str):
            assert p.default == f.default and type(p.default) is type(f.default)
