"""ChatOpenAI adjusted for the OpenAI-compatible servers people actually run.

- llama.cpp's server answers HTTP 500 to an assistant message whose `content` is null beside
  `tool_calls` (langchain-openai sends null): we send "" instead.
- Small local models (or their servers' chat templates) often leave tool calls in the text:
  JSON, `<tool_call>` / `<tools>` tags, `[TOOL_CALLS]`, `<|python_tag|>`, a bare tool name
  (agent.tool_text reads every dialect). Calls to bound tools become real tool calls; bare
  arguments become a call to the one bound tool whose schema they fit.
- We never send tool_choice="required" (llama.cpp rejects it); create_agent does not either.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatResult
from langchain_openai import ChatOpenAI

from agent.tool_text import Params, parse_text_tool_calls


def _tool_params(kwargs: dict[str, Any]) -> Params:
    """Each bound tool's required and known parameters, from the schemas sent."""
    params: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
    for spec in kwargs.get("tools") or []:
        function = spec.get("function", spec) if isinstance(spec, dict) else {}
        if isinstance(function, dict) and function.get("name"):
            schema = function.get("parameters") or {}
            known = frozenset((schema.get("properties") or {}) if isinstance(schema, dict)
                              else ())
            required = frozenset(schema.get("required") or ()) if isinstance(schema, dict) \
                else frozenset()
            params[function["name"]] = (required & known, known)
    return params


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
        params = _tool_params(kwargs)
        names = set(params)
        for generation in result.generations:
            message = generation.message
            if isinstance(message, AIMessage) and not message.tool_calls and names:
                calls = parse_text_tool_calls(str(message.content), names, params)
                if calls:
                    generation.message = AIMessage(
                        content="", tool_calls=calls, id=message.id,
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
