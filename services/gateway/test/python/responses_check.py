"""The official openai Python SDK's Responses API, unmodified, against an assistant.

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
        print(f"FAILED {name}: {detail!r}", file=sys.stderr)
        sys.exit(1)
    print(f"ok {name}")


created = client.responses.create(
    model=MODEL,
    instructions="Answer briefly.",
    input="Help me plan my week. PYR-CREATE",
)
check(
    "create",
    created.status == "completed" and created.output_text != "" and created.usage.total_tokens > 0,
    created,
)

kinds = []
with client.responses.stream(model=MODEL, input="And streamed? PYR-STREAM") as stream:
    for event in stream:
        kinds.append(event.type)
    final = stream.get_final_response()
check(
    "stream",
    kinds[0] == "response.created"
    and kinds[-1] == "response.completed"
    and "response.output_text.delta" in kinds
    and final.output_text != "",
    kinds,
)


class Plan(BaseModel):
    title: str
    days: int


parsed = client.responses.parse(
    model=MODEL, input="Plan my week as JSON. PYR-PARSE", text_format=Plan
)
check("parse", isinstance(parsed.output_parsed, Plan), parsed)

weather = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather in a city today",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    },
    "strict": True,
}
asked = [{"role": "user", "content": "What is the weather in Oslo? PYR-TOOLS"}]
called = client.responses.create(model=MODEL, input=asked, tools=[weather])
calls = [item for item in called.output if item.type == "function_call"]
check(
    "function call",
    len(calls) == 1 and calls[0].name == "get_weather" and "city" in json.loads(calls[0].arguments),
    called,
)
answered = client.responses.create(
    model=MODEL,
    tools=[weather],
    input=asked
    + [
        calls[0].model_dump(exclude_none=True),
        {"type": "function_call_output", "call_id": calls[0].call_id, "output": "Light rain, 9 C"},
    ],
)
check("function result", "Light rain, 9 C" in answered.output_text, answered)

try:
    client.responses.create(model=MODEL, input="x", temperature=7)
    check("bad request", False, "no error")
except openai.BadRequestError as error:
    check("bad request", error.param == "temperature", error.body)

# Stored responses (decision 0022): a chain, read back, deleted.
first = client.responses.create(
    model=MODEL, store=True, input="My name is Ada. PYR-STORED-1"
)
second = client.responses.create(
    model=MODEL,
    store=True,
    previous_response_id=first.id,
    input="What is my name? PYR-STORED-2",
)
check(
    "stored chain",
    first.store is True
    and second.previous_response_id == first.id
    and second.output_text != "",
    second,
)
retrieved = client.responses.retrieve(second.id)
items = client.responses.input_items.list(second.id)
check(
    "stored retrieve",
    retrieved.output_text == second.output_text
    and retrieved.previous_response_id == first.id
    and [item.content[0].text for item in items.data] == ["What is my name? PYR-STORED-2"],
    (retrieved, items),
)
client.responses.delete(first.id)
try:
    client.responses.retrieve(first.id)
    check("stored delete", False, "still there")
except openai.NotFoundError:
    check("stored delete", True)
