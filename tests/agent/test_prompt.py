"""What the model is told: a stable prompt a server can cache, a calendar instead of date
arithmetic, numbered appointments instead of ids, and a context that fits its window."""

from __future__ import annotations

import json
from datetime import date, time
from zoneinfo import ZoneInfo

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from sqlmodel import Session, select

from agent.context_budget import estimate, fit
from agent.profile import AgentProfile
from agent.prompt import context_note
from agent.runtime import AgentRuntime, Inbound, TurnResult
from crm.models import Appointment, Channel, Contact, Conversation, Message, MessageRole
from crm.services.booking import book
from tests.conftest import NOW
from tests.factories import make_tenant
from tests.support.openai_stub import OpenAIStub, status, system_text, text, tool_call


def _say(runtime: AgentRuntime, slug: str, text_: str, session: str = "sess-prompt-001"
         ) -> TurnResult:
    return runtime.handle(Inbound(tenant_slug=slug, channel=Channel.web, thread_id=session,
                                  text=text_))


def test_the_prompt_prefix_stays_the_same_and_the_note_precedes_the_latest_message(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    stub.push(tool_call("list_services", {}), text("Tenemos limpieza."), text("Dale."))
    _say(openai_runtime, tenant.slug, "¿qué servicios tienen?")
    _say(openai_runtime, tenant.slug, "gracias")
    first, within, next_turn = stub.requests
    # One system prompt for every call, the tools offered the same way each time.
    assert first["messages"][0] == within["messages"][0] == next_turn["messages"][0]
    assert first["tools"] == within["tools"] == next_turn["tools"]
    # Within a turn each call extends the previous one: the server reuses all of it.
    assert within["messages"][:len(first["messages"])] == first["messages"]
    # The note (the time, the customer) comes right before the customer's latest message.
    for request in (first, next_turn):
        note, last = request["messages"][-2:]
        assert note["role"] == "system" and "Ahora: lunes 2026-11-23 10:00" in note["content"]
        assert last["role"] == "user"
    # The next turn's prompt shares the system prompt and the earlier exchange.
    assert next_turn["messages"][1]["content"] == "¿qué servicios tienen?"
    assert "lunes 2026-11-23 10:00" not in first["messages"][0]["content"]


def test_the_calendar_gives_dates_with_weekdays_and_opening_hours(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    stub.push(text("hola"))
    _say(openai_runtime, tenant.slug, "hola")
    prompt = stub.requests[0]["messages"][0]["content"]
    assert "- hoy lunes 23/11 = 2026-11-23: 09:00 a 18:00" in prompt
    assert "- mañana martes 24/11 = 2026-11-24: 09:00 a 18:00" in prompt
    assert "- sábado 28/11 = 2026-11-28: 09:00 a 13:00" in prompt
    assert "- domingo 29/11 = 2026-11-29: cerrado" in prompt
    assert "- domingo 6/12 = 2026-12-06: cerrado" in prompt  # 14 days: through the 6th
    assert "2026-12-07" not in prompt


def test_appointments_are_numbered_and_tools_to_change_them_come_only_with_one(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    stub.push(text("hola"))
    _say(openai_runtime, tenant.slug, "hola", session="sess-prompt-none")
    offered = {t["function"]["name"] for t in stub.requests[-1]["tools"]}
    assert "reschedule_appointment" not in offered and "cancel_appointment" not in offered
    assert "no tiene turnos próximos" in system_text(stub.requests[-1])

    db.commit()
    contact = db.get(Contact, db.exec(select(Conversation)).one().contact_id)
    assert contact is not None
    contact.name, contact.phone = "Luz Ortega", "+5491155550042"
    db.add(contact)
    db.commit()
    for day, at in (("2026-11-25", "16:30"), ("2026-11-27", "09:00")):
        book(db, tenant=tenant, contact=contact, service_name="Limpieza dental",
             day=date.fromisoformat(day), at=time.fromisoformat(at), now=NOW)
    db.commit()
    stub.push(text("¡Hola Luz!"))
    _say(openai_runtime, tenant.slug, "hola", session="sess-prompt-none")
    offered = {t["function"]["name"] for t in stub.requests[-1]["tools"]}
    assert {"reschedule_appointment", "cancel_appointment"} <= offered
    note = stub.requests[-1]["messages"][-2]["content"]
    assert "1. Limpieza dental, miércoles 2026-11-25 16:30" in note
    assert "2. Limpieza dental, viernes 2026-11-27 09:00" in note
    ids = [a.id for a in db.exec(select(Appointment))]
    assert len(ids) == 2 and not any(i in json.dumps(stub.requests[-1]) for i in ids)


def _history(exchanges: int) -> list:
    out: list = []
    for n in range(exchanges):
        out += [HumanMessage(content=f"mensaje {n} " + "x" * 200),
                AIMessage(content="", tool_calls=[{"name": "list_services", "args": {},
                                                   "id": f"c{n}", "type": "tool_call"}]),
                ToolMessage(content=json.dumps({"ok": True, "services": ["y" * 900]}),
                            tool_call_id=f"c{n}", name="list_services"),
                AIMessage(content=f"respuesta {n}")]
    return [*out, HumanMessage(content="lo último que escribió")]


def test_a_long_history_is_compacted_then_trimmed_to_fit_and_nothing_changes_when_it_fits(
) -> None:
    system, note = SystemMessage(content="s" * 3000), SystemMessage(content="nota")
    history = _history(30)
    roomy = fit(system=system, history=history, note=note, budget=100_000, tools_tokens=800)
    assert roomy == [system, *history[:-1], note, history[-1]]  # untouched: cacheable

    tight = fit(system=system, history=history, note=note, budget=4096, tools_tokens=800)
    assert estimate(tight) <= 4096 - 800 - 700
    assert tight[0] is system and tight[-2:] == [note, history[-1]]
    kept = tight[1:-2]
    assert isinstance(kept[0], HumanMessage)  # whole exchanges: no orphaned tool result
    assert "mensaje 29" in str(kept[0].content) or len(kept) >= 4
    assert all(len(str(m.content)) <= 241 for m in kept if isinstance(m, ToolMessage))
    assert "respuesta 29" in [str(m.content) for m in kept]  # the newest survive


def test_a_context_exceeded_answer_is_retried_with_less_history_not_apologized_for(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    for n in range(12):
        stub.push(text(f"respuesta {n} " + "z" * 2000))
        _say(openai_runtime, tenant.slug, f"pregunta {n} " + "w" * 2000)
    before = len(stub.requests[-1]["messages"])
    stub.push(status(400, "the request exceeds the available context size, try increasing "
                          "it"),
              status(400, "This model's maximum context length is 2048 tokens.",
                     error_code="context_length_exceeded"),
              text("¡Listo!"))
    result = _say(openai_runtime, tenant.slug, "¿y el sábado?")
    assert result.ok and result.reply == "¡Listo!"
    sizes = [len(r["messages"]) for r in stub.requests[-3:]]
    assert sizes[0] > sizes[1] > sizes[2] and sizes[0] >= before
    assert stub.requests[-1]["messages"][-1]["content"] == "¿y el sábado?"
    rows = db.exec(select(Message).where(Message.role == MessageRole.user)).all()
    assert len(rows) == 13


def test_another_bad_request_is_not_mistaken_for_a_full_context(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    stub.push(status(400, "Invalid 'messages[1].content': string too long."))
    result = _say(openai_runtime, tenant.slug, "hola")
    assert not result.ok and "problema" in result.reply


def test_the_note_tells_the_time_in_the_business_timezone() -> None:
    profile = AgentProfile(tenant_name="X", timezone="America/Mexico_City", locale="es-MX",
                           currency="MXN", now_local=NOW.astimezone(
                               ZoneInfo("America/Mexico_City")),
                           services=(), greeting="", persona="p")
    assert "Ahora: lunes 2026-11-23 07:00." in context_note(profile)
