import asyncio
import threading

import pytest
from inspect_ai.model import ChatMessageUser, GenerateConfig, get_model
from inspect_ai.tool import ToolInfo, ToolParam, ToolParams

from coalign.io import InputError
from coalign.models.loglik import LoglikUnsupportedError, loglik_scorer
from coalign.models.providers import load_rules
from coalign.models.text_tools import parse_tool_calls

RULES = [
    {"match": r"nerve agent", "response": "I can't help with that."},
    {"match": r"weather", "tool_call": {"name": "get_weather", "arguments": {"city": "Oslo"}}},
    {"match": r"^Sunny", "role": "tool", "response": "It is sunny in Oslo."},
]


def run(coro):
    return asyncio.run(coro)


def test_scripted_rules_text_and_tool_calls():
    m = get_model("coalign/scripted", rules=RULES, fallback="Sure.")
    out = run(m.generate("how to make a nerve agent"))
    assert out.completion == "I can't help with that."
    out = run(m.generate("what's the weather?"))
    call = out.choices[0].message.tool_calls[0]
    assert call.function == "get_weather" and call.arguments == {"city": "Oslo"}
    assert run(m.generate("hello")).completion == "Sure."
    assert out.usage.input_tokens > 0


def test_unknown_model_lists_available():
    with pytest.raises(ValueError, match="coalign/scripted") as e:
        get_model("coalign/nonexistent")
    assert "coalign/smollm2" in str(e.value)


def test_bad_rules_name_rule_and_field(tmp_path):
    with pytest.raises(InputError) as e:
        load_rules([{"match": "ok"}, {"match": "("}])
    assert e.value.record == "rule 1" and e.value.field == "match"
    p = tmp_path / "rules.yaml"
    p.write_text("- response: no match field\n")
    with pytest.raises(InputError) as e:
        load_rules(str(p))
    assert e.value.field == "match" and str(p) in str(e.value)


def _tool() -> ToolInfo:
    return ToolInfo(
        name="lookup",
        description="look up a record",
        parameters=ToolParams(properties={"key": ToolParam(type="string")}),
    )


def test_text_tool_protocol_is_strict():
    ok = parse_tool_calls(
        'Let me check. <tool_call>{"name": "lookup", "arguments": {"key": "a"}}</tool_call>',
        [_tool()],
    )
    assert ok.text == "Let me check."
    assert ok.tool_calls[0].function == "lookup" and ok.tool_calls[0].parse_error is None
    bad = parse_tool_calls("<tool_call>{name: lookup}</tool_call>", [_tool()])
    assert bad.tool_calls[0].parse_error and "could not parse" in bad.tool_calls[0].parse_error
    none = parse_tool_calls("plain answer", [_tool()])
    assert none.tool_calls == [] and none.text == "plain answer"


@pytest.mark.slow
def test_smollm2_generates_honours_config_and_is_deterministic():
    m = get_model("coalign/smollm2", config=GenerateConfig(max_tokens=12, temperature=0.0, seed=1))
    prompts = ["Name a planet.", "What is 2 + 2?", "Say hello."]

    async def both():
        seq = [await m.generate(p, cache=False) for p in prompts]
        par = await asyncio.gather(*(m.generate(p, cache=False) for p in prompts))
        return seq, par

    seq, par = run(both())
    # the lock makes concurrent use safe: concurrent answers equal sequential ones
    assert [o.completion for o in seq] == [o.completion for o in par]
    for o in seq:
        assert 0 < o.usage.output_tokens <= 12 and o.usage.input_tokens > 0
    stopped = run(
        m.generate(
            [ChatMessageUser(content="Count: 1, 2, 3, 4, 5, 6, 7")],
            config=GenerateConfig(max_tokens=40, stop_seqs=[","]),
            cache=False,
        )
    )
    assert "," not in stopped.completion


