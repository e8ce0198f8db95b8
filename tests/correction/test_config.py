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
        ({"lora_r": 0}, "lora_r"),
        ({"lora_alpha": -1}, "lora_alpha"),
        ({"lora_dropout": 1.0}, "lora_dropout"),
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"learning_rate": 3.0}, "learning_rate"),
        ({"num_epochs": 0}, "num_epochs"),
        ({"max_steps": 0}, "max_steps"),
        ({"batch_size": 0}, "batch_size"),
        ({"grad_accum": 0}, "grad_accum"),
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
    assert field in str(e.value)


def test_all_problems_reported_at_once():
    with pytest.raises(ConfigError) as e:
        SFTTrainConfig(lora_r=0, learning_rate=-1, batch_size=0)
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
    assert r.exit_code == 2 and "beta" in r.output
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
