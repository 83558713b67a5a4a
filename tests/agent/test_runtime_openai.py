"""The agent loop through the real openai client against a local, scripted server."""

from __future__ import annotations

import json
import logging

import pytest
from sqlmodel import Session, select

from agent.runtime import APOLOGY, AgentRuntime, Inbound
from crm.models import Appointment, Channel, Contact, Conversation, Lead, Message, MessageRole
from tests.factories import make_contact, make_tenant
from tests.support.openai_stub import (
    OpenAIStub,
    delay,
    raw_text,
    status,
    system_text,
    text,
    tool_call,
)


def _say(runtime: AgentRuntime, slug: str, text_: str, session: str = "sess-0001") -> object:
    return runtime.handle(Inbound(tenant_slug=slug, channel=Channel.web, thread_id=session,
                                  text=text_))


def test_tool_calls_book_an_appointment_and_every_step_is_stored(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    stub.push(
        tool_call("save_contact_details", {"name": "Ana Paz", "phone": "11 5555-1234"}),
        tool_call("book_appointment", {"service": "Limpieza dental", "day": "2026-11-24",
                                       "time": "10:00"}),
        text("Listo Ana, te espero el martes 24 a las 10."),
    )
    result = _say(openai_runtime, tenant.slug,
                  "quiero una limpieza mañana a las 10, soy Ana Paz, 11 5555-1234")
    assert result.ok and result.reply.startswith("Listo Ana")
    assert result.tool_calls == ("save_contact_details", "book_appointment")
    appointment = db.exec(select(Appointment)).one()
    assert appointment.start_at.isoformat() == "2026-11-24T13:00:00+00:00"
    contact = db.get(Contact, appointment.contact_id)
    assert contact is not None and (contact.name, contact.phone) == ("Ana Paz", "+541155551234")
    lead = db.exec(select(Lead)).one()
    assert lead.source == "web" and lead.contact_id == contact.id
    roles = [m.role for m in db.exec(select(Message).order_by(Message.id))]
    assert roles == ["user", "assistant", "tool", "assistant", "tool", "assistant"]
    # The third request carries the whole exchange, with "" (not null) beside tool_calls:
    # llama.cpp's server answers 500 to a null content.
    third = stub.requests[2]["messages"]
    assistant = [m for m in third if m["role"] == "assistant"]
    assert assistant and all(m["content"] == "" and m["tool_calls"] for m in assistant)
    tool_results = [json.loads(m["content"]) for m in third if m["role"] == "tool"]
    assert [r["ok"] for r in tool_results] == [True, True]
    assert all(r.get("tool_choice") != "required" for r in stub.requests)
    system = third[0]
    assert system["role"] == "system" and "2026-11-23" in system["content"]


def test_a_bad_argument_goes_back_to_the_model_which_corrects_it(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    make_contact(db, tenant, name="Beto", phone="+5491155550001")
    stub.push(
        tool_call("check_availability", {"service": "Limpieza dental", "day": "mañana"}),
        tool_call("check_availability", {"service": "Masajes", "day": "2026-11-24"}),
        tool_call("check_availability", {"service": "Limpieza dental", "day": "2026-11-24"}),
        text("Tengo lugar desde las 9."),
    )
    result = _say(openai_runtime, tenant.slug, "¿qué horarios hay mañana para limpieza?")
    assert result.reply == "Tengo lugar desde las 9."
    tool_rows = db.exec(select(Message).where(Message.role == MessageRole.tool)
                        .order_by(Message.id)).all()
    assert len(tool_rows) == 3
    assert "day" in tool_rows[0].text and "error" in tool_rows[0].text.lower()  # validation
    unknown = json.loads(tool_rows[1].text)
    assert unknown["ok"] is False and unknown["code"] == "unknown_service"
    assert "Limpieza dental" in unknown["error"]  # names the real services
    assert json.loads(tool_rows[2].text)["days"][0]["slots"][0] == "09:00"
    # The model saw each error before its next call.
    assert "unknown_service" in json.dumps(stub.requests[2]["messages"][-1])


def test_a_500_is_retried_and_the_turn_completes(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    stub.push(status(500), text("¡Hola! ¿En qué te ayudo?"))
    result = _say(openai_runtime, tenant.slug, "hola")
    assert result.ok and result.reply == "¡Hola! ¿En qué te ayudo?"
    assert len(stub.requests) == 2


def test_a_persistent_llm_failure_apologizes_keeps_the_message_and_logs_no_pii(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session,
    caplog: pytest.LogCaptureFixture,
) -> None:
    tenant = make_tenant(db)
    stub.push(status(500), status(503))
    caplog.set_level(logging.INFO)
    secret = "Soy Rosaura Quiroga, mi cel es 11 4444-9999"
    result = _say(openai_runtime, tenant.slug, secret)
    assert not result.ok and result.reply == APOLOGY["es"]
    conversation = db.exec(select(Conversation)).one()
    texts = [m.text for m in db.exec(select(Message).where(
        Message.conversation_id == conversation.id).order_by(Message.id))]
    assert texts == [secret, APOLOGY["es"]]
    assert "llm failed" in caplog.text
    for fragment in ("Rosaura", "Quiroga", "4444", "9999"):
        assert fragment not in caplog.text


def test_a_timeout_is_retried_then_apologized(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    stub.push(delay(2.5, text("tarde")), delay(2.5, text("tarde")))
    result = _say(openai_runtime, tenant.slug, "hola")
    assert not result.ok and result.reply == APOLOGY["es"]
    assert len(stub.requests) == 2  # the first try and one retry (llm_max_retries=1)
    assert db.exec(select(Message).where(Message.role == MessageRole.user)).one().text == "hola"


def test_a_tool_call_written_as_json_text_is_executed(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    stub.push(raw_text('```json\n{"name": "list_services", "arguments": {}}\n```'),
              text("Tenemos consulta, limpieza y blanqueamiento."))
    result = _say(openai_runtime, tenant.slug, "¿qué servicios tienen?")
    assert result.tool_calls == ("list_services",)
    tool_row = db.exec(select(Message).where(Message.role == MessageRole.tool)).one()
    assert "Blanqueamiento" in tool_row.text


def test_json_text_naming_an_unknown_tool_runs_nothing_and_never_reaches_the_customer(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    stub.push(raw_text('{"name": "drop_database", "arguments": {}}'),
              raw_text('{"name": "drop_database", "arguments": {}}'))
    result = _say(openai_runtime, tenant.slug, "hola")
    assert result.tool_calls == () and "drop_database" not in result.reply
    assert not result.ok  # nothing a customer should read came back: the apology


def test_a_returning_contact_is_named_in_the_prompt_with_their_appointments(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    stub.push(
        tool_call("save_contact_details", {"name": "Carla Méndez", "phone": "+54 9 11 5555-7777"}),
        tool_call("book_appointment", {"service": "Consulta general", "day": "2026-11-25",
                                       "time": "16:30"}),
        text("Reservado."),
    )
    _say(openai_runtime, tenant.slug, "turno el miércoles 16:30, soy Carla Méndez, "
         "+54 9 11 5555-7777", session="sess-web-a")
    stub.push(text("¡Hola Carla!"))
    _say(openai_runtime, tenant.slug, "hola de nuevo", session="sess-web-a")
    system = system_text(stub.requests[-1])
    assert "Carla Méndez" in system and "Consulta general" in system and "16:30" in system
    assert "5555" not in system  # the phone itself is not sent to the LLM


def test_a_phone_typed_in_a_new_chat_discloses_nothing_of_the_contact_holding_it(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    stub.push(
        tool_call("save_contact_details", {"name": "Carla Méndez", "phone": "+54 9 11 5555-7777"}),
        tool_call("book_appointment", {"service": "Consulta general", "day": "2026-11-25",
                                       "time": "16:30"}),
        text("Reservado."),
    )
    _say(openai_runtime, tenant.slug, "turno el miércoles 16:30, soy Carla Méndez, "
         "+54 9 11 5555-7777", session="sess-web-a")
    # Someone else (or the same person, unproven) types Carla's phone in a new browser.
    stub.push(tool_call("save_contact_details", {"name": "Pedro Ruiz",
                                                 "phone": "11 15 5555 7777"}), text("¡Hola!"))
    _say(openai_runtime, tenant.slug, "soy Pedro Ruiz, mi cel es 11 15 5555 7777",
         session="sess-web-b")
    saved = json.loads(db.exec(select(Message).where(Message.role == MessageRole.tool)
                               .order_by(Message.id.desc())).first().text)  # type: ignore[union-attr]
    assert saved["contact"]["name"] == "Pedro Ruiz"
    assert len(db.exec(select(Contact)).all()) == 2  # a claim never merges two contacts
    stub.push(text("¿En qué te ayudo?"))
    _say(openai_runtime, tenant.slug, "qué turnos tengo?", session="sess-web-b")
    system = system_text(stub.requests[-1])
    assert "Carla" not in system and "Méndez" not in system
    assert "16:30" not in system and "Turnos próximos" not in system


def test_disabled_tools_are_not_offered_to_the_model(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    from crm.services.tenants import agent_config

    tenant = make_tenant(db)
    config = agent_config(db, tenant=tenant)
    config.enabled_tools = ["list_services", "business_info"]
    db.add(config)
    db.commit()
    stub.push(text("hola"))
    _say(openai_runtime, tenant.slug, "hola")
    offered = {t["function"]["name"] for t in stub.requests[0]["tools"]}
    assert offered == {"list_services", "business_info"}


def test_a_model_that_never_stops_calling_tools_is_cut_off_and_handed_to_a_human(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    stub.default = lambda _body: tool_call("list_services", {})
    result = _say(openai_runtime, tenant.slug, "hola")
    assert not result.ok
    # MOSTRADOR_AGENT_MAX_ITERATIONS (6) model calls at most, then the graph stops.
    assert len(stub.requests) <= 7
    conversation = db.exec(select(Conversation)).one()
    db.refresh(conversation)
    assert conversation.needs_human
    last = db.exec(select(Message).order_by(Message.id.desc())).first()  # type: ignore[union-attr]
    assert last is not None and last.role == MessageRole.assistant and last.text == result.reply
