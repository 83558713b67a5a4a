"""Receipts: our reference goes out with every send, and a signed status or echo webhook
that brings it back records the part as accepted by Meta (channels.receipts)."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from channels.receipts import (
    LAG_FACTOR,
    RECEIPT_ORDER_MARGIN,
    await_receipts,
    parse_reference,
    record_accepted,
    reference,
)
from crm.models import (
    Channel,
    ChannelConnection,
    ChannelKind,
    Conversation,
    DeliveryStatus,
    Message,
    MessageRole,
    OutboundDelivery,
    Tenant,
    WebhookEvent,
    utcnow,
)
from crm.settings import Settings
from tests.channels.conftest import NOW_TS, WA_PHONE_ID, Poster, connect
from tests.channels.payloads import messaging, text_event, wa_status, wa_text
from tests.factories import make_contact, make_tenant
from tests.support.graph_standin import GraphStandIn

PAGE = "1122334455"
PSID = "6612345678901234"


def status_with(reference_: str, wamid: str, phone_id: str = WA_PHONE_ID) -> dict[str, Any]:
    body = wa_status(phone_id, wamid, "sent", NOW_TS + 1)
    body["entry"][0]["changes"][0]["value"]["statuses"][0][
        "biz_opaque_callback_data"] = reference_
    return body


def reply_of(db: Session) -> Message:
    db.commit()
    return [m for m in db.exec(select(Message).where(Message.role == MessageRole.assistant))
            if not m.tool_calls][-1]


def forget_deliveries(db: Session) -> None:
    """As if the worker had been killed after Meta's answer, before recording it."""
    db.exec(delete(OutboundDelivery))  # type: ignore[call-overload]
    db.commit()


def deliveries(db: Session) -> list[OutboundDelivery]:
    db.commit()
    return list(db.exec(select(OutboundDelivery)))


def test_references_are_ids_only_and_anything_else_is_not_ours() -> None:
    assert reference(42, 1) == "mst:42:1" and parse_reference("mst:42:1") == (42, 1)
    for other in (None, "", "mst:42", "mst:x:1", "mst:1:2:3", "otra-app:42:1", "mst:-1:0"):
        assert parse_reference(other) is None


def test_a_whatsapp_status_bringing_our_reference_back_records_the_part(
        meta: Poster, wa: ChannelConnection, db: Session, graph: GraphStandIn) -> None:
    assert meta.post(wa_text(WA_PHONE_ID, "5491155550001", "wamid.r1", "Hola",
                             NOW_TS)).status_code == 200
    meta.drain()
    [send] = graph.sends()
    reply = reply_of(db)
    assert send.body is not None
    assert send.body["biz_opaque_callback_data"] == f"mst:{reply.id}:0"
    forget_deliveries(db)
    events = len(db.exec(select(WebhookEvent)).all())
    for _ in range(2):  # Meta sends `sent`, `delivered`, ...: one delivery all the same
        assert meta.post(status_with(f"mst:{reply.id}:0", "wamid.standin.1")).status_code == 200
    [delivery] = deliveries(db)  # at once: receipts are applied by the webhook receiver
    assert (delivery.message_id, delivery.part, delivery.external_id) == (
        reply.id, 0, "wamid.standin.1")
    assert delivery.status == DeliveryStatus.sent  # and so is the status they bring
    assert len(db.exec(select(WebhookEvent)).all()) == events  # no work left to queue


def test_a_reference_to_another_businesss_message_is_not_a_receipt(
        meta: Poster, wa: ChannelConnection, db: Session, channel_settings: Settings) -> None:
    other = make_tenant(db)
    connect(db, channel_settings, other, ChannelKind.whatsapp, "209999999999999")
    meta.post(wa_text(WA_PHONE_ID, "5491155550001", "wamid.r2", "Hola", NOW_TS))
    meta.drain()
    reply = reply_of(db)
    forget_deliveries(db)
    # signed by the other business's app, naming the demo's message: not its receipt
    assert meta.post(status_with(f"mst:{reply.id}:0", "wamid.ajeno",
                                 phone_id="209999999999999")).status_code == 200
    user = db.exec(select(Message).where(Message.role == MessageRole.user)).one()
    assert meta.post(status_with(f"mst:{user.id}:0", "wamid.usuario")).status_code == 200
    assert meta.post(status_with("mst:999999:0", "wamid.nada")).status_code == 200
    meta.drain()
    assert deliveries(db) == []


