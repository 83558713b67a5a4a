"""What the runtime does with what a real model returns: tool calls in every dialect run as
real calls, replies claiming what no tool did are kept from the customer, several calls in
one message, and an empty reply after tools.

All through the real openai client and langchain-openai against the local stub, on SQLite
and PostgreSQL.
"""

from __future__ import annotations

import json

import pytest
from prometheus_client import CollectorRegistry
from sqlmodel import Session, select

from agent.runtime import AgentRuntime, Inbound, TurnResult
from agent.verified import SAFE_REPLY
from channels.durable.metrics import UNVERIFIED, TurnMetrics
from crm.models import (
    Appointment,
    AppointmentStatus,
    Channel,
    Contact,
    Conversation,
    Lead,
    Message,
    MessageRole,
)
from tests.factories import make_tenant
from tests.support.openai_stub import OpenAIStub, raw_text, text, tool_call, tool_calls

SAVE = {"name": "Ana Paz", "phone": "11 5555-1234"}
BOOK = {"service": "Limpieza dental", "day": "2026-11-24", "time": "10:00"}
ASK = "Soy Ana Paz, mi cel es 11 5555-1234. Quiero una limpieza el martes 24 a las 10"


def _say(runtime: AgentRuntime, slug: str, text_: str, session: str = "sess-guard-0001"
         ) -> TurnResult:
    return runtime.handle(Inbound(tenant_slug=slug, channel=Channel.web, thread_id=session,
                                  text=text_))


def _call(name: str, args: dict[str, object]) -> str:
    return json.dumps({"name": name, "arguments": args})


DIALECTS = {
    "openai tool_calls": None,
    "fenced json": f"```json\n{_call('book_appointment', BOOK)}\n```",
    "bare json": _call("book_appointment", BOOK),
    "json with arguments as a string": json.dumps(
        {"name": "book_appointment", "arguments": json.dumps(BOOK)}),
    "openai function object": json.dumps(
        {"type": "function", "function": {"name": "book_appointment", "arguments": BOOK}}),
    "a list": f"[{_call('book_appointment', BOOK)}]",
    "<tool_call> (Hermes, Qwen)": f"<tool_call>\n{_call('book_appointment', BOOK)}\n</tool_call>",
    "<tools> (Qwen)": f"<tools>{_call('book_appointment', BOOK)}</tools>",
    "unclosed <tool_call>": f"<tool_call>\n{_call('book_appointment', BOOK)}",
    "[TOOL_CALLS] (Mistral)": f"[TOOL_CALLS] [{_call('book_appointment', BOOK)}]",
    "<|python_tag|> (Llama 3.1)": "<|python_tag|>" + json.dumps(
        {"name": "book_appointment", "parameters": BOOK}),
    "<function=…> (Llama 3.2)": f"<function=book_appointment>{json.dumps(BOOK)}</function>",
    "prose around a tag": f"Dale, lo reservo.\n<tool_call>{_call('book_appointment', BOOK)}"
                          "</tool_call>",
    # seen from Qwen2.5-Coder-1.5B behind llama-cpp-python
    "doubled braces, then prose": "{" + _call("book_appointment", BOOK) + "}}\n¿Algo más?",
    "bare arguments": json.dumps(BOOK, indent=1),
    "the name as the key": json.dumps({"book_appointment": BOOK}),
    "an invented result after": _call("book_appointment", BOOK)
                                + '\n<tool_response>{"ok": true}</tool_response>',
}


