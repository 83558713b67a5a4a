"""Whole paths through the real app, database, offline model and the Graph stand-in."""

from __future__ import annotations

import threading

import httpx
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from agent.runtime import AgentRuntime
from api.app import create_app
from crm.models import (
    Appointment,
    ChannelConnection,
    ChannelKind,
    Contact,
    Conversation,
    DeliveryStatus,
    IntakeState,
    Lead,
    LeadAdIntake,
    LeadSource,
    Message,
    MessageRole,
    OutboundDelivery,
    Role,
    Tenant,
    User,
)
from crm.settings import Settings
from tests.channels.conftest import APP_SECRET, NOW_TS, WA_PHONE_ID, WA_TOKEN, Poster, connect
from tests.channels.payloads import leadgen, signed, wa_status, wa_text
from tests.support.graph_standin import GraphStandIn
from tests.support.live_server import live_server

ANA = "5491155551234"


def test_a_whatsapp_text_is_answered_by_the_agent_and_the_reply_posted(
        meta: Poster, wa: ChannelConnection, db: Session, graph: GraphStandIn,
        channel_settings: Settings) -> None:
    body = wa_text(WA_PHONE_ID, ANA, "wamid.e2e1",
                   "Hola, quiero un turno mañana a las 10, soy Ana", NOW_TS)
    assert meta.post(body).status_code == 200
    meta.drain()
    [send] = graph.sends()
    assert send.path == f"/{channel_settings.graph_api_version}/{WA_PHONE_ID}/messages"
    assert send.headers["authorization"] == f"Bearer {WA_TOKEN}"
    assert send.body is not None and send.body["to"] == ANA and send.body["type"] == "text"
    reply = send.body["text"]["body"]
    db.commit()
    conversation = db.exec(select(Conversation)).one()
    assert conversation.channel == "whatsapp" and conversation.external_id == ANA
    contact = db.get(Contact, conversation.contact_id)
    assert contact is not None and contact.phone == "+5491155551234"
    messages = db.exec(select(Message).where(Message.conversation_id == conversation.id)).all()
    user = [m for m in messages if m.role == MessageRole.user]
    assert [m.channel_message_id for m in user] == ["wamid.e2e1"]
    last = [m for m in messages if m.role == MessageRole.assistant][-1]
    assert last.text == reply and last.channel_message_id == "wamid.standin.1"
    # the offline model understood the request: it asks what is missing or books
    assert reply.strip()

    # statuses move the delivery forward, never back
    for status in ("sent", "read", "delivered"):
        assert meta.post(wa_status(WA_PHONE_ID, "wamid.standin.1", status,
                                   NOW_TS + 5)).status_code == 200
    meta.drain()
    db.commit()
    delivery = db.exec(select(OutboundDelivery)).one()
    assert delivery.status == DeliveryStatus.read and delivery.message_id == last.id


def test_a_booking_conversation_on_whatsapp_books_the_appointment(
        meta: Poster, wa: ChannelConnection, db: Session, graph: GraphStandIn) -> None:
    texts = ["Hola, quiero un turno para limpieza mañana a las 10, soy Ana Pérez"]
    for n, text in enumerate(texts):
        assert meta.post(wa_text(WA_PHONE_ID, ANA, f"wamid.book{n}", text,
                                 NOW_TS + n)).status_code == 200
        meta.drain()
    db.commit()
    assert len(graph.sends()) == len(texts)
    appointments = db.exec(select(Appointment)).all()
    assert len(appointments) == 1


def test_twenty_concurrent_deliveries_of_one_message_make_one_turn_and_one_reply(
        channel_settings: Settings, runtime: AgentRuntime, wa: ChannelConnection,
        db: Session, graph: GraphStandIn) -> None:
    app = create_app(channel_settings, runtime)
    raw, headers = signed(wa_text(WA_PHONE_ID, ANA, "wamid.storm", "Hola", NOW_TS), APP_SECRET)
    statuses: list[int] = []
    with live_server(app) as base:
        barrier = threading.Barrier(20)

        def deliver() -> None:
            barrier.wait()
            statuses.append(httpx.post(base + "/webhooks/meta", content=raw, headers=headers,
                                       timeout=30).status_code)

        threads = [threading.Thread(target=deliver) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert app.state.processor.drain(30)
    assert statuses == [200] * 20
    db.commit()
    assert len(db.exec(select(Message).where(Message.role == MessageRole.user)).all()) == 1
    assert len(graph.sends()) == 1


def test_a_leadgen_webhook_creates_exactly_one_lead_assigned_to_a_seller(
        meta: Poster, db: Session, demo: Tenant, graph: GraphStandIn,
        channel_settings: Settings) -> None:
    connect(db, channel_settings, demo, ChannelKind.lead_ads, "5550001", token="page-token-1")
    graph.add_lead("900001", {"full_name": "Ana Gómez", "email": "Ana@Example.test",
                              "phone_number": "+54 9 11 5555-1234",
                              "¿Qué tratamiento te interesa?": "Blanqueamiento"},
                   form_id="444555666", ad_id="777888999")
    for _ in range(3):
        assert meta.post(leadgen("5550001", "900001")).status_code == 200
    meta.drain()
    db.commit()
    [lead] = db.exec(select(Lead)).all()
    assert lead.source == LeadSource.meta_lead_ads
    seller = db.get(User, lead.assigned_to or "")
    assert seller is not None and seller.role == Role.seller
    contact = db.get(Contact, lead.contact_id)
    assert contact is not None
    assert (contact.name, contact.email, contact.phone) == (
        "Ana Gómez", "ana@example.test", "+5491155551234")
    [intake] = db.exec(select(LeadAdIntake)).all()
    assert intake.state == IntakeState.registrado and intake.lead_id == lead.id
    assert intake.registered_at is not None and intake.received_at is not None
    assert intake.answers and intake.answers["¿Qué tratamiento te interesa?"] == "Blanqueamiento"
    assert (intake.form_id, intake.ad_id) == ("444555666", "777888999")
    [fetch] = [r for r in graph.requests if r.method == "GET"]
    assert fetch.path.endswith("/900001") and fetch.headers["authorization"] == (
        "Bearer page-token-1")


def test_the_reply_of_a_turn_is_not_lost_when_the_app_restarts_mid_queue(
        channel_settings: Settings, runtime: AgentRuntime, wa: ChannelConnection,
        db: Session, graph: GraphStandIn) -> None:
    """An event stored but not processed (a crash) is re-driven on the next start."""
    from channels.receiver import receive
    from crm.crypto import box_for

    raw, headers = signed(wa_text(WA_PHONE_ID, ANA, "wamid.crash", "Hola", NOW_TS), APP_SECRET)
    with Session(runtime.engine, expire_on_commit=False) as session:
        receipt = receive(session, settings=channel_settings, box=box_for(channel_settings),
                          body=raw, signature=headers["X-Hub-Signature-256"])
    assert receipt.event_id is not None  # stored, never handed to a processor
    with TestClient(create_app(channel_settings, runtime)) as client:
        assert client.app.state.processor.drain(30)  # type: ignore[attr-defined]
    assert len(graph.sends()) == 1
