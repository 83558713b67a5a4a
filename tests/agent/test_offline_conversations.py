"""Whole conversations on the offline model through the real runtime, tools and database.

Each case is what a person types, turn by turn; the assertions are on the tool calls the
model made and the rows that landed (appointments, leads, contacts, the conversation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from agent.runtime import AgentRuntime, Inbound, TurnResult
from crm.models import (
    Appointment,
    Channel,
    Contact,
    Conversation,
    Lead,
    Service,
    Tenant,
)
from crm.services import booking
from crm.settings import Settings
from tests.conftest import NOW
from tests.factories import make_demo

BA = ZoneInfo("America/Argentina/Buenos_Aires")


@dataclass
class Visitor:
    runtime: AgentRuntime
    tenant: Tenant
    session: str = "web-visitor-1"
    calls: list[str] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)

    def says(self, text: str) -> TurnResult:
        result = self.runtime.handle(Inbound(tenant_slug=self.tenant.slug, channel=Channel.web,
                                             thread_id=self.session, text=text))
        assert result.ok, result.reply
        assert result.reply.strip()
        self.calls += result.tool_calls
        self.replies.append(result.reply)
        return result


@pytest.fixture
def runtime(settings: Settings, engine: Engine) -> AgentRuntime:
    return AgentRuntime(settings, engine, clock=lambda: NOW)


@pytest.fixture
def visitor(runtime: AgentRuntime, db: Session) -> Visitor:
    return Visitor(runtime, make_demo(db))


def _appointments(db: Session) -> list[tuple[str, datetime, str]]:
    db.commit()  # end the read snapshot (SQLite WAL keeps it until the transaction ends)
    rows = db.exec(select(Appointment, Service).join(Service, col(Service.id) ==
                                                     Appointment.service_id)).all()
    return [(s.name, a.start_at.astimezone(BA).replace(tzinfo=None), a.status.value)
            for a, s in rows]


BOOKINGS = [
    pytest.param(["Hola, quiero un turno para limpieza mañana a las 10", "Ana Pérez",
                  "11 5555-1234"],
                 ("Limpieza dental", datetime(2026, 11, 24, 10, 0)), id="es-one-line-then-data"),
    pytest.param(["quiero sacar un turno", "blanqueamiento", "el lunes", "15:30",
                  "me llamo Carla Gómez", "+54 9 11 4444-3322"],
                 ("Blanqueamiento", datetime(2026, 11, 30, 15, 30)), id="es-one-thing-at-a-time"),
    pytest.param(["Necesito una consulta general el 15/12 9hs, soy Diego Sosa, "
                  "mi cel es 11 15 6666 7788"],
                 ("Consulta general", datetime(2026, 12, 15, 9, 0)), id="es-all-at-once"),
    pytest.param(["Hi! I'd like to book a teeth cleaning next Tuesday at 3pm",
                  "My name is John Smith", "+54 9 11 3333 2211"],
                 ("Limpieza dental", None), id="en-next-tuesday"),
]


@pytest.mark.parametrize(("lines", "expected"), BOOKINGS)
def test_booking_conversations_book_one_appointment_and_register_the_lead(
    visitor: Visitor, db: Session, lines: list[str], expected: tuple[str, datetime | None]
) -> None:
    for line in lines:
        visitor.says(line)
    assert visitor.calls.count("book_appointment") == 1
    assert visitor.calls.index("save_contact_details") < visitor.calls.index("book_appointment")
    [(service, start, status)] = _appointments(db)
    assert service == expected[0] and status == "confirmada"
    if expected[1] is not None:
        assert start == expected[1]
    else:  # "next Tuesday" said on a Monday: tomorrow or the week after, at 15:00
        assert start.hour == 15 and start.weekday() == 1
    lead = db.exec(select(Lead)).one()
    contact = db.get(Contact, lead.contact_id)
    assert contact is not None and contact.name and contact.phone.startswith("+54")
    assert lead.source == "web" and lead.assigned_to is not None  # round-robin seller


def test_the_model_asks_one_missing_thing_at_a_time(visitor: Visitor, db: Session) -> None:
    first = visitor.says("quiero un turno")
    assert "?" in first.reply and not visitor.calls[-1:] == ["book_appointment"]
    visitor.says("limpieza")
    visitor.says("mañana")
    assert "check_availability" in visitor.calls  # offers the free times of that day
    visitor.says("a las 11")
    name_question = visitor.replies[-1]
    visitor.says("Lucía Benítez")
    phone_question = visitor.replies[-1]
    assert name_question != phone_question
    assert _appointments(db) == []  # nothing booked until the phone arrives
    visitor.says("1155559090")
    assert _appointments(db) == [("Limpieza dental", datetime(2026, 11, 24, 11, 0),
                                  "confirmada")]


def _book_for(db: Session, tenant: Tenant, runtime: AgentRuntime) -> Visitor:
    person = Visitor(runtime, tenant, session="web-returning")
    for line in ("quiero una consulta general el miércoles a las 10", "Marta Díaz",
                 "11 5555 0000"):
        person.says(line)
    return person


def test_rescheduling_moves_the_same_appointment(runtime: AgentRuntime, db: Session) -> None:
    tenant = make_demo(db)
    person = _book_for(db, tenant, runtime)
    [(_, _, status)] = _appointments(db)
    person.says("¿puedo pasar mi turno al jueves a las 11?")
    assert person.calls[-1] == "reschedule_appointment"
    assert _appointments(db) == [("Consulta general", datetime(2026, 11, 26, 11, 0),
                                  "reprogramada")]


def test_cancelling_cancels_the_contacts_appointment(runtime: AgentRuntime,
                                                    db: Session) -> None:
    tenant = make_demo(db)
    person = _book_for(db, tenant, runtime)
    person.says("quiero cancelar mi turno")
    assert "cancel_appointment" in person.calls
    assert [s for *_, s in _appointments(db)] == ["cancelada"]


def test_lead_capture_without_booking(visitor: Visitor, db: Session) -> None:
    visitor.says("Hola, soy Roberto Funes, mi mail es roberto.funes@example.com y mi "
                 "teléfono 11 4567 8901, quiero info del blanqueamiento")
    if "save_contact_details" not in visitor.calls:
        visitor.says("¿me registran los datos?")
    assert "save_contact_details" in visitor.calls
    contact = db.exec(select(Contact).where(col(Contact.email).is_not(None))).one()
    assert (contact.name, contact.email, contact.phone) == (
        "Roberto Funes", "roberto.funes@example.com", "+541145678901")
    assert db.exec(select(Lead)).one().contact_id == contact.id


@pytest.mark.parametrize("line", ["quiero hablar con una persona", "I want to talk to a human"])
def test_asking_for_a_human_flags_the_conversation(visitor: Visitor, db: Session,
                                                   line: str) -> None:
    visitor.says(line)
    assert visitor.calls == ["request_human"]
    conversation = db.exec(select(Conversation)).one()
    db.refresh(conversation)
    assert conversation.needs_human


@pytest.mark.parametrize(
    ("line", "tool", "fragment"),
    [
        ("¿qué servicios tienen y cuánto salen?", "list_services", "120.000"),
        ("¿a qué hora abren el sábado?", "business_info", "13:00"),
        ("¿dónde están?", "business_info", "Cabildo"),
        ("What are your opening hours?", "business_info", "18:00"),
    ],
)
def test_catalogue_questions_are_answered_from_the_tools(
    visitor: Visitor, line: str, tool: str, fragment: str
) -> None:
    result = visitor.says(line)
    assert tool in visitor.calls
    assert fragment in result.reply


def test_a_taken_slot_gets_alternatives_and_nothing_double_books(
    runtime: AgentRuntime, db: Session
) -> None:
    tenant = make_demo(db)
    other = Contact(tenant_id=tenant.id, name="Otra Persona", phone="+5491100000001")
    db.add(other)
    db.commit()
    booking.book(db, tenant=tenant, contact=other, service_name="Limpieza dental",
                 day=datetime(2026, 11, 24).date(), at=datetime(2026, 1, 1, 10).time(), now=NOW)
    db.commit()
    person = Visitor(runtime, tenant)
    for line in ("limpieza mañana a las 10", "Pablo Ruiz", "11 5555 4444"):
        person.says(line)
    assert "book_appointment" in person.calls
    assert len(_appointments(db)) == 1
    assert any(t in person.replies[-1] for t in ("10:45", "11:00", "11:30"))


def test_a_returning_contact_is_greeted_by_name(runtime: AgentRuntime, db: Session) -> None:
    tenant = make_demo(db)
    _book_for(db, tenant, runtime)
    again = Visitor(runtime, tenant, session="web-returning")
    result = again.says("hola!")
    assert "Marta" in result.reply


def test_a_holiday_the_owner_closed_is_refused_and_said_when_asked_for_hours(
        runtime: AgentRuntime, db: Session) -> None:
    tenant = make_demo(db)
    tenant.closed_dates = ["2026-11-24"]  # tomorrow, a Tuesday the clinic usually opens
    db.add(tenant)
    db.commit()
    visitor = Visitor(runtime, tenant, session="web-holiday")
    visitor.says("quiero una limpieza mañana a las 11, soy Lucía Benítez, 1155559090")
    assert "Ese día no atendemos" in visitor.replies[-1]
    assert _appointments(db) == []
    visitor.says("¿cuál es el horario?")
    assert "Cerrado también: martes 24/11" in visitor.replies[-1]
