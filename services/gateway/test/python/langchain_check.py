"""LangChain's ChatOpenAI, unmodified, against an assistant through the gateway.

Run by services/gateway/test/openai-compat.test.ts with the venv of
scripts/lib/openai-python-venv.sh; OPENAI_BASE_URL, OPENAI_API_KEY and LAB_MODEL name the
platform, the caller and the assistant. Every check asserts; the script prints one line per
passed check and exits non-zero at the first that fails.
"""

import os
import sys

from langchain_core.messages import HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, Field

llm = ChatOpenAI(
    model=os.environ["LAB_MODEL"],
    base_url=os.environ["OPENAI_BASE_URL"],
    max_retries=0,
)


def check(name, condition, detail=""):
    if not condition:
        print(f"FAILED {name}: {detail!r}", file=sys.stderr)
        sys.exit(1)
    print(f"ok {name}")


reply = llm.invoke(
    [SystemMessage("Answer briefly."), HumanMessage("Help me plan my week. LC-INVOKE")]
)
check(
    "invoke",
    isinstance(reply.content, str)
    and reply.content != ""
    and reply.response_metadata.get("finish_reason") == "stop"
    and reply.usage_metadata["total_tokens"] > 0,
    reply,
)

pieces = [chunk.content for chunk in llm.stream("And streamed? LC-STREAM")]
check("stream", len(pieces) > 1 and "".join(pieces) != "", pieces)

capped = llm.bind(max_tokens=5).invoke("A long story please. LC-CAP")
check(
    "max_tokens",
    capped.response_metadata.get("finish_reason") == "length"
    and capped.usage_metadata["output_tokens"] <= 5,
    capped,
)


@tool
def get_weather(city: str) -> str:
    """The weather in a city today."""
    return "Light rain, 9 C"


with_tools = llm.bind_tools([get_weather])
asked = [HumanMessage("What is the weather in Oslo? LC-TOOLS")]
called = with_tools.invoke(asked)
check(
    "bind_tools",
    len(called.tool_calls) == 1
    and called.tool_calls[0]["name"] == "get_weather"
    and isinstance(called.tool_calls[0]["args"].get("city"), str),
    called,
)
answer = with_tools.invoke(
    asked
    + [called, ToolMessage(get_weather.invoke(called.tool_calls[0]["args"]), tool_call_id=called.tool_calls[0]["id"])]
)
check("tool result", "Light rain, 9 C" in answer.content, answer)


class Plan(BaseModel):
    """A week's plan."""

    title: str = Field(description="What the plan is called")
    days: int = Field(description="How many days it covers")


structured = llm.with_structured_output(Plan)
plan = structured.invoke("Plan my week as JSON. LC-STRUCTURED")
check("with_structured_output", isinstance(plan, Plan) and isinstance(plan.days, int), plan)

by_tool = llm.with_structured_output(Plan, method="function_calling")
plan = by_tool.invoke("Plan my week. LC-STRUCTURED-TOOL")
check("with_structured_output (function_calling)", isinstance(plan, Plan), plan)
