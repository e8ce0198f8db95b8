import asyncio

import pytest
from inspect_ai.model import ChatMessageUser, GenerateConfig, get_model
from inspect_ai.tool import ToolInfo, ToolParam, ToolParams

from coalign.io import InputError
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


@pytest.mark.slow
def test_smollm2_loglik_prefers_the_true_answer():
    from coalign.models.gguf import smollm2_runtime

    rt = smollm2_runtime()
    msgs = [{"role": "user", "content": "What is the capital of France?"}]
    good = rt.loglik(msgs, "The capital of France is Paris.")
    bad = rt.loglik(msgs, "The capital of France is Berlin.")
    assert good.n_tokens == bad.n_tokens > 3
    assert good.logprob > bad.logprob and good.mean < 0