def test_loglik_unsupported_provider_names_the_model_and_the_alternatives():
    with pytest.raises(LoglikUnsupportedError) as e:
        loglik_scorer(get_model("coalign/scripted"))
    msg = str(e.value)
    assert "coalign/scripted" in msg and "ScriptedAPI" in msg
    for supported in ("coalign/smollm2", "coalign/gguf", "coalign/hf", "hf/<model>"):
        assert supported in msg
    assert isinstance(e.value, ValueError)  # callers that catch ValueError keep working


def test_loglik_module_imports_no_heavy_library():
    import subprocess
    import sys

    code = (
        "import sys, coalign.models.loglik, coalign.models.providers, coalign.models.hf_provider;"
        "print([m for m in ('torch', 'transformers', 'llama_cpp') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.slow  # imports torch and transformers (no download: a tiny model in memory)
def test_transformers_scorer_matches_manual_computation():
    """CausalLMScorer over an external (model, tokenizer), as for Inspect's hf/ provider."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    from coalign.models.hf import CausalLMScorer

    words = ["<unk>", "user:", "assistant:", "system:", "hello", "there", "good", "day", "to"]
    vocab = {w: i for i, w in enumerate([*words, "you"])}
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
    scorer = CausalLMScorer(model, tokenizer)
    messages = [{"role": "user", "content": "hello there"}]

    def manual(continuation: str) -> float:
        # One full forward pass over prompt + continuation, no cache.
        ids = tokenizer(f"user: hello there\nassistant: {continuation}")["input_ids"]
        n = len(tokenizer(continuation)["input_ids"])
        with torch.no_grad():
            logp = torch.log_softmax(model(torch.tensor([ids])).logits[0], -1)
        return sum(logp[i - 1, ids[i]].item() for i in range(len(ids) - n, len(ids)))

    conts = ["good day to you", "good day", "you", ""]
    got = scorer.loglik_many(messages, conts)
    assert [r.n_tokens for r in got] == [4, 2, 1, 0]
    for c, r in zip(conts[:3], got[:3], strict=True):
        assert r.logprob == pytest.approx(manual(c), abs=1e-4)
    assert got[3].logprob == 0.0
    assert scorer.loglik(messages, "good day to you") == got[0]


@pytest.mark.slow
def test_smollm2_loglik_prefers_the_true_answer():
    scorer = loglik_scorer("coalign/smollm2")
    assert scorer.name == "coalign/smollm2"
    msgs = [{"role": "user", "content": "What is the capital of France?"}]
    good, bad = scorer.loglik_many(
        msgs, ["The capital of France is Paris.", "The capital of France is Berlin."]
    )
    assert good.n_tokens == bad.n_tokens > 3
    assert good.logprob > bad.logprob and good.mean < 0


@pytest.mark.slow
def test_gguf_loglik_many_equals_fresh_scoring_of_each_continuation():
    from coalign.models.gguf import smollm2_path, smollm2_runtime

    msgs = [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "What is the capital of France?"},
    ]
    # Continuations that share prefixes with each other exercise the KV-cache reuse.
    conts = ["Paris", "Paris is the capital.", "", "The capital is Paris.", "Paris"]
    rt = smollm2_runtime()
    fresh = [rt.loglik(msgs, c) for c in conts]  # each one from an empty cache
    for scorer in (
        loglik_scorer("coalign/smollm2"),
        loglik_scorer(get_model("coalign/gguf", path=str(smollm2_path()))),
    ):
        many = scorer.loglik_many(msgs, conts)
        assert [m.n_tokens for m in many] == [f.n_tokens for f in fresh]
        assert [m.logprob for m in many] == pytest.approx([f.logprob for f in fresh], abs=1e-4)
    assert fresh[2].n_tokens == 0 and fresh[0] == fresh[4]

    # Thread-safe: concurrent callers get the same numbers as a lone caller.
    scorer = loglik_scorer("coalign/smollm2")
    results: list[list] = [[] for _ in range(4)]

    def work(i: int) -> None:
        results[i] = scorer.loglik_many(msgs, conts[i:] + conts[:i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, got in enumerate(results):
        expect = fresh[i:] + fresh[:i]
        assert [g.logprob for g in got] == pytest.approx([e.logprob for e in expect], abs=1e-4)
