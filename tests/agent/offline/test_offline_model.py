"""The model's contract: deterministic, bindable, never silent, and fast."""

from __future__ import annotations

import time

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.tools import tool

from agent.offline import MissingProfileError, OfflineChatModel
from tests.agent.offline.offline_support import Chat, call_of, make_profile


@tool
def list_services() -> str:
    """List the services."""
    return "{}"


def test_same_messages_and_profile_give_the_same_message() -> None:
    messages = [SystemMessage("p"), HumanMessage("quiero una limpieza el lunes 15:30, soy Ana")]
    first = OfflineChatModel(agent_profile=make_profile()).invoke(messages)
    second = OfflineChatModel(agent_profile=make_profile()).invoke(messages)
    assert (first.content, first.tool_calls) == (second.content, second.tool_calls)


def test_tool_call_ids_are_deterministic_and_unique_in_a_conversation() -> None:
    ids = []
    for _ in range(2):
        chat = Chat(OfflineChatModel(agent_profile=make_profile()))
        first = chat.user("precios").tool_calls[0]["id"]
        chat.tool({"services": []})
        second = chat.user("dónde están?").tool_calls[0]["id"]
        ids.append((first, second))
    assert ids[0] == ids[1]  # same messages, same ids
    assert ids[0][0] != ids[0][1] and ids[0][0].startswith("call_2_")


def test_profile_keyword_is_accepted_as_an_alias_for_agent_profile() -> None:
    profile = make_profile()
    model = OfflineChatModel(profile=profile)
    assert model.agent_profile is profile
    assert model.profile is None  # LangChain's ModelProfile stays untouched


def test_bind_tools_returns_a_working_model_limited_to_those_tools() -> None:
    model = OfflineChatModel(agent_profile=make_profile()).bind_tools([list_services])
    assert call_of(model.invoke([HumanMessage("precios")])) == ("list_services", {})
    reply = model.invoke([HumanMessage("dónde están?")])
    assert reply.text.startswith("Eso no lo puedo hacer por acá")


def test_services_are_listed_from_the_profile_when_list_services_is_disabled() -> None:
    model = OfflineChatModel(agent_profile=make_profile(), tool_names=("book_appointment",))
    reply = model.invoke([HumanMessage("qué servicios tienen?")])
    assert "• Limpieza dental (45 min): $ 25.000" in reply.content


def test_calling_without_a_profile_outside_a_graph_is_an_operator_error() -> None:
    with pytest.raises(MissingProfileError):
        OfflineChatModel().invoke([HumanMessage("hola")])


def test_the_same_failing_call_is_not_repeated_within_a_turn() -> None:
    chat = Chat(OfflineChatModel(agent_profile=make_profile(contact_name="Ana",
                                                           contact_phone="+5491155551234")))
    chat.user("limpieza mañana a las 10")
    check = chat.tool({"ok": False, "error": "Ocupado.", "code": "slot_taken"})
    assert call_of(check)[0] == "check_availability"
    reply = chat.tool({"ok": False, "error": "Ocupado.", "code": "slot_taken"})
    assert not reply.tool_calls
    assert reply.content == "Ese horario no está disponible. ¿A qué hora te queda bien?"


@pytest.mark.parametrize(
    "text",
    ["", "   ", "???", "1234", "🙂", "jajaja", "no", "sí", "ok", "$ 25.000", "el", "hola hola"],
)
def test_odd_messages_always_get_a_non_empty_reply(text: str) -> None:
    reply = OfflineChatModel(agent_profile=make_profile()).invoke([HumanMessage(text)])
    assert reply.tool_calls or reply.text.strip()


def test_a_model_call_on_a_long_conversation_takes_a_few_milliseconds() -> None:
    chat = Chat(OfflineChatModel(agent_profile=make_profile(contact_phone="+5491155551234")))
    for text in ["hola", "quiero un turno", "limpieza", "mañana", "precios", "gracias"] * 5:
        if isinstance(chat.user(text), AIMessage) and chat.last.tool_calls:
            chat.tool({"ok": True, "services": [], "days": []})
    start = time.perf_counter()
    for _ in range(20):
        chat.model.invoke(chat.messages)
    per_call_ms = (time.perf_counter() - start) * 1000 / 20
    assert per_call_ms < 25, per_call_ms  # typically ~5 ms on 2 cores for ~100 messages