def test_a_messenger_echo_bringing_our_metadata_back_records_the_part_and_nothing_else(
        meta: Poster, db: Session, demo: Tenant, graph: GraphStandIn,
        channel_settings: Settings) -> None:
    connect(db, channel_settings, demo, ChannelKind.messenger, PAGE, token="page-tok")
    meta.post(messaging("page", PAGE, text_event(PSID, PAGE, "m_r3", "Hola", NOW_TS * 1000)))
    meta.drain()
    [send] = graph.sends()
    reply = reply_of(db)
    assert send.body is not None and send.body["message"]["metadata"] == f"mst:{reply.id}:0"
    forget_deliveries(db)
    events = len(db.exec(select(WebhookEvent)).all())
    echo = {"sender": {"id": PAGE}, "recipient": {"id": PSID}, "timestamp": NOW_TS * 1000,
            "message": {"is_echo": True, "app_id": 1234, "mid": "m_standin_1",
                        "text": send.body["message"]["text"],
                        "metadata": f"mst:{reply.id}:0"}}
    assert meta.post(messaging("page", PAGE, echo)).status_code == 200
    meta.drain()
    [delivery] = deliveries(db)
    assert (delivery.message_id, delivery.external_id) == (reply.id, "m_standin_1")
    assert len(db.exec(select(WebhookEvent)).all()) == events  # an echo is no work
    assert graph.sends() == [send]


def _two_replies(db: Session, engine: Engine) -> tuple[str, int, int]:
    """(tenant id, our reply's id, another reply's id): two WhatsApp conversations."""
    tenant = make_tenant(db)
    ids = []
    for n in range(2):
        contact = make_contact(db, tenant)
        conversation = Conversation(tenant_id=tenant.id, contact_id=contact.id,
                                    channel=Channel.whatsapp, external_id=f"54911000009{n}")
        db.add(conversation)
        db.flush()
        message = Message(conversation_id=conversation.id, role=MessageRole.assistant,
                          text="hola")
        db.add(message)
        db.flush()
        assert message.id is not None
        ids.append(message.id)
    db.commit()
    return tenant.id, ids[0], ids[1]


def _wait_in_thread(engine: Engine, *, tenant_id: str, message_id: int, since: datetime,
                    seconds: float) -> tuple[threading.Thread, list[int]]:
    found: list[int] = []
    thread = threading.Thread(target=lambda: found.append(await_receipts(
        engine, message_id=message_id, last_part=0, since=since, seconds=seconds,
        tenant_id=tenant_id, channel="whatsapp")))
    thread.start()
    return thread, found


def test_a_retry_waits_past_the_confirm_window_while_receipts_lag_behind(
        db: Session, engine: Engine) -> None:
    """The receipt of our send is late (Meta's webhooks back up, or the API answers them
    slowly under load): a send recorded after ours still has no status either. The retry
    waits for the receipt instead of sending the reply a second time."""
    tenant_id, ours, other = _two_replies(db, engine)
    since = utcnow()
    db.add(OutboundDelivery(tenant_id=tenant_id, message_id=other, channel="whatsapp",
                            external_id="wamid.earlier", part=0, status=DeliveryStatus.read,
                            created_at=since - timedelta(seconds=60)))  # statuses do come
    db.add(OutboundDelivery(tenant_id=tenant_id, message_id=other, channel="whatsapp",
                            external_id="wamid.later", part=1, status=DeliveryStatus.accepted,
                            created_at=since + timedelta(seconds=RECEIPT_ORDER_MARGIN + 1)))
    db.commit()
    thread, found = _wait_in_thread(engine, tenant_id=tenant_id, message_id=ours,
                                    since=since, seconds=0.3)
    time.sleep(1.0)  # well past the confirm window
    assert thread.is_alive() and found == []
    record_accepted(db, tenant_id=tenant_id, message_id=ours, channel="whatsapp",
                    external_id="wamid.ours", part=0)  # the receipt arrives at last
    db.commit()
    thread.join(10)
    assert found == [0]  # Meta has it: nothing is sent again


def test_a_retry_sends_again_once_receipts_are_past_its_send(
        db: Session, engine: Engine) -> None:
    """A send recorded after ours has its receipt and ours has none: Meta never got ours."""
    tenant_id, ours, other = _two_replies(db, engine)
    since = utcnow()
    db.add(OutboundDelivery(tenant_id=tenant_id, message_id=other, channel="whatsapp",
                            external_id="wamid.later", part=0, status=DeliveryStatus.sent,
                            created_at=since + timedelta(seconds=RECEIPT_ORDER_MARGIN + 1)))
    db.commit()
    started = time.monotonic()
    thread, found = _wait_in_thread(engine, tenant_id=tenant_id, message_id=ours,
                                    since=since, seconds=0.3)
    thread.join(10)
    assert found == [-1] and time.monotonic() - started < 0.3 * LAG_FACTOR
