"""Slow: the coalign/hf Inspect provider with a LoRA adapter, and HF log-likelihoods."""

import asyncio

import pytest
from inspect_ai.model import GenerateConfig, get_model

from coalign.models.hf import get_hf_runtime, hf_model_spec, smollm2_hf_dir
from coalign.models.loglik import loglik_scorer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def adapter_dir(tmp_path_factory):
    """A LoRA adapter with non-zero (random) weights, so it visibly changes the model."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from coalign.correction import prepare_base

    torch.manual_seed(0)
    base = AutoModelForCausalLM.from_pretrained(prepare_base("smollm2"))
    cfg = LoraConfig(
        r=4, lora_alpha=64, target_modules=["q_proj", "v_proj"], init_lora_weights=False
    )
    model = get_peft_model(base, cfg)
    out = tmp_path_factory.mktemp("adapter")
    model.save_pretrained(out)
    return out


def _gen(model, prompt, **cfg):
    return asyncio.run(model.generate(prompt, config=GenerateConfig(**cfg)))


def test_hf_generates_through_inspect_with_adapter(adapter_dir):
    name, args = hf_model_spec("smollm2", adapter_dir)
    assert name == "coalign/hf" and args["adapter"] == str(adapter_dir)
    base = get_model("coalign/hf", base="smollm2")
    tuned = get_model(name, **args)
    prompt = "What is the capital of France?"
    b = _gen(base, prompt, max_tokens=12, temperature=0)
    t = _gen(tuned, prompt, max_tokens=12, temperature=0)
    assert "Paris" in b.completion
    assert t.completion and t.completion != b.completion  # the adapter is applied
    assert b.usage.input_tokens > 5 and 0 < b.usage.output_tokens <= 12
    # Greedy decoding is deterministic.
    assert _gen(base, prompt, max_tokens=12, temperature=0).completion == b.completion
    # Stop sequences cut the text.
    cut = _gen(base, prompt, max_tokens=12, temperature=0, stop_seqs=["Paris"])
    assert "Paris" not in cut.completion and b.completion.startswith(cut.completion)
    # Seeded sampling repeats itself.
    s1 = _gen(base, "Tell me a story.", max_tokens=10, temperature=1.0, seed=7)
    s2 = _gen(base, "Tell me a story.", max_tokens=10, temperature=1.0, seed=7)
    assert s1.completion == s2.completion


def test_unknown_model_arg_and_missing_adapter(tmp_path):
    with pytest.raises(ValueError, match="unknown model args"):
        get_model("coalign/hf", base="smollm2", nonsense=1)
    with pytest.raises(RuntimeError, match="adapter_config.json"):
        get_model("coalign/hf", base="smollm2", adapter=str(tmp_path))


def _full_forward(runtime, messages, continuation):
    """Reference log-likelihood: one forward pass over prompt + continuation, no cache."""
    import torch

    prompt = runtime.format_prompt(messages)
    tok = runtime.tokenizer
    p_ids = tok(prompt, add_special_tokens=False)["input_ids"]
    full = tok(prompt + continuation, add_special_tokens=False)["input_ids"]
    start = 0
    while start < min(len(p_ids), len(full)) and p_ids[start] == full[start]:
        start += 1
    start = max(start, 1)
    with torch.inference_mode():
        logits = runtime.model(input_ids=torch.tensor([full])).logits[0].float()
    logp = torch.log_softmax(logits[start - 1 : len(full) - 1], dim=-1)
    lp = sum(logp[i, t].item() for i, t in enumerate(full[start:]))
    return lp, len(full) - start


def test_hf_loglik_matches_gguf_and_prefers_sensible_answers():
    from coalign.models.gguf import smollm2_runtime

    msgs = [{"role": "user", "content": "What is the capital of France?"}]
    hf = loglik_scorer(get_model("coalign/hf", base="smollm2"))
    assert hf.name == "coalign/hf"
    good, bad = hf.loglik_many(
        msgs, ["The capital of France is Paris.", "The capital of France is Banana."]
    )
    assert good.logprob > bad.logprob and good.mean > bad.mean
    ref = smollm2_runtime().loglik(msgs, "The capital of France is Paris.")
    # Same weights (dequantised vs Q4_1 kernels): close, not identical.
    assert ref.n_tokens == good.n_tokens
    assert abs(ref.mean - good.mean) < 0.25
    # Shared-prompt scoring gives the same numbers as a full forward pass per continuation.
    runtime = get_hf_runtime("smollm2")
    conts = ["The capital of France is Paris.", "Banana.", "", "Paris"]
    many = hf.loglik_many(msgs, conts)
    for c, m in zip(conts, many, strict=True):
        lp, n = _full_forward(runtime, msgs, c)
        assert m.n_tokens == n
        assert abs(m.logprob - lp) < 1e-3 * max(1, n)
        one = runtime.scorer.loglik(msgs, c)
        assert one.n_tokens == m.n_tokens and one.logprob == pytest.approx(m.logprob, abs=1e-4)


def test_inspect_hf_provider_scores_like_coalign_hf():
    """Inspect's own hf/ provider and coalign/hf share one scorer code path: same weights,
    same numbers."""
    msgs = [
        {"role": "system", "content": "Answer briefly."},
        {"role": "user", "content": "What is the capital of France?"},
    ]
    conts = ["Paris.", "The capital of France is Paris.", "Berlin.", ""]
    ours = loglik_scorer(get_model("coalign/hf", base="smollm2"))
    theirs_model = get_model("hf/smollm2", model_path=str(smollm2_hf_dir()), device="cpu")
    theirs = loglik_scorer(theirs_model)
    assert theirs.name == "hf/smollm2"
    assert loglik_scorer(theirs_model) is theirs  # one scorer (one lock) per loaded model
    a, b = ours.loglik_many(msgs, conts), theirs.loglik_many(msgs, conts)
    assert [x.n_tokens for x in a] == [x.n_tokens for x in b]
    assert [x.logprob for x in a] == pytest.approx([x.logprob for x in b], abs=1e-4)


def test_values_likelihood_mode_runs_on_hf_with_adapter(adapter_dir):
    """The values benchmark's likelihood mode scores through coalign/hf (the demo's path)."""
    from inspect_ai import eval as inspect_eval

    from coalign.benchmarks.values.task import values

    name, args = hf_model_spec("smollm2", adapter_dir)
    [log] = inspect_eval(
        values(mode="likelihood", limit=3, seed=0), model=name, model_args=args, display="none"
    )
    assert log.status == "success"
    assert all(s.error is None for s in log.samples)
    margins = [s.scores[next(iter(s.scores))].metadata["margin"] for s in log.samples]
    assert len(margins) == 3 and all(isinstance(m, float) for m in margins)
