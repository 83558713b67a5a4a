"""ChatOpenAI adjusted for the OpenAI-compatible servers people actually run.

- llama.cpp's server answers HTTP 500 to an assistant message whose `content` is null beside
  `tool_calls` (langchain-openai sends null): we send "" instead.
- Small local models sometimes answer a tool call as a JSON text block with
  finish_reason "stop": when the text is exactly such a call to a bound tool, it becomes a
  real tool call.
- We never send tool_choice="required" (llama.cpp rejects it); create_agent does not either.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatResult
from langchain_openai import ChatOpenAI

_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.S)


def _tool_names(kwargs: dict[str, Any]) -> set[str]:
    names = set()
    for spec in kwargs.get("tools") or []:
        function = spec.get("function", spec) if isinstance(spec, dict) else {}
        if isinstance(function, dict) and function.get("name"):
            names.add(function["name"])
    return names


def text_tool_call(content: str, tool_names: set[str]) -> dict[str, Any] | None:
    """The tool call a text block spells out, if it is nothing but one; else None."""
    text = content.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    if not (text.startswith("{") and text.endswith("}")):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("function"), dict):  # {"type": "function", "function": {...}}
        data = data["function"]
    name = data.get("name") or data.get("tool")
    args = data.get("arguments", data.get("parameters", data.get("args", {})))
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except ValueError:
            return None
    if name not in tool_names or not isinstance(args, dict):
        return None
    return {"name": name, "args": args, "id": f"call_{uuid.uuid4().hex[:24]}", "type": "tool_call"}


class CompatChatOpenAI(ChatOpenAI):
    """ChatOpenAI that works with llama.cpp, vLLM and Ollama as well as OpenAI."""

    def _get_request_payload(self, input_: Any, *, stop: Any = None, **kwargs: Any) -> dict:
        payload = super()._get_request_payload(input_, stop=stop, **kwargs)
        for message in payload.get("messages", []):
            if message.get("role") == "assistant" and message.get("content") is None:
                message["content"] = ""
        if payload.get("tool_choice") == "required":
            payload.pop("tool_choice")
        return payload

    def _fix_text_tool_calls(self, result: ChatResult, kwargs: dict[str, Any]) -> ChatResult:
        names = _tool_names(kwargs)
        for generation in result.generations:
            message = generation.message
            if isinstance(message, AIMessage) and not message.tool_calls and names:
                call = text_tool_call(str(message.content), names)
                if call is not None:
                    generation.message = AIMessage(
                        content="", tool_calls=[call], id=message.id,
                        response_metadata=message.response_metadata,
                        usage_metadata=message.usage_metadata,
                    )
        return result

    def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None,
                  **kwargs: Any) -> ChatResult:
        result = super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)
        return self._fix_text_tool_calls(result, kwargs)

    async def _agenerate(self, messages: Any, stop: Any = None, run_manager: Any = None,
                         **kwargs: Any) -> ChatResult:
        result = await super()._agenerate(messages, stop=stop, run_manager=run_manager, **kwargs)
        return self._fix_text_tool_calls(result, kwargs)