@pytest.mark.parametrize("dialect", list(DIALECTS))
def test_every_tool_call_dialect_books_for_real(
    dialect: str, openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    written = DIALECTS[dialect]
    book = tool_call("book_appointment", BOOK) if written is None else raw_text(written)
    stub.push(tool_call("save_contact_details", SAVE), book,
              text("Listo Ana, te espero el martes 24 a las 10."))
    result = _say(openai_runtime, tenant.slug, ASK)
    db.commit()
    assert result.tool_calls == ("save_contact_details", "book_appointment")
    appointment = db.exec(select(Appointment)).one()
    assert appointment.start_at.isoformat() == "2026-11-24T13:00:00+00:00"
    assert result.ok and result.reply == "Listo Ana, te espero el martes 24 a las 10."
    stored = [m.text for m in db.exec(select(Message).where(
        Message.role == MessageRole.assistant))]
    assert not any("book_appointment" in t for t in stored)  # the markup is not a reply


def test_several_calls_in_one_text_block_run_in_the_order_written(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    both = _call("save_contact_details", SAVE) + "\n" + _call("book_appointment", BOOK)
    stub.push(raw_text(f"<tools>\n{both}\n</tools>"), text("¡Listo, Ana!"))
    result = _say(openai_runtime, tenant.slug, ASK)
    db.commit()
    assert result.tool_calls == ("save_contact_details", "book_appointment")
    assert db.exec(select(Appointment)).one().status == AppointmentStatus.confirmada


def test_a_bare_tool_name_hands_over_to_a_person(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    stub.push(raw_text("request_human"), text("Ya le aviso a alguien del equipo."))
    result = _say(openai_runtime, tenant.slug, "pasame con alguien de la clínica")
    db.commit()
    assert result.tool_calls == ("request_human",)
    assert db.exec(select(Conversation)).one().needs_human
    assert "request_human" not in result.reply


@pytest.mark.parametrize("leak", [
    '<tool_call>{"name": "drop_everything", "arguments": {}}</tool_call>',
    '{"name": "book_appointment", "arguments": "{not json"}',
    "<|im_start|>assistant\n<tool_response>{\"ok\": true}</tool_response><|im_end|>",
])
def test_text_that_looks_like_a_tool_call_never_reaches_the_customer(
    leak: str, openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    stub.push(raw_text(leak), raw_text(leak))  # asked once more, it answers the same
    result = _say(openai_runtime, tenant.slug, "hola")
    assert result.tool_calls == () and len(stub.requests) == 2
    for fragment in ("{", "<", "drop_everything", "book_appointment", "tool_"):
        assert fragment not in result.reply
    assert not result.ok  # nothing for a customer came back: the apology, kept in the chat


def test_machinery_around_a_reply_is_removed(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    stub.push(text("<|im_start|>assistant\nTenemos consulta y limpieza (id "
                   "0123456789abcdef0123456789abcdef).<|im_end|>"))
    result = _say(openai_runtime, tenant.slug, "¿qué servicios tienen?")
    assert result.ok and result.reply == "Tenemos consulta y limpieza."


def test_a_claimed_booking_no_tool_made_is_not_sent_flagged_and_counted(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    registry = CollectorRegistry()
    registry.register(UNVERIFIED)
    openai_runtime.observer = TurnMetrics()
    tenant = make_tenant(db)
    sample = ("mostrador_unverified_claims_total", {"tenant": tenant.slug})
    before = registry.get_sample_value(*sample) or 0
    claim = "¡Listo! Te reservé la limpieza el martes 24 a las 10:00."
    stub.push(text(claim), text("Perfecto, quedó reservado tu turno para el martes a las 10."))
    result = _say(openai_runtime, tenant.slug, ASK)
    db.commit()
    assert result.reply == SAFE_REPLY["es"]
    assert result.unverified_claims == 2
    assert db.exec(select(Appointment)).all() == []
    conversation = db.exec(select(Conversation)).one()
    assert conversation.needs_human
    replies = [m.text for m in db.exec(select(Message).where(
        Message.role == MessageRole.assistant))]
    assert replies == [SAFE_REPLY["es"]]  # neither claim was stored nor sent
    # The model got one corrective note and another try.
    assert len(stub.requests) == 2
    note = stub.requests[1]["messages"][-1]
    assert note["role"] == "user" and "book_appointment" in note["content"]
    assert registry.get_sample_value(*sample) == before + 2


def test_a_corrected_claim_is_backed_by_the_tool_the_model_then_calls(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    stub.push(text("Te reservé la limpieza el martes a las 10."),
              tool_call("save_contact_details", SAVE), tool_call("book_appointment", BOOK),
              text("Listo, te reservé la limpieza el martes 24 a las 10:00."))
    result = _say(openai_runtime, tenant.slug, ASK)
    db.commit()
    assert result.ok and result.unverified_claims == 1
    assert result.reply == "Listo, te reservé la limpieza el martes 24 a las 10:00."
    assert len(db.exec(select(Appointment)).all()) == 1
    assert not db.exec(select(Conversation)).one().needs_human


def test_availability_stated_without_a_check_is_not_sent(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    stub.push(text("Sí, el servicio está disponible el sábado a las 11:00."),
              tool_call("check_availability", {"service": "Limpieza dental",
                                               "day": "2026-11-24"}),
              text("El martes 24 hay lugar a las 09:00 y a las 09:30."))
    result = _say(openai_runtime, tenant.slug, "¿tienen lugar para limpieza?")
    assert result.reply == "El martes 24 hay lugar a las 09:00 y a las 09:30."
    assert result.tool_calls == ("check_availability",) and result.unverified_claims == 1


def test_four_calls_in_one_message_run_without_breaking_the_turn(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    stub.push(tool_calls(("save_contact_details", SAVE), ("list_services", {}),
                         ("check_availability", {"service": "Limpieza dental",
                                                 "day": "2026-11-24"}),
                         ("book_appointment", BOOK)),
              text("Listo, Ana: martes 24 a las 10."))
    result = _say(openai_runtime, tenant.slug, ASK)
    db.commit()
    assert result.ok and result.reply == "Listo, Ana: martes 24 a las 10."
    assert result.tool_calls == ("save_contact_details", "list_services", "check_availability",
                                 "book_appointment")
    tool_rows = db.exec(select(Message).where(Message.role == MessageRole.tool)
                        .order_by(Message.id)).all()
    assert [json.loads(r.text)["ok"] for r in tool_rows] == [True] * 4
    assert db.exec(select(Appointment)).one().status == AppointmentStatus.confirmada
    contact = db.exec(select(Contact)).one()
    assert contact.name == "Ana Paz" and db.exec(select(Lead)).one().contact_id == contact.id


def test_an_empty_reply_after_a_booking_confirms_it_instead_of_apologizing(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    stub.push(tool_call("save_contact_details", SAVE), tool_call("book_appointment", BOOK),
              text(""))
    result = _say(openai_runtime, tenant.slug, ASK)
    assert result.ok
    assert result.reply == "Listo, te reservé Limpieza dental el martes 24/11 a las 10:00. " \
                           "¡Te esperamos!"


def test_an_empty_reply_after_nothing_is_asked_again_once_then_apologized_for(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    stub.push(text('<tool_response>{"ok": false}</tool_response>'),
              text("¡Hola! ¿En qué te ayudo?"))
    result = _say(openai_runtime, tenant.slug, "hola")
    assert result.ok and result.reply == "¡Hola! ¿En qué te ayudo?"
    note = stub.requests[1]["messages"][-1]
    assert note["role"] == "user" and note["content"].startswith("Nota interna")
    stub.push(text("<|im_end|>"), text(""))
    result = _say(openai_runtime, tenant.slug, "hola?")
    assert not result.ok and "problema" in result.reply
    assert len(stub.requests) == 4


def test_a_refusal_echoed_back_becomes_a_question_for_the_customer(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    # Qwen 1.5B answers a refused booking by echoing the tool result as <tool_response>.
    tenant = make_tenant(db)
    stub.push(tool_call("book_appointment", BOOK),
              text('<tool_response>{"ok": false, "code": "missing_contact"}</tool_response>'))
    result = _say(openai_runtime, tenant.slug, ASK)
    assert result.ok
    assert result.reply == "Para reservarlo necesito tu nombre y un teléfono. ¿Me los pasás?"
    assert len(stub.requests) == 2  # no extra model call: the refusal says what to ask
    db.commit()
    assert db.exec(select(Appointment)).all() == []


def test_a_taken_time_echoed_back_offers_the_free_times_the_tool_returned(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    stub.push(tool_call("save_contact_details", SAVE), tool_call("book_appointment", BOOK),
              text(""))
    _say(openai_runtime, tenant.slug, ASK)
    stub.push(tool_call("save_contact_details", {"name": "Luz Peña", "phone": "11 4567-8901"}),
              tool_call("book_appointment", BOOK), text("{"))
    other = "Soy Luz Peña, mi cel es 11 4567-8901. Quiero una limpieza el martes 24 a las 10"
    result = _say(openai_runtime, tenant.slug, other, session="sess-guard-0002")
    assert result.reply.startswith("Ese horario ya está ocupado. Tengo libre ese día a las ")
    assert "10:00" not in result.reply and "¿Te sirve alguno?" in result.reply


def test_a_booking_then_a_refused_call_confirms_the_booking_before_asking(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    other = {"service": "Consulta general", "day": "2026-11-24", "time": "10:00"}
    stub.push(tool_call("save_contact_details", SAVE), tool_call("book_appointment", BOOK),
              tool_call("book_appointment", other), text(""))
    result = _say(openai_runtime, tenant.slug, ASK + " y una consulta general a la misma hora")
    assert result.reply.startswith("Listo, te reservé Limpieza dental el martes 24/11 a las "
                                   "10:00. ¡Te esperamos! Ese horario ya está ocupado.")
    db.commit()
    assert len(db.exec(select(Appointment)).all()) == 1


def test_a_call_repeated_after_it_succeeded_ends_the_turn_with_its_confirmation(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    # Qwen 1.5B called the same successful reschedule six times, up to the iteration limit.
    tenant = make_tenant(db)
    stub.push(tool_call("save_contact_details", SAVE), tool_call("book_appointment", BOOK),
              tool_call("book_appointment", BOOK), tool_call("book_appointment", BOOK),
              text("nunca llega"))
    result = _say(openai_runtime, tenant.slug, ASK)
    assert result.ok
    assert result.reply == "Listo, te reservé Limpieza dental el martes 24/11 a las 10:00. " \
                           "¡Te esperamos!"
    assert result.tool_calls == ("save_contact_details", "book_appointment")
    assert len(stub.requests) == 3  # stopped at the first repetition
    db.commit()
    assert db.exec(select(Appointment)).one().status == AppointmentStatus.confirmada
    assert not db.exec(select(Conversation)).one().needs_human


def test_contact_details_the_customer_never_wrote_are_not_saved(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    stub.push(tool_call("save_contact_details", {"name": "John Doe", "phone": "1234567890"}),
              tool_call("save_contact_details", {"name": "Ana"}),
              text("Gracias, Ana. ¿Me pasás tu teléfono?"))
    result = _say(openai_runtime, tenant.slug, "hola, soy ana y quiero un turno")
    db.commit()
    refused, saved = (json.loads(m.text) for m in db.exec(
        select(Message).where(Message.role == MessageRole.tool).order_by(Message.id)))
    assert refused["ok"] is False and "teléfono" in refused["error"]
    assert "1234567890" not in refused["error"] and "John" not in refused["error"]
    assert saved["ok"] is True
    contact = db.exec(select(Contact)).one()
    assert (contact.name, contact.phone) == ("Ana", None)
    assert result.reply == "Gracias, Ana. ¿Me pasás tu teléfono?"


def test_a_date_that_is_not_the_weekday_the_customer_named_is_refused_with_the_right_one(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    wrong = dict(BOOK, day="2026-11-26")  # a Thursday; the customer said Wednesday
    stub.push(tool_call("save_contact_details", SAVE), tool_call("book_appointment", wrong),
              tool_call("book_appointment", dict(BOOK, day="2026-11-25")), text("¡Listo!"))
    _say(openai_runtime, tenant.slug, "Soy Ana Paz, 11 5555-1234. Limpieza el miércoles a "
                                      "las 10, el lunes no puedo")
    db.commit()
    refused = json.loads(db.exec(select(Message).where(Message.role == MessageRole.tool)
                                 .order_by(Message.id)).all()[1].text)
    assert refused["ok"] is False
    assert refused["error"] == ("Día equivocado: el 2026-11-26 es jueves y el cliente dijo "
                                'miércoles. Llamá de nuevo con day="2026-11-25" '
                                "(miércoles 25/11).")
    booked = db.exec(select(Appointment)).one()
    assert booked.start_at.isoformat() == "2026-11-25T13:00:00+00:00"


def test_a_past_date_for_a_named_weekday_is_told_the_date_the_customer_meant(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    # Qwen 1.5B, on a Monday, looked up "el miércoles" as the Sunday before.
    tenant = make_tenant(db)
    stub.push(tool_call("check_availability", {"service": "Limpieza dental",
                                               "day": "2026-11-22"}),
              tool_call("check_availability", {"service": "Limpieza dental",
                                               "day": "2026-11-18"}), text("¿A qué hora?"))
    _say(openai_runtime, tenant.slug, "¿qué horarios tienen libres el miércoles?")
    db.commit()
    wrong_day, past = (json.loads(m.text) for m in db.exec(
        select(Message).where(Message.role == MessageRole.tool).order_by(Message.id)))
    assert wrong_day["error"] == ("Día equivocado: el 2026-11-22 es domingo y el cliente dijo "
                                  'miércoles. Llamá de nuevo con day="2026-11-25" '
                                  "(miércoles 25/11).")
    assert past["error"] == ('Ese día ya pasó (hoy es lunes 23/11). Llamá de nuevo con '
                             'day="2026-11-25" (miércoles 25/11) si el cliente habla del '
                             'próximo miércoles.')


def test_appointments_are_chosen_by_number_or_date_and_results_carry_no_ids(
    openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    stub.push(tool_call("save_contact_details", SAVE), tool_call("book_appointment", BOOK),
              tool_call("book_appointment", dict(BOOK, day="2026-11-25")), text("¡Listo!"))
    _say(openai_runtime, tenant.slug, ASK + " y otra el miércoles 25 a las 10")
    stub.push(tool_call("cancel_appointment", {"which": "0123456789abcdef0123456789abcdef"}),
              tool_call("cancel_appointment", {"which": "2"}),
              tool_call("reschedule_appointment", {"day": "2026-11-27", "time": "11:00",
                                                   "which": "2026-11-24"}),
              text("Listo."))
    _say(openai_runtime, tenant.slug, "cancelá el segundo y pasá el primero al viernes 27 a las 11")
    db.commit()
    rows = db.exec(select(Message).where(Message.role == MessageRole.tool)
                   .order_by(Message.id)).all()
    unknown, cancelled, moved = (json.loads(r.text) for r in rows[-3:])
    assert unknown["ok"] is False and "1. Limpieza dental, martes 24/11 10:00; 2. Limpieza " \
        "dental, miércoles 25/11 10:00" in unknown["error"]
    assert cancelled["appointment"]["start"] == "2026-11-25T10:00:00-03:00"
    assert moved["appointment"]["start"] == "2026-11-27T11:00:00-03:00"
    ids = {a.id for a in db.exec(select(Appointment))} | {c.id for c in db.exec(select(Contact))}
    assert not any(i in r.text for r in rows for i in ids)  # no id a model could misuse
    statuses = sorted(a.status for a in db.exec(select(Appointment)))
    assert statuses == [AppointmentStatus.cancelada, AppointmentStatus.reprogramada]
