"""Correction: turn human decisions into model changes (LoRA-DPO / LoRA-SFT) and evaluate them.

Public API::

    from coalign.correction import (
        combine_pairs, read_sft, check_no_leakage,        # data with provenance, no leakage
        DPOTrainConfig, SFTTrainConfig,                    # validated configs
        prepare_base, train_dpo, train_sft, TrainResult,   # training
        hf_model_spec,                                     # Inspect model for before/after
    )
"""

from __future__ import annotations

from typing import Any

from coalign._lazy import export_names, load_export

# Loaded on first use (see coalign._lazy): training needs torch, transformers, peft and trl.
_EXPORTS = {
    "coalign.correction.config": ("ConfigError", "DPOTrainConfig", "SFTTrainConfig"),
    "coalign.correction.data": (
        "EmptyDatasetError",
        "LeakageError",
        "PreferenceDataset",
        "SFTDataset",
        "SFTExample",
        "check_no_leakage",
        "combine_pairs",
        "normalise_prompt",
        "read_sft",
    ),
    "coalign.correction.train": ("TrainResult", "prepare_base", "train_dpo", "train_sft"),
    "coalign.models.hf": ("BaseModelError", "hf_model_spec"),
}
__all__ = export_names(_EXPORTS)


def __getattr__(name: str) -> Any:
    return load_export(__name__, _EXPORTS, name)
