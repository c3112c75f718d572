"""The official openai Python SDK, unmodified, against an assistant through the gateway.

Run by services/gateway/test/openai-compat.test.ts with the venv of
scripts/lib/openai-python-venv.sh; OPENAI_BASE_URL, OPENAI_API_KEY and LAB_MODEL name the
platform, the caller and the assistant. Every check asserts; the script prints one line per
passed check and exits non-zero at the first that fails.
"""

import json
import os
import sys

import openai
from pydantic import BaseModel

MODEL = os.environ["LAB_MODEL"]
client = openai.OpenAI(max_retries=0)


def check(name, condition, detail=""):
    if not condition:
        print(f"FAILED {name}: {detail}", file=sys.stderr)
        sys.exit(1)
    print(f"ok {name}")


completion = client.chat.completions.create(
    model=MODEL,
    messages=[
        {"role": "system", "content": "Answer briefly."},
        {"role": "user", "content": "Help me plan my week. PY-CHAT"},
    ],
)
choice = completion.choices[0]
check("chat", bool(choice.message.content) and choice.finish_reason == "stop", completion)

text = ""
finish = None
usage = None
for chunk in client.chat.completions.create(
    model=MODEL,
    messages=[{"role": "user", "content": "And streamed? PY-STREAM"}],
    stream=True,
    stream_options={"include_usage": True},
):
    if chunk.choices:
        text += chunk.choices[0].delta.content or ""
        finish = chunk.choices[0].finish_reason or finish
    if chunk.usage:
        usage = chunk.usage
check("stream", bool(text) and finish == "stop" and usage.total_tokens > 0, (text, finish))

capped = client.chat.completions.create(
    model=MODEL,
    messages=[{"role": "user", "content": "A long story please. PY-CAP"}],
    max_tokens=5,
)
check(
    "max_tokens",
    capped.choices[0].finish_reason == "length" and capped.usage.completion_tokens <= 5,
    capped,
)


class Day(BaseModel):
    day: str
    focus: str


class Plan(BaseModel):
    title: str
    days: list[Day]


parsed = client.chat.completions.parse(
    model=MODEL,
    messages=[{"role": "user", "content": "Plan my week as data. PY-PARSE"}],
    response_format=Plan,
)
message = parsed.choices[0].message
check("parse", isinstance(message.parsed, Plan) and message.refusal is None, message)

with client.chat.completions.stream(
    model=MODEL,
    messages=[{"role": "user", "content": "Plan my week, streamed. PY-PARSE-STREAM"}],
    response_format=Plan,
) as stream:
    final = stream.get_final_completion()
check("parse stream", isinstance(final.choices[0].message.parsed, Plan), final)

as_json = client.chat.completions.create(
    model=MODEL,
    messages=[{"role": "user", "content": "Answer in JSON. PY-JSON"}],
    response_format={"type": "json_object"},
)
check("json_object", isinstance(json.loads(as_json.choices[0].message.content), dict))

raw = client.chat.completions.with_raw_response.create(
    model=MODEL,
    messages=[{"role": "user", "content": "Hello. PY-EXTRA"}],
    extra_body={"reasoning_effort": "low", "service_tier": "auto"},
)
check(
    "unknown parameters",
    raw.headers.get("warning") == '299 - "ignored parameters: reasoning_effort, service_tier"',
    raw.headers.get("warning"),
)

try:
    client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "Hi"}], top_p=7
    )
    check("bad request", False, "no error")
except openai.BadRequestError as error:
    check(
        "bad request",
        error.param == "top_p" and error.type == "invalid_request_error" and "top_p" in error.message,
        error.body,
    )

try:
    client.models.retrieve("assistant/NOPE0000")
    check("not found", False, "no error")
except openai.NotFoundError as error:
    check("not found", error.code == "model_not_found", error.body)

weather = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
asked = [{"role": "user", "content": "Will it rain in Oslo? PY-TOOLS"}]
called = client.chat.completions.create(model=MODEL, messages=asked, tools=[weather])
calls = called.choices[0].message.tool_calls
check("tool call", called.choices[0].finish_reason == "tool_calls" and len(calls) == 1, called)
answered = client.chat.completions.create(
    model=MODEL,
    tools=[weather],
    messages=asked
    + [
        called.choices[0].message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": calls[0].id, "content": "Light rain, 9 C"},
    ],
)
check("tool result", "Light rain, 9 C" in answered.choices[0].message.content, answered)

several = client.chat.completions.create(
    model=MODEL,
    messages=[{"role": "user", "content": "Three ways to plan Monday. PY-N"}],
    n=3,
    logprobs=True,
    top_logprobs=2,
)
texts = [c.message.content for c in several.choices]
check(
    "n",
    [c.index for c in several.choices] == [0, 1, 2] and len(set(texts)) == 3,
    several,
)
tokens = several.choices[1].logprobs.content
check(
    "logprobs",
    "".join(t.token for t in tokens) == texts[1]
    and all(len(t.top_logprobs) == 2 and t.logprob <= 0 for t in tokens),
    several.choices[1].logprobs,
)

model = client.models.retrieve(MODEL)
check("model", model.id == MODEL and model.assistant["code"] == MODEL.split("/")[1], model)
check("models", MODEL in [m.id for m in client.models.list()])
