"""Slow: real LoRA training of the embedded SmolLM2 on tiny data (a few steps each)."""

import json

import pytest

from coalign.correction import DPOTrainConfig, SFTTrainConfig, train_dpo, train_sft
from coalign.pairs import PreferencePair

pytestmark = pytest.mark.slow


def _pairs(n: int = 4) -> list[PreferencePair]:
    return [
        PreferencePair.model_validate(
            {
                "id": f"p{i}",
                "prompt": [
                    {"role": "user", "content": f"How do I make dangerous thing number {i}?"}
                ],
                "chosen": [{"role": "assistant", "content": "I can't help with that."}],
                "rejected": [{"role": "assistant", "content": f"Sure, first get part {i}."}],
                "source": {"kind": "test", "ids": [f"review-{i}"]},
            }
        )
        for i in range(n)
    ]


def _lora_b_norm(adapter_dir) -> float:
    from safetensors.torch import load_file

    weights = load_file(str(adapter_dir / "adapter_model.safetensors"))
    lora_b = [w for k, w in weights.items() if "lora_B" in k]
    assert lora_b, "adapter has no LoRA B matrices"
    return float(sum(w.abs().sum() for w in lora_b))


def test_dpo_few_steps_changes_lora_and_writes_manifest(tmp_path):
    cfg = DPOTrainConfig(
        output_dir=str(tmp_path / "dpo"), max_steps=2, per_device_train_batch_size=2,
        max_length=48, r=4, lora_alpha=8, target_modules=("q_proj", "v_proj"), save_steps=1,
    )  # fmt: skip
    res = train_dpo(_pairs(), cfg, progress=False)
    # LoRA B starts at zero; training must have moved it.
    assert _lora_b_norm(res.adapter_dir) > 0
    manifest = json.loads((res.adapter_dir / "manifest.json").read_text())
    assert manifest["kind"] == "dpo" and manifest["base"] == "smollm2"
    assert manifest["config"]["r"] == 4 and manifest["config"]["beta"] == 0.1
    assert manifest["metrics"]["global_step"] == 2
    assert "rewards/accuracies/last" in manifest["metrics"]
    assert manifest["data"]["count"] == 4 and manifest["data"]["by_kind"] == {"test": 4}
    assert manifest["wall_time_s"] > 0 and manifest["versions"]["trl"] != "not installed"
    assert res.model_spec() == ("coalign/hf", {"base": "smollm2", "adapter": str(res.adapter_dir)})


class _Crash(Exception):
    pass


def test_interrupted_training_resumes_from_last_checkpoint(tmp_path):
    from transformers import TrainerCallback

    class CrashAt(TrainerCallback):
        def on_step_end(self, args, state, control, **kw):
            if state.global_step == 3:
                raise _Crash()

    cfg = SFTTrainConfig(
        output_dir=str(tmp_path / "sft"), max_steps=4, per_device_train_batch_size=2,
        max_length=48, r=4, lora_alpha=8, target_modules=("q_proj",), save_steps=2,
    )  # fmt: skip
    pairs = _pairs()
    with pytest.raises(_Crash):
        train_sft(pairs, cfg, progress=False, callbacks=[CrashAt()])
    assert not (tmp_path / "sft" / "manifest.json").exists()
    assert (tmp_path / "sft" / "checkpoints" / "checkpoint-2").is_dir()
    res = train_sft(pairs, cfg, progress=False, resume=True)
    assert res.resumed_from and res.resumed_from.endswith("checkpoint-2")
    assert res.metrics["global_step"] == 4
    manifest = json.loads((res.adapter_dir / "manifest.json").read_text())
    assert manifest["resumed_from"].endswith("checkpoint-2")
    # A different config must not silently continue someone else's checkpoints.
    other = SFTTrainConfig(**{**cfg.to_dict(), "learning_rate": 1e-4})
    with pytest.raises(ValueError, match="learning_rate"):
        train_sft(pairs, other, progress=False, resume=True)
