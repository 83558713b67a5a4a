"""Replies going out: splitting, the 24-hour window, templates, failed sends."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from channels.outbound import split_text
from crm.models import (
    ChannelConnection,
    ChannelKind,
    Conversation,
    DeliveryStatus,
    Message,
    MessageRole,
    OutboundDelivery,
    Tenant,
)
from crm.settings import Settings
from tests.channels.conftest import NOW_TS, WA_PHONE_ID, Poster, connect
from tests.channels.payloads import messaging, text_event, wa_status, wa_text
from tests.support.graph_standin import GraphStandIn

DAY = 24 * 3600


@pytest.mark.parametrize("limit", [20, 100, 1000])
def test_split_text_respects_the_limit_and_keeps_every_word(limit: int) -> None:
    text = ("Tenemos turnos el lunes a las 10. También el martes a las 15:30!\n\n"
            "Para confirmar necesito tu nombre y tu teléfono. " * 30).strip()
    parts = split_text(text, limit)
    assert all(0 < len(p) <= limit for p in parts)
    assert " ".join(parts).split() == text.split()


def test_split_text_prefers_paragraphs_then_sentences() -> None:
    assert split_text("Uno dos tres.\n\nCuatro cinco.", 20) == ["Uno dos tres.", "Cuatro cinco."]
    assert split_text("Hola. ¿Cómo estás? Bien", 12) == ["Hola.", "¿Cómo estás?", "Bien"]
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_outside_the_24_hour_window_no_free_text_is_sent_and_a_human_is_flagged(
        meta: Poster, wa: ChannelConnection, db: Session, graph: GraphStandIn) -> None:
    old = NOW_TS - DAY - 60  # Meta retried for more than a day
    assert meta.post(wa_text(WA_PHONE_ID, "5491155550001", "wamid.old", "Hola",
                             old)).status_code == 200
    meta.drain()
    assert graph.sends() == []
    db.commit()
    conversation = db.exec(select(Conversation)).one()
    assert conversation.needs_human and "24 h" in (conversation.human_reason or "")
    [delivery] = db.exec(select(OutboundDelivery)).all()
    assert (delivery.status, delivery.error_code) == (DeliveryStatus.not_sent, "window_closed")


def test_outside_the_window_the_configured_template_is_sent(
        meta: Poster, db: Session, demo: Tenant, graph: GraphStandIn,
        channel_settings: Settings) -> None:
    connect(db, channel_settings, demo, ChannelKind.whatsapp, WA_PHONE_ID,
            template_name="retomar_conversacion", template_language="es_AR")
    meta.post(wa_text(WA_PHONE_ID, "5491155550001", "wamid.old2", "Hola", NOW_TS - 2 * DAY))
    meta.drain()
    [send] = graph.sends()
    assert send.body is not None and send.body["type"] == "template"
    assert send.body["template"] == {"name": "retomar_conversacion",
                                     "language": {"code": "es_AR"}}


def test_a_send_that_finally_fails_keeps_the_messages_and_records_the_failure(
        meta: Poster, wa: ChannelConnection, db: Session, graph: GraphStandIn) -> None:
    graph.fail(500, 500, 500, 500)
    meta.post(wa_text(WA_PHONE_ID, "5491155550001", "wamid.f1", "Hola", NOW_TS))
    meta.drain()
    assert len(graph.sends()) == 4  # 1 + 3 retries
    db.commit()
    roles = [m.role for m in db.exec(select(Message))]
    assert MessageRole.user in roles and MessageRole.assistant in roles
    [delivery] = db.exec(select(OutboundDelivery)).all()
    assert (delivery.status, delivery.error_code) == (DeliveryStatus.failed, "500")


def test_a_failed_status_from_whatsapp_is_recorded_with_its_code(
        meta: Poster, wa: ChannelConnection, db: Session, graph: GraphStandIn) -> None:
    meta.post(wa_text(WA_PHONE_ID, "5491155550001", "wamid.s1", "Hola", NOW_TS))
    meta.drain()
    meta.post(wa_status(WA_PHONE_ID, "wamid.standin.1", "failed", NOW_TS + 1, error_code=131026))
    meta.drain()
    db.commit()
    delivery = db.exec(select(OutboundDelivery)).one()
    assert (delivery.status, delivery.error_code) == (DeliveryStatus.failed, "131026")


def test_messenger_replies_go_to_me_messages_with_the_page_token(
        meta: Poster, db: Session, demo: Tenant, graph: GraphStandIn,
        channel_settings: Settings) -> None:
    connect(db, channel_settings, demo, ChannelKind.messenger, "1122334455", token="page-tok")
    meta.post(messaging("page", "1122334455",
                        text_event("6612345678901234", "1122334455", "m_hola", "Hola",
                                   NOW_TS * 1000)))
    meta.drain()
    [send] = graph.sends()
    assert send.path == f"/{channel_settings.graph_api_version}/me/messages"
    assert send.body is not None and send.body["recipient"] == {"id": "6612345678901234"}
    assert send.headers["authorization"] == "Bearer page-tok"


def test_a_deleted_whatsapp_message_loses_its_stored_text(
        meta: Poster, wa: ChannelConnection, db: Session) -> None:
    meta.post(wa_text(WA_PHONE_ID, "5491155550001", "wamid.del", "mi DNI es 12345678", NOW_TS))
    meta.drain()
    revoke = wa_text(WA_PHONE_ID, "5491155550001", "wamid.rev", "", NOW_TS + 5)
    message = revoke["entry"][0]["changes"][0]["value"]["messages"][0]
    message.pop("text")
    message.update(type="revoke", revoke={"original_message_id": "wamid.del"})
    meta.post(revoke)
    meta.drain()
    db.commit()
    user = db.exec(select(Message).where(Message.role == MessageRole.user)).one()
    assert "12345678" not in user.text
