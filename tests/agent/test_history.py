"""The stored transcript becomes a message list an OpenAI-compatible server accepts."""

from __future__ import annotations

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from agent.history import to_langchain
from crm.models import Message, MessageRole


def _m(role: str, text: str = "", **kw: object) -> Message:
    return Message(conversation_id="c", role=MessageRole(role), text=text, **kw)


def test_window_starts_at_a_user_message() -> None:
    rows = [_m("tool", "{}", tool_call_id="a", tool_name="list_services"),
            _m("assistant", "listo"), _m("user", "hola"), _m("assistant", "¡hola!")]
    out = to_langchain(rows)
    assert [type(m) for m in out] == [HumanMessage, AIMessage]


def test_a_tool_call_without_its_result_is_dropped() -> None:
    call = {"id": "c1", "name": "list_services", "args": {}}
    done = {"id": "c0", "name": "business_info", "args": {"topic": "horarios"}}
    rows = [_m("user", "hola"), _m("assistant", tool_calls=[done]),
            _m("tool", "{}", tool_call_id="c0", tool_name="business_info"),
            _m("assistant", tool_calls=[call]),  # cut off before its result was stored
            _m("assistant", "Perdón, tuve un problema."), _m("user", "¿y ahora?")]
    out = to_langchain(rows)
    assert [type(m).__name__ for m in out] == ["HumanMessage", "AIMessage", "ToolMessage",
                                              "AIMessage", "HumanMessage"]
    assert out[1].tool_calls[0]["id"] == "c0"  # type: ignore[attr-defined]
    assert isinstance(out[2], ToolMessage) and out[2].tool_call_id == "c0"
