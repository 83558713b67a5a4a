"""The offline model inside a real `create_agent` graph, reading its profile from the runtime."""

from __future__ import annotations

import json
from typing import Any

from langchain.agents import create_agent
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool

from agent.context import TurnContext
from agent.offline import OfflineChatModel
from agent.profile import AgentProfile
from tests.agent.offline.offline_support import NOW, make_profile, upcoming

CALLS: list[tuple[str, dict[str, Any]]] = []


@tool
def save_contact_details(
    name: str | None = None, phone: str | None = None, email: str | None = None,
    notes: str | None = None,
) -> str:
    """Save the contact's details."""
    CALLS.append(("save_contact_details", {"name": name, "phone": phone}))
    return json.dumps({"ok": True, "contact": {"name": name, "phone": "+5491155551234"}})


@tool
def book_appointment(service: str, day: str, time: str) -> str:
    """Book an appointment."""
    CALLS.append(("book_appointment", {"service": service, "day": day, "time": time}))
    start = f"{day}T{time}:00-03:00"
    return json.dumps({"ok": True, "appointment": {
        "id": "apt9", "service": service, "start": start, "end": start, "status": "confirmada",
    }})


@tool
def list_services() -> str:
    """List the services."""
    return json.dumps({"services": [{"name": "Limpieza dental", "price": "$ 25.000"}]})


def turn_context(profile: AgentProfile) -> TurnContext:
    # The CRM handles are unused by these fake tools; the model reads only `.profile`.
    return TurnContext(
        db=None, tenant=None, contact=None, conversation=None, now=NOW,  # type: ignore[arg-type]
        profile=profile,
    )


def run_turn(history: list[BaseMessage], text: str, profile: AgentProfile) -> list[BaseMessage]:
    graph = create_agent(
        OfflineChatModel(),
        [save_contact_details, book_appointment, list_services],
        context_schema=TurnContext,
    )
    payload: Any = {"messages": [SystemMessage("(prompt)"), *history, HumanMessage(text)]}
    state = graph.invoke(payload, context=turn_context(profile))
    return list(state["messages"])


def test_whatsapp_booking_runs_through_a_real_agent_graph() -> None:
    CALLS.clear()
    profile = make_profile(contact_phone="+5491155551234")
    first = run_turn([], "Hola, quiero un turno mañana a las 10, soy Ana", profile)
    assert first[-1].text.startswith("¡Hola, Ana! ¿Qué servicio querés?")
    # The name is saved as soon as it is given: the lead exists even if she never books.
    assert CALLS == [("save_contact_details", {"name": "Ana", "phone": None})]

    history = [m for m in first[1:] if not isinstance(m, SystemMessage)]
    second = run_turn(history, "limpieza", profile)
    assert CALLS[1:] == [
        ("book_appointment", {"service": "Limpieza dental", "day": "2026-11-24", "time": "10:00"}),
    ]
    assert [type(m).__name__ for m in second[len(history) + 2:]] == [
        "AIMessage", "ToolMessage", "AIMessage",
    ]
    assert second[-1].content == (
        "¡Listo, Ana! Te reservé Limpieza dental el martes 24/11 a las 10:00. ¡Te esperamos!"
    )


def test_history_that_kept_only_content_and_tool_calls_is_enough() -> None:
    # What the DB persists: content and tool_calls, no ids or metadata on the messages.
    profile = make_profile(contact_name="Ana", contact_phone="+5491155551234")
    history: list[BaseMessage] = [
        HumanMessage("cuánto sale la limpieza?"),
        AIMessage(content="", tool_calls=[{"name": "list_services", "args": {}, "id": "call_2"}]),
        ToolMessage(json.dumps({"services": []}), tool_call_id="call_2", name="list_services"),
        AIMessage(content="Estos son nuestros servicios:\n\n¿Querés reservar un turno?"),
    ]
    CALLS.clear()
    messages = run_turn(history, "dale, mañana a las 10", profile)
    assert CALLS == [
        ("book_appointment", {"service": "Limpieza dental", "day": "2026-11-24", "time": "10:00"}),
    ]
    assert messages[-1].text.startswith("¡Listo, Ana! Te reservé Limpieza dental")


def test_only_bound_tools_are_called() -> None:
    profile = make_profile(upcoming=(upcoming(),))
    graph = create_agent(OfflineChatModel(), [list_services], context_schema=TurnContext)
    payload: Any = {"messages": [HumanMessage("quiero cancelar mi turno")]}
    state = graph.invoke(payload, context=turn_context(profile))
    last = state["messages"][-1]
    assert not last.tool_calls
    assert last.text.startswith("Eso no lo puedo hacer por acá")
