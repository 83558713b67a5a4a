"""The processing path of a stored webhook event: agent turns, replies, statuses, leads.

`process_event(ctx, event_id)` processes every item of an event in order; it is what a
worker process calls (the durable Redis path, later). The in-process worker calls
`process_item` per item instead, to keep one conversation's items in arrival order while
others run in parallel. Both are idempotent per item: an item whose ledger row another
event owns, or that is already done, is skipped.

What each inbound kind does (documented choices):
- text, button/list replies, postbacks, media, location, contacts, orders, story replies,
  edits and unsupported types: one agent turn with `InboundMessage.agent_text()` (media
  reads "[audio]", an edit reads "[mensaje editado] <new text>" and is answered as a new
  message, an unknown type reads "[mensaje de un tipo no soportado]") and the reply is sent.
- deletes: the stored text of the deleted message is replaced; no turn.
- reactions, story mentions and system notices: kept in the raw event only; no turn.
- echoes (our own messages, Instagram/Messenger): ignored (dropped on receipt).
- WhatsApp statuses: move the outbound delivery forward (sent → delivered → read, failed
  with Meta's error code).
- leadgen: the Lead Ads intake (channels.lead_ads).
"""

from __future__ import annotations

import json
import logging

from sqlalchemy import update
from sqlmodel import Session, col

from agent.runtime import Inbound
from channels.context import ChannelContext
from channels.inbound import (
    InboundKind,
    InboundMessage,
    Item,
    LeadgenChange,
    StatusUpdate,
    dedup_key,
)
from channels.lead_ads import handle_leadgen
from channels.outbound import deliver_reply
from channels.payload import parse_webhook
from crm.errors import CrmError
from crm.models import (
    Channel,
    ChannelConnection,
    ChannelKind,
    InboundState,
    Tenant,
    WebhookEvent,
    WebhookStatus,
    utcnow,
)
from crm.services.connections import connections_for
from crm.services.dedup import last_inbound_at, owned_key
from crm.services.deliveries import apply_status, redact_deleted
from crm.services.normalize import normalize_phone, region_of

log = logging.getLogger("mostrador.channels.processing")

MAX_AGENT_TEXT = 4000


def process_event(ctx: ChannelContext, event_id: int) -> None:
    """Process every pending item of a stored event, in order."""
    with Session(ctx.engine, expire_on_commit=False) as db:
        event = db.get(WebhookEvent, event_id)
        count = len(_items(event)) if event is not None else 0
    for index in range(count):
        process_item(ctx, event_id, index)


def process_item(ctx: ChannelContext, event_id: int, index: int) -> None:
    """Process item `index` of event `event_id` once (see the module docstring)."""
    with Session(ctx.engine, expire_on_commit=False) as db:
        event = db.get(WebhookEvent, event_id)
        items = _items(event)
        if event is None or index >= len(items):
            return
        item = items[index]
        if isinstance(item, InboundMessage) and item.kind == InboundKind.echo:
            return
        connection = connections_for(db, accounts={(item.channel, item.account_id)}).get(
            (item.channel, item.account_id))
        key = dedup_key(item)
        row = owned_key(db, channel=key[0], external_id=key[1],
                        event_id=event_id) if key else None
        if connection is None or (key is not None and row is None):
            db.rollback()
            return  # deleted connection, or another delivery owns the item / it is done
        db.commit()
        ok = True
        try:
            _dispatch(ctx, db, connection, item)
        except Exception as exc:  # one bad item must not stop the others, nor leak PII
            db.rollback()
            ok = False
            log.error("item failed event=%d index=%d kind=%s error=%s", event_id, index,
                      type(item).__name__, type(exc).__name__)
        if row is not None:
            row.state = InboundState.done if ok else InboundState.error
            db.add(row)
        _count_done(db, event_id, ok)
        db.commit()


def _items(event: WebhookEvent | None) -> list[Item]:
    if event is None:
        return []
    return parse_webhook(json.loads(event.body)).items


def _count_done(db: Session, event_id: int, ok: bool) -> None:
    values: dict[str, object] = {"items_done": col(WebhookEvent.items_done) + 1}
    if not ok:
        values["status"] = WebhookStatus.error
    db.exec(update(WebhookEvent).where(col(WebhookEvent.id) == event_id)  # type: ignore[call-overload]
            .values(**values))
    db.flush()
    event = db.get(WebhookEvent, event_id, populate_existing=True)
    if (event is not None and event.items_done >= event.items_total
            and event.status == WebhookStatus.received):
        event.status = WebhookStatus.processed
        event.processed_at = utcnow()
        db.add(event)


def _dispatch(ctx: ChannelContext, db: Session, connection: ChannelConnection,
              item: Item) -> None:
    if isinstance(item, StatusUpdate):
        found = apply_status(db, tenant_id=connection.tenant_id, channel=item.channel.value,
                             external_id=item.message_id, status=item.status,
                             error_code=item.error_code)
        log.info("status %s delivery=%s code=%s", item.status[:16],
                 found.id if found else "unknown", item.error_code or "-")
        return
    if isinstance(item, LeadgenChange):
        handle_leadgen(ctx, db, connection=connection, change=item)
        return
    if item.kind == InboundKind.delete:
        redacted = redact_deleted(db, tenant_id=connection.tenant_id,
                                  channel=item.channel.value, external_id=item.target_id or "")
        log.info("message deleted by the user found=%s", redacted)
        return
    if not item.runs_turn:
        log.info("inbound kept without a turn kind=%s", item.kind.value)
        return
    _answer(ctx, db, connection, item)


def _answer(ctx: ChannelContext, db: Session, connection: ChannelConnection,
            item: InboundMessage) -> None:
    tenant = db.get(Tenant, connection.tenant_id)
    assert tenant is not None  # FK
    slug = tenant.slug
    db.commit()  # the turn runs in the runtime's own session; hold nothing meanwhile
    try:
        result = ctx.runtime.handle(Inbound(
            tenant_slug=slug, channel=Channel(item.channel.value), thread_id=item.sender_id,
            text=item.agent_text()[:MAX_AGENT_TEXT], phone=_vouched_phone(tenant, item),
            channel_message_id=item.message_id))
    except CrmError as exc:
        log.error("turn refused connection=%s error=%s", connection.id, type(exc).__name__)
        raise
    last_user_at = last_inbound_at(db, tenant_id=tenant.id, channel=item.channel.value,
                                   sender_id=item.sender_id)
    deliver_reply(ctx, db, connection=connection, conversation_id=result.conversation_id,
                  message_id=result.reply_message_id, recipient=item.sender_id,
                  text=result.reply, last_user_at=last_user_at)


def _vouched_phone(tenant: Tenant, item: InboundMessage) -> str | None:
    """WhatsApp vouches for the sender's number (wa_id); other channels give none."""
    if item.channel != ChannelKind.whatsapp:
        return None
    try:
        return normalize_phone(item.sender_id, region=region_of(tenant.locale))
    except CrmError:
        return None
