"""Mapping between the stored transcript and LangChain messages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from crm.models import Message, MessageRole


def to_langchain(rows: Sequence[Message]) -> list[BaseMessage]:
    """Stored messages as LangChain messages that an OpenAI-compatible server accepts.

    The window starts at a user message (a cut through a tool exchange would orphan tool
    results), and tool calls whose result was never stored (a turn cut off mid-step) are
    dropped with any orphan result, since OpenAI rejects either.
    """
    answered = {r.tool_call_id for r in rows if r.role == MessageRole.tool}
    called = {c["id"] for r in rows for c in (r.tool_calls or [])}
    out: list[BaseMessage] = []
    for row in rows:
        if not out and row.role != MessageRole.user:
            continue
        if row.role == MessageRole.user:
            out.append(HumanMessage(content=row.text))
        elif row.role == MessageRole.assistant:
            calls = [{"name": c["name"], "args": c.get("args", {}), "id": c["id"],
                      "type": "tool_call"} for c in row.tool_calls or [] if c["id"] in answered]
            if calls or row.text:
                out.append(AIMessage(content=row.text, tool_calls=calls))
        elif row.role == MessageRole.staff:
            # The business spoke through a person while it held the conversation: the
            # agent, answering again, knows what was said.
            if row.text:
                out.append(AIMessage(content=row.text))
        elif row.tool_call_id in called:
            out.append(ToolMessage(content=row.text, tool_call_id=row.tool_call_id or "",
                                   name=row.tool_name))
    return out


def stored_fields(message: BaseMessage) -> dict[str, Any] | None:
    """The Message columns for a LangChain message the graph produced, or None to skip."""
    if isinstance(message, AIMessage):
        calls = [{"id": c["id"], "name": c["name"], "args": c["args"]}
                 for c in message.tool_calls]
        return {"role": MessageRole.assistant, "text": _text(message.content),
                "tool_calls": calls or None}
    if isinstance(message, ToolMessage):
        return {"role": MessageRole.tool, "text": _text(message.content),
                "tool_call_id": message.tool_call_id, "tool_name": message.name}
    return None


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks
        return "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return str(content)
