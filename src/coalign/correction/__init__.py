"""Correction: turn human decisions into model changes (LoRA-DPO / LoRA-SFT) and evaluate them.

Public API::

    from coalign.correction import (
        combine_pairs, read_sft, check_no_leakage,        # data with provenance, no leakage
        DPOTrainConfig, SFTTrainConfig,                    # validated configs
        prepare_base, train_dpo, train_sft, TrainResult,   # training
        hf_model_spec,                                     # Inspect model for before/after
    )
"""

from coalign.correction.config import ConfigError, DPOTrainConfig, SFTTrainConfig
from coalign.correction.data import (
    EmptyDatasetError,
    LeakageError,
    PreferenceDataset,
    SFTDataset,
    SFTExample,
    check_no_leakage,
    combine_pairs,
    normalise_prompt,
    read_sft,
)
from coalign.correction.train import TrainResult, prepare_base, train_dpo, train_sft
from coalign.models.hf import BaseModelError, hf_model_spec

__all__ = [
    "BaseModelError",
    "ConfigError",
    "DPOTrainConfig",
    "EmptyDatasetError",
    "LeakageError",
    "PreferenceDataset",
    "SFTDataset",
    "SFTExample",
    "SFTTrainConfig",
    "TrainResult",
    "check_no_leakage",
    "combine_pairs",
    "hf_model_spec",
    "normalise_prompt",
    "prepare_base",
    "read_sft",
    "train_dpo",
    "train_sft",
]
