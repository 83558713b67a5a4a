"""The OpenAI chat fine-tuning format, and the checks of OpenAI's data preparation guide.

One line per conversation: ``{"messages": [...], "tools": [...]}``. Messages:

* ``system`` — a neutral prompt naming the business category (the business's own prompt
  names the business, so it is not exported);
* ``user`` — the anonymized text;
* ``assistant`` — the anonymized text; one that calls tools carries ``tool_calls``
  (``{"id", "type": "function", "function": {"name", "arguments": JSON string}}``) and has
  no ``content`` key unless the agent also wrote text (content is never empty or null);
* ``tool`` — ``{"role": "tool", "tool_call_id", "content"}`` with the anonymized result.

The example is cut after its last assistant message (a trailing user message teaches
nothing). ``tools`` holds the JSON-schema definitions of Mostrador's tools.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from crm.models import CorpusRecord

SYSTEM_PROMPTS = {
    "es": "Sos el asistente virtual de un negocio ({category}). Respondés en español, con "
          "calidez y en pocas palabras, y usás las herramientas para consultar servicios, "
          "disponibilidad y turnos.",
    "en": "You are the virtual assistant of a business ({category}). Answer briefly and "
          "warmly, and use the tools to look up services, availability and appointments.",
}
ROLES = ("system", "user", "assistant", "tool")


@lru_cache(maxsize=1)
def tool_definitions() -> tuple[dict[str, Any], ...]:
    """Mostrador's tools in the OpenAI ``tools`` shape, as the agent's model sees them."""
    from langchain_core.utils.function_calling import convert_to_openai_tool

    from tools.registry import ALL_TOOL_FUNCTIONS

    return tuple(convert_to_openai_tool(t) for t in ALL_TOOL_FUNCTIONS)


def to_openai(record: CorpusRecord, *, tools: bool = True) -> dict[str, Any]:
    """The training example of one record (without ``tools`` when ``tools`` is False: the
    writer appends the definitions, encoded once)."""
    system = SYSTEM_PROMPTS.get(record.language, SYSTEM_PROMPTS["es"])
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": system.format(category=record.tenant_category)}]
    for m in record.messages:
        if m["role"] == "user":
            if m["content"].strip():
                messages.append({"role": "user", "content": m["content"]})
        elif m["role"] == "assistant":
            out: dict[str, Any] = {"role": "assistant"}
            if m.get("content"):
                out["content"] = m["content"]
            if m.get("tool_calls"):
                out["tool_calls"] = [
                    {"id": c["id"], "type": "function",
                     "function": {"name": c["name"],
                                  "arguments": json.dumps(c["arguments"], ensure_ascii=False)}}
                    for c in m["tool_calls"]]
            if len(out) > 1:
                messages.append(out)
        else:
            messages.append({"role": "tool", "tool_call_id": m["tool_call_id"],
                             "content": m["content"] or "{}"})
    last = max((i for i, m in enumerate(messages)
                if m["role"] == "assistant" and "content" in m), default=0)
    example: dict[str, Any] = {"messages": messages[:last + 1]}
    if tools:
        example["tools"] = list(tool_definitions())
    return example


def validate(example: dict[str, Any]) -> list[str]:
    """Format errors of one example (empty when it is valid).

    The checks of OpenAI's guide ("Data preparation and analysis for chat model
    fine-tuning"): a ``messages`` list; known keys and roles; string, non-empty content;
    at least one assistant message — extended to tool calls: every ``tool_calls`` entry is
    a function call with an id, a name and JSON-object arguments, every tool message
    answers an earlier call, and every call is answered before the next assistant message.
    """
    errors: list[str] = []
    messages = example.get("messages")
    if not isinstance(messages, list) or not messages:
        return ["missing_messages_list"]
    tools = example.get("tools", [])
    names = {t.get("function", {}).get("name") for t in tools if isinstance(t, dict)}
    pending: set[str] = set()
    for m in messages:
        if not isinstance(m, dict) or m.get("role") not in ROLES:
            errors.append("unrecognized_role")
            continue
        role = m["role"]
        allowed = {"role", "content", "name", "weight", "tool_calls", "tool_call_id"}
        if set(m) - allowed:
            errors.append("message_unrecognized_key")
        content = m.get("content")
        calls = m.get("tool_calls")
        if role == "assistant" and calls:
            if "content" in m and (not isinstance(content, str) or not content):
                errors.append("empty_content")
            if pending:
                errors.append("tool_call_unanswered")
            for call in calls:
                fn = call.get("function") or {}
                if call.get("type") != "function" or not call.get("id") or not fn.get("name"):
                    errors.append("bad_tool_call")
                    continue
                if names and fn["name"] not in names:
                    errors.append("unknown_tool")
                try:
                    if not isinstance(json.loads(fn.get("arguments", "")), dict):
                        errors.append("bad_tool_arguments")
                except ValueError:
                    errors.append("bad_tool_arguments")
                pending.add(call["id"])
            continue
        if not isinstance(content, str) or not content.strip():
            errors.append("missing_content")
        if role == "tool":
            if m.get("tool_call_id") not in pending:
                errors.append("tool_message_without_call")
            pending.discard(m.get("tool_call_id", ""))
        elif role == "assistant" and pending:
            errors.append("tool_call_unanswered")
    if pending:
        errors.append("tool_call_unanswered")
    if not any(m.get("role") == "assistant" for m in messages if isinstance(m, dict)):
        errors.append("example_missing_assistant_message")
    return errors
