"""The staff console's screens (issue 14): inbox, conversation, calendar, leads, contact.

On the real app and database (SQLite and PostgreSQL), the offline model answering the web
chat. Each action is a form post as the browser sends it (with the session's CSRF token);
the browser itself is in test_console_browser.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from agent.runtime import AgentRuntime
from api.app import create_app
from api.console.auth import COOKIE, _secret
from crm.models import (
    Appointment,
    AppointmentStatus,
    AuditEvent,
    ChannelKind,
    Contact,
    Conversation,
    Lead,
    LeadSource,
    LeadStage,
    Message,
    Role,
    Service,
    SlotHold,
    Tenant,
    User,
    utcnow,
)
from crm.services.console_sessions import csrf_token, start_session
from crm.services.inbox import watermark
from crm.settings import Settings
from tests.conftest import NOW
from tests.factories import make_contact, make_demo

# The console books against the real clock: a Monday well after today.
MONDAY = date(2027, 3, 1)
SESSION = "console-session-00000000000000"


@dataclass
class Signed:
    """A console session in a test client: its CSRF token for the forms."""

    client: TestClient
    csrf: str
    user: User

    def post(self, path: str, data: dict[str, str] | None = None, *,
             csrf: bool = True) -> object:
        form = dict(data or {})
        if csrf:
            form["csrf_token"] = self.csrf
        return self.client.post(path, data=form, follow_redirects=False)

    def get(self, path: str, **params: str) -> object:
        return self.client.get(path, params=params, follow_redirects=False)


@pytest.fixture
def app(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    runtime = AgentRuntime(settings, engine, clock=lambda: NOW)
    with TestClient(create_app(settings, runtime)) as client:
        yield client


@pytest.fixture
def demo(db: Session) -> Tenant:
    return make_demo(db)


def staff(db: Session, tenant: Tenant, role: Role, name: str, locale: str = "es") -> User:
    user = User(tenant_id=tenant.id, email=f"{name.lower()}@demo.test", name=name, role=role,
                locale=locale)
    db.add(user)
    db.commit()
    return user


def sign_in(app: TestClient, db: Session, user: User) -> Signed:
    """A session as the sign-in form starts it (the form itself: test_console_auth)."""
    token = start_session(db, user=user, absolute=timedelta(days=1), source=None)
    db.commit()
    app.cookies.set(COOKIE, token)
    return Signed(app, csrf_token(token, secret=_secret(app.app.state.settings)), user)  # type: ignore[attr-defined]


@pytest.fixture
def admin(app: TestClient, db: Session, demo: Tenant) -> Signed:
    return sign_in(app, db, staff(db, demo, Role.admin, "Lucia"))


def _conversation(db: Session, tenant: Tenant, name: str, *, needs_human: bool = False,
                  reason: str | None = None, minutes_ago: int = 0,
                  seller: User | None = None) -> Conversation:
    contact = make_contact(db, tenant, name=name)
    if seller is not None:
        db.add(Lead(tenant_id=tenant.id, contact_id=contact.id, source=LeadSource.web,
                    assigned_to=seller.id))
    at = utcnow() - timedelta(minutes=minutes_ago)
    conversation = Conversation(tenant_id=tenant.id, contact_id=contact.id, channel="web",
                                external_id=f"s-{name}", needs_human=needs_human,
                                human_reason=reason, last_message_at=at, last_inbound_at=at)
    db.add(conversation)
    db.flush()
    db.add(Message(conversation_id=conversation.id, role="user", text=f"Hola, soy {name}",
                   created_at=at))
    db.commit()
    return conversation


def _names_in_order(html: str) -> list[str]:
    return re.findall(r'<span class="name">(?:<span[^>]*></span><span class="sr">[^<]*</span>)?'
                      r"([^<]+)</span>", html)


def test_the_inbox_puts_who_waits_for_a_person_on_top_then_newest_first(
        admin: Signed, db: Session, demo: Tenant) -> None:
    _conversation(db, demo, "Ana", minutes_ago=1)
    _conversation(db, demo, "Beto", needs_human=True, reason="pidió hablar con una persona",
                  minutes_ago=90)
    _conversation(db, demo, "Carla", minutes_ago=30)
    page = admin.get("/console/")
    assert page.status_code == 200  # type: ignore[attr-defined]
    html = page.text  # type: ignore[attr-defined]
    assert _names_in_order(html) == ["Beto", "Ana", "Carla"]
    assert "Pide una persona: pidió hablar con una persona" in html
    assert html.count('class="dot"') == 3  # nobody opened them yet: unread
    assert 'sse-connect="/console/events"' in html and 'name="csrf-token"' in html
    fragment = admin.get("/console/inbox/list").text  # type: ignore[attr-defined]
    assert _names_in_order(fragment) == ["Beto", "Ana", "Carla"] and "<html" not in fragment


def test_take_over_reply_and_hand_back_a_web_chat_from_the_console(
        app: TestClient, admin: Signed, db: Session) -> None:
    chat = app.post("/v1/chat/demo/messages", json={"session_id": SESSION,
                                                    "text": "Hola, quiero hablar con una persona"})
    conversation_id = chat.json()["conversation_id"]
    url = f"/console/conversations/{conversation_id}"
    before = watermark(db, tenant_id=admin.user.tenant_id or "", conversation_id=conversation_id)
    taken = admin.post(f"{url}/takeover")
    assert taken.status_code == 303 and taken.headers["location"] == f"{url}?done=takeover"  # type: ignore[attr-defined]
    db.commit()
    assert watermark(db, tenant_id=admin.user.tenant_id or "",
                     conversation_id=conversation_id) != before
    silent = app.post("/v1/chat/demo/messages", json={"session_id": SESSION,
                                                      "text": "¿Hay alguien?"})
    assert silent.json()["reply"] is None
    page = admin.get(url).text  # type: ignore[attr-defined]
    assert "La atiende Lucia." in page and "Devolver al asistente" in page
    assert "<details><summary>El asistente usó «request_human»</summary>" in page  # folded
    assert "¿Hay alguien?" in page
    sent = admin.post(f"{url}/reply", {"text": "Hola, soy Lucía. ¿En qué te ayudo?"})
    assert sent.headers["location"] == f"{url}?done=sent"  # type: ignore[attr-defined]
    history = app.get("/v1/chat/demo/messages", params={"session_id": SESSION}).json()
    assert history[-1] == {**history[-1], "role": "staff",
                           "text": "Hola, soy Lucía. ¿En qué te ayudo?"}
    shown = admin.get(url, done="sent").text  # type: ignore[attr-defined]
    assert "Respuesta enviada." in shown and "en el chat web" in shown
    back = admin.post(f"{url}/release")
    assert back.headers["location"] == f"{url}?done=release"  # type: ignore[attr-defined]
    assert app.post("/v1/chat/demo/messages", json={
        "session_id": SESSION, "text": "¿qué servicios tienen?"}).json()["reply"]
    db.commit()
    conversation = db.get(Conversation, conversation_id)
    assert conversation is not None and conversation.held_by is None
    assert not conversation.needs_human  # a person dealt with it
    actions = [e.action for e in db.exec(select(AuditEvent).where(
        AuditEvent.actor_id == admin.user.id))]
    assert {"conversation.takeover", "conversation.reply", "conversation.release",
            "conversation.read"} <= set(actions)


def test_a_form_without_the_csrf_token_is_refused_and_changes_nothing(
        admin: Signed, db: Session, demo: Tenant) -> None:
    conversation = _conversation(db, demo, "Dora", needs_human=True)
    refused = admin.post(f"/console/conversations/{conversation.id}/takeover", csrf=False)
    assert refused.status_code == 403  # type: ignore[attr-defined]
    forged = admin.post(f"/console/conversations/{conversation.id}/takeover",
                        {"csrf_token": "x" * 43}, csrf=False)
    assert forged.status_code == 403  # type: ignore[attr-defined]
    htmx = admin.client.post(f"/console/conversations/{conversation.id}/takeover",
                             headers={"X-CSRF-Token": admin.csrf}, follow_redirects=False)
    assert htmx.status_code == 303  # the header is as good as the field
    db.commit()
    db.expire_all()
    assert db.get(Conversation, conversation.id).held_by == admin.user.id  # type: ignore[union-attr]


def test_a_blank_reply_or_an_unknown_conversation_is_a_clear_message_not_a_500(
        admin: Signed, db: Session, demo: Tenant) -> None:
    conversation = _conversation(db, demo, "Eva")
    blank = admin.post(f"/console/conversations/{conversation.id}/reply", {"text": "   "})
    assert blank.status_code == 422 and "Revisá el campo «mensaje»" in blank.text  # type: ignore[attr-defined]
    unknown = admin.get("/console/conversations/nope")
    assert unknown.status_code == 404 and "No existe" in unknown.text  # type: ignore[attr-defined]
    long = admin.post(f"/console/conversations/{conversation.id}/reply", {"text": "x" * 9000})
    assert long.status_code == 422  # type: ignore[attr-defined]


def test_a_seller_sees_only_her_leads_contacts_and_conversations(
        app: TestClient, db: Session, demo: Tenant) -> None:
    vera = staff(db, demo, Role.seller, "Vera")
    ramiro = staff(db, demo, Role.seller, "Ramiro")
    hers = _conversation(db, demo, "Fabiana", seller=vera)
    other = _conversation(db, demo, "Gustavo", seller=ramiro)
    seller = sign_in(app, db, vera)
    assert _names_in_order(seller.get("/console/").text) == ["Fabiana"]  # type: ignore[attr-defined]
    board = seller.get("/console/leads").text  # type: ignore[attr-defined]
    assert "Fabiana" in board and "Gustavo" not in board
    [lead_id] = re.findall(r'href="/console/leads/([0-9a-f]+)"', board)
    assert 'name="assigned_to"' not in seller.get(f"/console/leads/{lead_id}").text  # type: ignore[attr-defined]
    assert seller.get(f"/console/conversations/{other.id}").status_code == 404  # type: ignore[attr-defined]
    assert seller.get(f"/console/contacts/{other.contact_id}").status_code == 404  # type: ignore[attr-defined]
    assert seller.post(f"/console/conversations/{other.id}/takeover").status_code == 404  # type: ignore[attr-defined]
    assert seller.get(f"/console/contacts/{hers.contact_id}").status_code == 200  # type: ignore[attr-defined]
    assert "Borrar contacto" not in seller.get(f"/console/contacts/{hers.contact_id}").text  # type: ignore[attr-defined]
    assert seller.post(f"/console/contacts/{hers.contact_id}/delete",
                       {"confirm": "on"}).status_code == 403  # type: ignore[attr-defined]
    searched = seller.get("/console/leads", q="Gustavo").text  # type: ignore[attr-defined]
    assert '<span class="name">Gustavo' not in searched


def test_the_ml_team_gets_the_corpus_page_and_no_inbox(
        app: TestClient, db: Session, demo: Tenant) -> None:
    ml = sign_in(app, db, staff(db, demo, Role.ml, "Mara"))
    for path in ("/console/", "/console/leads", "/console/appointments"):
        sent = ml.get(path)
        assert sent.status_code == 303 and sent.headers["location"] == "/console/corpus"  # type: ignore[attr-defined]
    corpus = ml.get("/console/corpus")
    assert corpus.status_code == 200 and "parte 2" in corpus.text  # type: ignore[attr-defined]
    assert "Conversaciones" not in corpus.text  # type: ignore[attr-defined]


def _service(db: Session, tenant: Tenant) -> Service:
    return db.exec(select(Service).where(Service.tenant_id == tenant.id,
                                         Service.name == "Consulta general")).one()


def test_the_calendar_books_moves_and_cancels_through_the_booking_service(
        admin: Signed, db: Session, demo: Tenant) -> None:
    service = _service(db, demo)
    rosa = make_contact(db, demo, name="Rosa Aguirre", phone="+5491155550101")
    booked = admin.post("/console/appointments", {
        "service_id": service.id, "day": str(MONDAY), "at": "10:00",
        "contact_query": "Rosa"})
    assert booked.headers["location"] == f"/console/appointments?view=day&day={MONDAY}&done=booked"  # type: ignore[attr-defined]
    day = admin.get("/console/appointments", day=str(MONDAY)).text  # type: ignore[attr-defined]
    assert "10:00–10:30" in day and "Rosa Aguirre" in day and "Turno reservado" not in day
    # A walk-in (a new contact) at the same time: the slot is taken, said in the form.
    taken = admin.post("/console/appointments", {
        "service_id": service.id, "day": str(MONDAY), "at": "10:15",
        "new_name": "Sofía Paz", "new_phone": "11 5555-0133"})
    assert taken.status_code == 409 and "ya está ocupado" in taken.text  # type: ignore[attr-defined]
    assert "Para Sofía Paz." in taken.text  # type: ignore[attr-defined]
    sunday = admin.post("/console/appointments", {
        "service_id": service.id, "day": str(MONDAY - timedelta(days=1)), "at": "10:00",
        "contact_query": "Rosa"})
    assert sunday.status_code == 409 and "cerrado" in sunday.text  # type: ignore[attr-defined]
    bad = admin.post("/console/appointments", {"service_id": service.id, "day": "mañana",
                                               "at": "10:00", "contact_query": "Rosa"})
    assert bad.status_code == 422 and "fecha y una hora válidas" in bad.text  # type: ignore[attr-defined]
    db.commit()
    appointment = db.exec(select(Appointment).where(Appointment.contact_id == rosa.id)).one()
    moved = admin.post(f"/console/appointments/{appointment.id}/move",
                       {"day": str(MONDAY), "at": "11:00", "shown": str(MONDAY)})
    assert moved.headers["location"].endswith("done=moved")  # type: ignore[attr-defined]
    # The form that said "taken" kept the new contact: the retry books for her.
    kept = re.search(r'name="contact_id" value="([0-9a-f]+)"', taken.text)  # type: ignore[attr-defined]
    assert kept is not None
    walk_in = admin.post("/console/appointments", {
        "service_id": service.id, "day": str(MONDAY), "at": "10:00",
        "contact_id": kept.group(1)})
    assert walk_in.status_code == 303  # the old slot is free again  # type: ignore[attr-defined]
    week = admin.get("/console/appointments", view="week", day=str(MONDAY)).text  # type: ignore[attr-defined]
    assert "Sofía Paz" in week and "Domingo" in week and "Cerrado" in week
    clash = admin.post(f"/console/appointments/{appointment.id}/move",
                       {"day": str(MONDAY), "at": "10:00", "shown": str(MONDAY)})
    assert clash.status_code == 409 and "ocupado" in clash.text  # type: ignore[attr-defined]
    cancelled = admin.post(f"/console/appointments/{appointment.id}/cancel",
                           {"shown": str(MONDAY)})
    assert cancelled.headers["location"].endswith("done=cancelled")  # type: ignore[attr-defined]
    db.commit()
    db.expire_all()
    stored = db.get(Appointment, appointment.id)
    assert stored is not None and stored.status == AppointmentStatus.cancelada
    assert db.exec(select(SlotHold).where(SlotHold.appointment_id == appointment.id)).all() == []
    sofia = db.exec(select(Contact).where(Contact.name == "Sofía Paz")).one()
    assert len(db.exec(select(Lead).where(Lead.contact_id == sofia.id)).all()) == 1
    actions = {e.action for e in db.exec(select(AuditEvent))}
    assert {"appointment.create", "appointment.move", "appointment.cancel"} <= actions


def test_the_leads_board_counts_adds_searches_changes_stage_and_assigns(
        admin: Signed, db: Session, demo: Tenant) -> None:
    vera = staff(db, demo, Role.seller, "Vera")
    added = admin.post("/console/leads", {"name": "Hugo Lanz", "phone": "11 5555-0144",
                                          "email": "hugo@example.com", "notes": "Llamó"})
    assert added.headers["location"] == "/console/leads?done=added"  # type: ignore[attr-defined]
    bad = admin.post("/console/leads", {"name": "Sin Tel", "phone": "12"})
    assert bad.status_code == 422 and 'class="error"' in bad.text  # type: ignore[attr-defined]
    db.commit()
    lead = db.exec(select(Lead).where(Lead.source == LeadSource.manual)).one()
    board = admin.get("/console/leads").text  # type: ignore[attr-defined]
    assert re.search(r'Nuevo <span class="count">1</span>', board)
    changed = admin.post(f"/console/leads/{lead.id}", {
        "stage": "calificado", "temperature": "caliente", "notes": "Quiere blanqueamiento",
        "assigned_to": vera.id})
    assert changed.headers["location"] == f"/console/leads/{lead.id}?done=saved"  # type: ignore[attr-defined]
    shown = admin.get(f"/console/leads/{lead.id}", done="saved").text  # type: ignore[attr-defined]
    assert "Cambios guardados." in shown and "Quiere blanqueamiento" in shown
    wrong = admin.post(f"/console/leads/{lead.id}", {"stage": "ganadisimo"})
    assert wrong.status_code == 422 and "Revisá el campo «etapa»" in wrong.text  # type: ignore[attr-defined]
    db.commit()
    db.expire_all()
    stored = db.get(Lead, lead.id)
    assert stored is not None and stored.stage == LeadStage.calificado
    assert stored.assigned_to == vera.id and stored.notes == "Quiere blanqueamiento"
    board = admin.get("/console/leads", seller=vera.id).text  # type: ignore[attr-defined]
    assert re.search(r'Calificado <span class="count">1</span>', board)
    assert "Hugo Lanz" in admin.get("/console/leads", q="0144").text  # type: ignore[attr-defined]
    for found in (admin.get("/console/leads", q="zzz"), admin.get("/console/leads", source="web")):
        assert "Hugo Lanz" not in found.text  # type: ignore[attr-defined]


def test_the_contact_page_corrects_details_and_deletes_the_contact(
        admin: Signed, db: Session, demo: Tenant) -> None:
    conversation = _conversation(db, demo, "Inés")
    contact_id, conversation_id = conversation.contact_id, conversation.id
    make_contact(db, demo, name="Otra", phone="+5491155550177")
    url = f"/console/contacts/{contact_id}"
    page = admin.get(url).text  # type: ignore[attr-defined]
    assert "Inés" in page and "Web" in page and "Borrar contacto" in page
    invalid = admin.post(url, {"name": "Inés Roca", "phone": "12", "email": ""})
    assert invalid.status_code == 422 and 'class="error"' in invalid.text  # type: ignore[attr-defined]
    taken = admin.post(url, {"name": "Inés Roca", "phone": "+5491155550177", "email": ""})
    assert taken.status_code == 409 and "another contact" in taken.text  # type: ignore[attr-defined]
    saved = admin.post(url, {"name": "Inés Roca", "phone": "11 5555-0188",
                             "email": "ines@example.com"})
    assert saved.headers["location"] == f"{url}?done=saved"  # type: ignore[attr-defined]
    db.commit()
    db.expire_all()
    contact = db.get(Contact, contact_id)
    assert contact is not None and contact.name == "Inés Roca"
    assert contact.phone == "+541155550188" and contact.email == "ines@example.com"
    unconfirmed = admin.post(f"{url}/delete")
    assert unconfirmed.headers["location"].endswith("done=confirm_needed")  # type: ignore[attr-defined]
    deleted = admin.post(f"{url}/delete", {"confirm": "on"})
    assert deleted.headers["location"] == "/console/?done=contact_deleted"  # type: ignore[attr-defined]
    db.commit()
    db.expire_all()
    assert db.get(Contact, contact_id) is None
    assert db.get(Conversation, conversation_id) is None
    actions = {e.action for e in db.exec(select(AuditEvent))}
    assert {"contact.delete", "contact.deleted", "contact.update"} <= actions


def test_deleting_a_conversation_keeps_the_contact(
        admin: Signed, db: Session, demo: Tenant) -> None:
    conversation = _conversation(db, demo, "Julia")
    conversation_id, contact_id = conversation.id, conversation.contact_id
    url = f"/console/conversations/{conversation_id}"
    assert "Borrar conversación" in admin.get(url).text  # type: ignore[attr-defined]
    deleted = admin.post(f"{url}/delete", {"confirm": "on"})
    assert deleted.headers["location"] == "/console/?done=conversation_deleted"  # type: ignore[attr-defined]
    db.commit()
    db.expire_all()
    assert db.get(Conversation, conversation_id) is None
    assert db.get(Contact, contact_id) is not None


def test_a_user_who_chose_english_gets_the_console_in_english(
        app: TestClient, db: Session, demo: Tenant) -> None:
    kate = sign_in(app, db, staff(db, demo, Role.admin, "Kate"))
    _conversation(db, demo, "Laura", needs_human=True, reason="asked for a person")
    assert '<html lang="es">' in kate.get("/console/").text  # type: ignore[attr-defined]
    switched = kate.post("/console/language", {"lang": "en", "back": "/console/leads"})
    assert switched.headers["location"] == "/console/leads"  # type: ignore[attr-defined]
    inbox = kate.get("/console/").text  # type: ignore[attr-defined]
    assert '<html lang="en">' in inbox and "Needs a person" in inbox
    assert "Appointments" in kate.get("/console/appointments").text  # type: ignore[attr-defined]
    assert "Add a lead" in kate.get("/console/leads").text  # type: ignore[attr-defined]
    db.expire_all()
    assert db.get(User, kate.user.id).locale == "en"  # type: ignore[union-attr]
    away = kate.post("/console/language", {"lang": "es", "back": "https://evil.example/"})
    assert away.headers["location"] == "/console/"  # type: ignore[attr-defined]


def test_the_inbox_pages_through_older_conversations(
        admin: Signed, db: Session, demo: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("api.console.inbox.INBOX_SIZE", 2)
    for n, name in enumerate(("Nora", "Olga", "Pia")):
        _conversation(db, demo, name, minutes_ago=n)
    first = admin.get("/console/").text  # type: ignore[attr-defined]
    assert _names_in_order(first) == ["Nora", "Olga"] and 'href="/console/?page=1"' in first
    second = admin.get("/console/", page="1").text  # type: ignore[attr-defined]
    assert _names_in_order(second) == ["Pia"] and 'hx-get="/console/inbox/list?page=1"' in second


def test_live_updates_of_a_conversation_are_only_for_who_may_see_it(
        app: TestClient, db: Session, demo: Tenant) -> None:
    vera = staff(db, demo, Role.seller, "Vera")
    other = _conversation(db, demo, "Quique")
    seller = sign_in(app, db, vera)
    refused = seller.get("/console/events", conversation=other.id)
    assert refused.status_code == 404  # type: ignore[attr-defined]
    app.cookies.set(COOKIE, "gone")
    signed_out = app.get("/console/events", follow_redirects=False)
    assert signed_out.status_code == 303


def test_outside_the_whatsapp_window_the_console_says_only_the_template_can_go(
        settings: Settings, engine: Engine, db: Session, demo: Tenant) -> None:
    from tests.channels.conftest import APP_SECRET, NOW_TS, TEST_SECRET_KEY, WA_PHONE_ID, connect
    from tests.channels.payloads import signed, wa_text
    from tests.support.graph_standin import GraphStandIn

    graph = GraphStandIn().start()
    try:
        wa_settings = Settings(env="test", database_url=settings.database_url, llm="offline",
                               openai_api_key=None, secret_key=TEST_SECRET_KEY,
                               graph_api_url=graph.url, graph_backoff_seconds=0.001,
                               meta_app_secret=None)
        connect(db, wa_settings, demo, ChannelKind.whatsapp, WA_PHONE_ID,
                template_name="seguimos_en_contacto", template_language="es_AR")
        two_days_later = AgentRuntime(wa_settings, engine, clock=lambda: NOW + timedelta(days=2))
        with TestClient(create_app(wa_settings, two_days_later)) as client:
            raw, headers = signed(wa_text(WA_PHONE_ID, "5491155550199", "wamid.w1", "Hola",
                                          NOW_TS), APP_SECRET)
            assert client.post("/webhooks/meta", content=raw, headers=headers).status_code == 200
            assert client.app.state.processor.drain(30)  # type: ignore[attr-defined]
            db.commit()
            conversation = db.exec(select(Conversation)).one()
            admin = sign_in(client, db, staff(db, demo, Role.admin, "Lucia"))
            url = f"/console/conversations/{conversation.id}"
            page = admin.get(url).text  # type: ignore[attr-defined]
            assert "WhatsApp solo permite enviar una plantilla aprobada" in page
            assert 'name="template"' in page
            refused = admin.post(f"{url}/reply", {"text": "¿Seguís ahí?"})
            assert refused.status_code == 409 and "template" in refused.text  # type: ignore[attr-defined]
            assert "¿Seguís ahí?</textarea>" in refused.text  # type: ignore[attr-defined]
            sent = admin.post(f"{url}/reply", {"text": "¿Seguís ahí?", "template": "on"})
            assert sent.headers["location"] == f"{url}?done=template_sent"  # type: ignore[attr-defined]
        assert graph.sends()[-1].body["type"] == "template"  # type: ignore[index]
    finally:
        graph.stop()
