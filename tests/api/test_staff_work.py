"""The staff API's working endpoints (issue 14): appointments booked, moved and cancelled
by staff through the agent's booking service, leads added by hand and searched, contacts
and conversations deleted through the erasure machinery."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from agent.runtime import AgentRuntime
from api.app import create_app
from crm.models import (
    Appointment,
    AppointmentStatus,
    AuditEvent,
    Contact,
    Conversation,
    Lead,
    Message,
    Role,
    Service,
    SlotHold,
    Tenant,
)
from crm.settings import Settings
from tests.conftest import NOW
from tests.factories import make_contact, make_demo, make_token, make_user

# The API books against the real clock: a Monday well after today.
MONDAY = date(2027, 3, 1)


@pytest.fixture
def web(settings: Settings, engine: Engine, tmp_path: object) -> Iterator[TestClient]:
    runtime = AgentRuntime(settings, engine, clock=lambda: NOW)
    with TestClient(create_app(settings, runtime)) as client:
        yield client


@pytest.fixture
def demo(db: Session) -> Tenant:
    return make_demo(db)


@pytest.fixture
def admin(db: Session, demo: Tenant) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(db, make_user(db, demo, role=Role.admin))}"}


def _service(db: Session, tenant: Tenant, name: str = "Consulta general") -> Service:
    return db.exec(select(Service).where(Service.tenant_id == tenant.id,
                                         Service.name == name)).one()


def _book(web: TestClient, headers: dict[str, str], contact: Contact, service: Service,
          start: str) -> object:
    return web.post("/v1/appointments", headers=headers, json={
        "contact_id": contact.id, "service_id": service.id, "start": start})


def test_staff_book_move_and_cancel_through_the_booking_service(
        web: TestClient, admin: dict[str, str], db: Session, demo: Tenant) -> None:
    walk_in = make_contact(db, demo, name="Rosa Aguirre")  # no phone: staff know her
    other, third = make_contact(db, demo, name="Otra"), make_contact(db, demo, name="Tercera")
    service = _service(db, demo)
    db.commit()  # no read transaction of the test stays open while the app writes
    booked = _book(web, admin, walk_in, service, f"{MONDAY}T10:00")
    assert booked.status_code == 201  # type: ignore[attr-defined]
    body = booked.json()  # type: ignore[attr-defined]
    assert body["start"].startswith(f"{MONDAY}T10:00:00-03:00") and body["status"] == "confirmada"
    taken = _book(web, admin, other, service, f"{MONDAY}T10:15")
    assert taken.status_code == 409  # type: ignore[attr-defined]
    assert "ocupado" in taken.json()["detail"] and "10:30" in taken.json()["detail"]  # type: ignore[attr-defined]
    sunday = _book(web, admin, walk_in, service, f"{MONDAY - timedelta(days=1)}T10:00")
    assert sunday.status_code == 409 and "cerrado" in sunday.json()["detail"]  # type: ignore[attr-defined]
    moved = web.patch(f"/v1/appointments/{body['id']}", headers=admin,
                      json={"start": f"{MONDAY}T11:00:00-03:00"})
    assert moved.status_code == 200 and moved.json()["start"].startswith(f"{MONDAY}T11:00")
    # The old slot is free again: another booking takes it.
    assert _book(web, admin, third, service,
                 f"{MONDAY}T10:00").status_code == 201  # type: ignore[attr-defined]
    cancelled = web.patch(f"/v1/appointments/{body['id']}", headers=admin,
                          json={"status": "cancelada"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelada"
    db.commit()
    assert db.exec(select(SlotHold).where(SlotHold.appointment_id == body["id"])).all() == []
    assert web.patch(f"/v1/appointments/{body['id']}", headers=admin,
                     json={"status": "confirmada"}).status_code == 422
    actions = {e.action for e in db.exec(select(AuditEvent))}
    assert {"appointment.create", "appointment.move", "appointment.cancel"} <= actions


def test_appointments_are_listed_by_a_date_range_in_the_business_timezone(
        web: TestClient, admin: dict[str, str], db: Session, demo: Tenant) -> None:
    service = _service(db, demo)
    slots = ((MONDAY, 9), (MONDAY, 17), (MONDAY + timedelta(days=1), 9))
    people = [make_contact(db, demo, name=f"C {n}") for n in range(len(slots))]
    db.commit()
    for (day, hour), person in zip(slots, people, strict=True):
        assert _book(web, admin, person, service,
                     f"{day}T{hour:02d}:00").status_code == 201  # type: ignore[attr-defined]
    listed = web.get("/v1/appointments", headers=admin,
                     params={"from": str(MONDAY), "to": str(MONDAY)}).json()
    assert [a["start"][11:16] for a in listed] == ["09:00", "17:00"]  # 17:00 local is 20 UTC
    week = web.get("/v1/appointments", headers=admin,
                   params={"from": str(MONDAY), "to": str(MONDAY + timedelta(days=6))}).json()
    assert len(week) == 3


def test_notifying_the_customer_sends_a_staff_message_in_their_conversation(
        web: TestClient, admin: dict[str, str], db: Session, demo: Tenant) -> None:
    session = "notify-session-0000000000000"
    chat = web.post("/v1/chat/demo/messages", json={"session_id": session, "text": "Hola"})
    db.commit()
    conversation = db.get(Conversation, chat.json()["conversation_id"])
    assert conversation is not None
    contact = db.get(Contact, conversation.contact_id)
    assert contact is not None
    booked = web.post("/v1/appointments", headers=admin, json={
        "contact_id": contact.id, "service_id": _service(db, demo).id,
        "start": f"{MONDAY}T12:00", "notify": True})
    assert booked.status_code == 201 and booked.json()["notified"] == "sent"
    history = web.get("/v1/chat/demo/messages", params={"session_id": session}).json()
    assert history[-1]["role"] == "staff" and "lunes 1/3 a las 12:00" in history[-1]["text"]


def test_a_lead_added_by_hand_finds_a_known_contact_and_leads_are_searchable(
        web: TestClient, admin: dict[str, str], db: Session, demo: Tenant) -> None:
    known = make_contact(db, demo, name="Julieta Paz", phone="+5491144441111")
    db.commit()
    added = web.post("/v1/leads", headers=admin, json={
        "name": "Julieta", "phone": "11 4444-1111", "notes": "Llamó por blanqueamiento"})
    assert added.status_code == 201 and added.json()["contact_id"] == known.id
    assert added.json()["source"] == "manual" and added.json()["assigned_to"]  # rotation
    other = web.post("/v1/leads", headers=admin, json={"name": "Bruno Díaz",
                                                       "email": "bruno@correo.test"})
    assert other.status_code == 201 and other.json()["contact_id"] != known.id
    bad = web.post("/v1/leads", headers=admin, json={"name": "X", "phone": "123"})
    assert bad.status_code == 422
    for term, expected in (("julieta", ["Julieta Paz"]), ("4444-1111", ["Julieta Paz"]),
                           ("BRUNO@", ["Bruno Díaz"]), ("zzz", [])):
        found = web.get("/v1/leads", headers=admin, params={"q": term}).json()
        assert [lead["name"] for lead in found] == expected, term
    manual = web.get("/v1/leads", headers=admin, params={"source": "manual"}).json()
    assert len(manual) == 2


def test_a_seller_adds_leads_for_herself_and_books_only_her_contacts(
        web: TestClient, db: Session, demo: Tenant) -> None:
    seller = make_user(db, demo, role=Role.seller)
    headers = {"Authorization": f"Bearer {make_token(db, seller)}"}
    mine = web.post("/v1/leads", headers=headers, json={"name": "Cliente Propio",
                                                        "assigned_to": None})
    assert mine.status_code == 201 and mine.json()["assigned_to"] == seller.id
    db.commit()
    contact = db.get(Contact, mine.json()["contact_id"])
    stranger = make_contact(db, demo, name="Ajena")
    service = _service(db, demo)
    db.commit()
    assert _book(web, headers, contact, service, f"{MONDAY}T15:00").status_code == 201  # type: ignore[arg-type,attr-defined]
    assert _book(web, headers, stranger, service, f"{MONDAY}T16:00").status_code == 404  # type: ignore[attr-defined]


def test_deleting_a_conversation_keeps_the_contact_and_deleting_a_contact_erases_it(
        web: TestClient, admin: dict[str, str], db: Session, demo: Tenant) -> None:
    session = "delete-session-000000000000000"
    first = web.post("/v1/chat/demo/messages", json={
        "session_id": session, "text": "Hola, soy Elena Ruiz, mi cel es 11 5555-9876"}).json()
    db.commit()
    conversation = db.get(Conversation, first["conversation_id"])
    assert conversation is not None
    contact_id, conversation_id = conversation.contact_id, conversation.id
    assert web.delete(f"/v1/conversations/{conversation_id}", headers=admin).status_code == 204
    db.commit()
    db.expire_all()
    assert db.exec(select(Conversation).where(Conversation.id == conversation_id)).all() == []
    assert db.exec(select(Message).where(Message.conversation_id == conversation_id)).all() == []
    assert db.get(Contact, contact_id) is not None  # and its lead
    assert db.exec(select(Lead).where(Lead.contact_id == contact_id)).first() is not None
    assert web.delete(f"/v1/contacts/{contact_id}", headers=admin).status_code == 204
    db.commit()
    db.expire_all()
    assert db.exec(select(Contact).where(Contact.id == contact_id)).all() == []
    assert db.exec(select(Lead).where(Lead.contact_id == contact_id)).all() == []
    actions = [e.action for e in db.exec(select(AuditEvent))]
    assert {"conversation.delete", "conversation.deleted", "contact.delete",
            "contact.deleted"} <= set(actions)
    assert web.delete(f"/v1/contacts/{contact_id}", headers=admin).status_code == 404


def test_appointment_starts_without_offset_are_the_businesss_local_time(
        web: TestClient, admin: dict[str, str], db: Session, demo: Tenant) -> None:
    person, service = make_contact(db, demo, name="Local"), _service(db, demo)
    db.commit()
    booked = _book(web, admin, person, service, f"{MONDAY}T09:30")
    db.commit()
    row = db.get(Appointment, booked.json()["id"])  # type: ignore[attr-defined]
    assert row is not None and row.status == AppointmentStatus.confirmada
    assert row.start_at == datetime.combine(MONDAY, time(12, 30)).replace(
        tzinfo=row.start_at.tzinfo)
