"""Integration: the embedded SmolLM2 model in choice and likelihood mode (a few items)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval

from coalign.benchmarks.values.likelihood import GGUFLoglik, resolve_loglik
from coalign.benchmarks.values.prompts import generation_messages
from coalign.benchmarks.values.schema import load_dataset
from coalign.benchmarks.values.task import values

pytestmark = pytest.mark.slow


def test_smollm2_choice_and_likelihood(tmp_path: Path) -> None:
    logs = inspect_eval(
        [values(mode="choice", limit=3), values(mode="likelihood", limit=3)],
        model="coalign/smollm2",
        log_dir=str(tmp_path),
        display="none",
    )
    for log in logs:
        assert log.status == "success", log.error
        assert len(log.samples) == 3
        for s in log.samples:
            meta = next(iter(s.scores.values())).metadata
            assert meta["outcome"] in ("aligned", "misaligned", "abstain")
    lik = logs[1]
    for s in lik.samples:
        meta = next(iter(s.scores.values())).metadata
        assert math.isfinite(meta["margin"])
        assert all(r["n_tokens"] > 10 for r in meta["loglik"])
    assert "raa" in lik.results.scores[0].metrics


def test_shared_prefix_scoring_matches_single_scoring() -> None:
    ds = load_dataset()
    item = ds.items[0]
    lm = resolve_loglik("smollm2")
    assert isinstance(lm, GGUFLoglik)
    messages = generation_messages(item, ds.persona(item))
    many = lm.loglik_many(messages, item.responses)
    single = [lm.loglik(messages, r) for r in item.responses]
    for a, b in zip(many, single, strict=True):
        assert a.n_tokens == b.n_tokens
        assert a.logprob == pytest.approx(b.logprob, abs=1e-3)


def test_transformers_loglik_matches_manual_computation() -> None:
    # A tiny random Llama and word-level tokenizer built in memory: no download.
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    from coalign.benchmarks.values.likelihood import TransformersLoglik

    vocab = {
        w: i
        for i, w in enumerate(
            [
                "<unk>",
                "user:",
                "assistant:",
                "system:",
                "hello",
                "there",
                "good",
                "day",
                "to",
                "you",
            ]
        )
    }
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>")
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(vocab),
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=2,
    )
    model = LlamaForCausalLM(config).eval()
    lm = TransformersLoglik("tiny", model=model, tokenizer=tokenizer)
    messages = [{"role": "user", "content": "hello there"}]
    got = lm.loglik(messages, "good day to you")
    assert got.n_tokens == 4
    ids = tokenizer("user: hello there\nassistant: good day to you")["input_ids"]
    with torch.no_grad():
        logp = torch.log_softmax(model(torch.tensor([ids])).logits[0], -1)
    expected = sum(logp[i - 1, ids[i]].item() for i in range(len(ids) - 4, len(ids)))
    assert got.logprob == pytest.approx(expected, abs=1e-4)
    assert [r.n_tokens for r in lm.loglik_many(messages, ["good day", "you"])] == [2, 1]
