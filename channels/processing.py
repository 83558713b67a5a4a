"""The processing path of a stored webhook event: agent turns, replies, statuses, leads.

`process_event(ctx, event_id)` processes every item of an event in order (the re-drive of
the in-process path). The in-process worker calls `process_item` per item, to keep one
conversation's items in arrival order while others run in parallel. The durable Redis path
(`channels.durable`) calls `process_batch` with one conversation's items: it answers a
burst in one turn, raises on transient failures so the queue retries, and makes retries
safe (see its docstring). All are idempotent per item: an item whose ledger row another
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
  with Meta's error code). Those carrying our send reference never get here: the
  receiver applies them as receipts (channels.receipts).
- leadgen: the Lead Ads intake (channels.lead_ads).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from sqlalchemy import update
from sqlmodel import Session, col, select

from agent import fencing
from agent.runtime import Inbound
from channels.context import ChannelContext
from channels.errors import ReplyNotSent
from channels.inbound import (
    InboundKind,
    InboundMessage,
    Item,
    LeadgenChange,
    StatusUpdate,
    dedup_key,
)
from channels.lead_ads import handle_leadgen
from channels.outbound import deliver_once, deliver_reply
from channels.payload import parse_webhook
from crm.errors import CrmError
from crm.models import (
    Channel,
    ChannelConnection,
    ChannelKind,
    DeliveryStatus,
    InboundKey,
    InboundState,
    Tenant,
    WebhookEvent,
    WebhookStatus,
    utcnow,
)
from crm.services.connections import connections_for
from crm.services.dedup import last_inbound_at, owned_key, pending_of_sender
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


# Over a rate limit: the reply text, else None (the durable queue provides one).
Admit = Callable[[str, str], str | None]


def process_batch(ctx: ChannelContext, units: list[tuple[int, int]], *,
                  admit: Admit | None = None, combine: bool = True) -> str | None:
    """Process items of one thread key in order, for the durable queue; the tenant slug.

    Consecutive messages that run a turn are answered in one turn when `combine` (the
    debounce), else one turn each. Unlike `process_item`, failures raise (the queue
    retries the whole batch, then dead-letters it): done items are skipped on the retry, a
    turn already answered is not run again (AgentRuntime.handle_batch), and each part of a
    reply reaches Meta once (channels.outbound.deliver_once, with Meta's receipts).
    """
    slug: str | None = None
    turn: list[tuple[int, ChannelConnection, InboundMessage]] = []
    with Session(ctx.engine, expire_on_commit=False) as db:
        units = _in_arrival_order(db, units)

    def flush() -> None:
        if turn:
            _answer_batch(ctx, turn, admit)
            turn.clear()

    for event_id, index in units:
        # No transaction stays open across a turn (on SQLite it would hold the write lock).
        with Session(ctx.engine, expire_on_commit=False) as db:
            found = _claimable(db, event_id, index)
            if found is not None:
                tenant = db.get(Tenant, found[0].tenant_id)
                slug = tenant.slug if tenant is not None else slug
            db.commit()  # not rollback: that would expire `found`
        if found is None:
            continue
        connection, item = found
        if isinstance(item, InboundMessage) and item.runs_turn:
            if turn and turn[0][1].id != connection.id:
                flush()
            turn.append((event_id, connection, item))
            if not combine:
                flush()
            continue
        flush()
        with Session(ctx.engine, expire_on_commit=False) as db:
            _dispatch(ctx, db, connection, item)
            _finish(db, event_id, item)
            db.commit()
    flush()
    return slug


def _in_arrival_order(db: Session, units: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`units` plus any earlier pending message of the same senders, in claim order.

    The queue's order can differ from arrival order when an enqueue failed (Redis down)
    and the redrive enqueued the event after later ones; the inbound ledger in the
    database has the true order, so a sender's older pending messages go first.
    """
    found: dict[tuple[int, int], int] = {}
    for position, (event_id, index) in enumerate(units):
        items = _items(db.get(WebhookEvent, event_id))
        item = items[index] if index < len(items) else None
        key = dedup_key(item) if item is not None else None
        row = owned_key(db, channel=key[0], external_id=key[1],
                        event_id=event_id) if key else None
        if row is None or row.id is None or row.sender_id is None:
            found.setdefault((event_id, index), -len(units) + position)  # as they came
            continue
        for earlier in pending_of_sender(db, tenant_id=row.tenant_id, channel=row.channel,
                                         sender_id=row.sender_id, up_to_id=row.id):
            at = _index_of(db, earlier.event_id, earlier.channel, earlier.external_id)
            if at is not None and earlier.id is not None:
                found[(earlier.event_id, at)] = earlier.id
    db.rollback()
    return sorted(found, key=lambda unit: found[unit])


def _index_of(db: Session, event_id: int, channel: str, external_id: str) -> int | None:
    for index, item in enumerate(_items(db.get(WebhookEvent, event_id))):
        if dedup_key(item) == (channel, external_id):
            return index
    return None


def _claimable(db: Session, event_id: int, index: int
               ) -> tuple[ChannelConnection, Item] | None:
    event = db.get(WebhookEvent, event_id)
    items = _items(event)
    if event is None or index >= len(items):
        return None
    item = items[index]
    if isinstance(item, InboundMessage) and item.kind == InboundKind.echo:
        return None
    connection = connections_for(db, accounts={(item.channel, item.account_id)}).get(
        (item.channel, item.account_id))
    key = dedup_key(item)
    if connection is None or (key is not None and owned_key(
            db, channel=key[0], external_id=key[1], event_id=event_id) is None):
        return None
    return connection, item


def _finish(db: Session, event_id: int, item: Item) -> None:
    key = dedup_key(item)
    row = owned_key(db, channel=key[0], external_id=key[1], event_id=event_id) if key else None
    if row is not None:
        row.state = InboundState.done
        db.add(row)
    _count_done(db, event_id, True)


def _answer_batch(ctx: ChannelContext, turn: list[tuple[int, ChannelConnection,
                                                        InboundMessage]],
                  admit: Admit | None) -> None:
    connection, first = turn[0][1], turn[0][2]
    with Session(ctx.engine, expire_on_commit=False) as db:
        tenant = db.get(Tenant, connection.tenant_id)
        assert tenant is not None  # FK
        slug = tenant.slug
        inbounds = [Inbound(tenant_slug=slug, channel=Channel(item.channel.value),
                            thread_id=item.sender_id, text=item.agent_text()[:MAX_AGENT_TEXT],
                            phone=_vouched_phone(tenant, item),
                            channel_message_id=item.message_id) for _, _, item in turn]
        db.commit()
    canned = admit(slug, f"{first.channel.value}:{first.account_id}:{first.sender_id}") \
        if admit else None
    result = ctx.runtime.handle_batch(inbounds, canned=canned, strict=True)
    if result.held:  # staff hold the conversation: stored, nothing to send
        with Session(ctx.engine, expire_on_commit=False) as db:
            for event_id, _, item in turn:
                _finish(db, event_id, item)
            db.commit()
        return
    with Session(ctx.engine, expire_on_commit=False) as db:
        last_user_at = last_inbound_at(db, tenant_id=tenant.id, channel=first.channel.value,
                                       sender_id=first.sender_id)
        db.commit()
    if result.reply_message_id is not None:  # a retry sends only what Meta does not have
        sent = deliver_once(ctx, connection=connection, conversation_id=result.conversation_id,
                            message_id=result.reply_message_id, recipient=first.sender_id,
                            text=result.reply, last_user_at=last_user_at)
    else:
        fencing.check()
        with Session(ctx.engine, expire_on_commit=False) as db:
            sent = deliver_reply(ctx, db, connection=connection,
                                 conversation_id=result.conversation_id, message_id=None,
                                 recipient=first.sender_id, text=result.reply,
                                 last_user_at=last_user_at)
    failed = [s for s in sent if s.status == DeliveryStatus.failed]
    if failed and _transient(failed[0].error_code):
        raise ReplyNotSent(failed[0].error_code or "network")
    with Session(ctx.engine, expire_on_commit=False) as db:
        for event_id, _, item in turn:
            _finish(db, event_id, item)
        db.commit()


def _transient(code: str | None) -> bool:
    """Graph failures worth another attempt later: network errors, 429 and 5xx."""
    return code is None or code == "network" or code == "429" or (
        code.isdigit() and len(code) == 3 and code.startswith("5"))


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
    settle_event(db, event_id)


def settle_event(db: Session, event_id: int) -> None:
    """A finished event leaves `received` (and the redrive): `error` when one of its
    items was given up, else `processed`."""
    event = db.get(WebhookEvent, event_id, populate_existing=True)
    if (event is None or event.items_done < event.items_total
            or event.status != WebhookStatus.received):
        return
    given_up = db.exec(select(InboundKey.id).where(
        InboundKey.event_id == event_id, InboundKey.state == InboundState.error)).first()
    event.status = WebhookStatus.error if given_up is not None else WebhookStatus.processed
    event.processed_at = utcnow()
    db.add(event)


def give_up_item(db: Session, *, event_id: int, index: int) -> Item | None:
    """The durable queue gave up on item `index` of `event_id` (dead-lettered it).

    Only that item leaves the redrive: its ledger row becomes `error` and it counts as
    done, so the event's other items are still redriven until they are done (the event
    then ends `error`). `reopen_item` undoes it. Returns the item (None: no such item).
    """
    items = _items(db.get(WebhookEvent, event_id))
    item = items[index] if index < len(items) else None
    if item is None:
        return None
    key = dedup_key(item)
    row = owned_key(db, channel=key[0], external_id=key[1], event_id=event_id) if key else None
    if key is not None and row is None:
        return item  # done meanwhile, or another delivery owns it: nothing to give up
    if row is not None:
        row.state = InboundState.error
        db.add(row)
    db.exec(update(WebhookEvent).where(col(WebhookEvent.id) == event_id)  # type: ignore[call-overload]
            .values(items_done=col(WebhookEvent.items_done) + 1))
    db.flush()
    settle_event(db, event_id)
    return item


def reopen_item(db: Session, *, event_id: int, index: int) -> bool:
    """A dead letter is back on the queue (`mostrador dlq retry`): undo `give_up_item`, so
    the item is processed again. True when it was given up."""
    items = _items(db.get(WebhookEvent, event_id))
    key = dedup_key(items[index]) if index < len(items) else None
    row = db.exec(select(InboundKey).where(
        InboundKey.channel == key[0], InboundKey.external_id == key[1][:255],
        InboundKey.event_id == event_id)).first() if key else None
    if row is None or row.state != InboundState.error:
        return False
    row.state = InboundState.pending
    db.add(row)
    db.exec(update(WebhookEvent).where(col(WebhookEvent.id) == event_id)  # type: ignore[call-overload]
            .values(items_done=col(WebhookEvent.items_done) - 1,
                    status=WebhookStatus.received))
    db.flush()
    return True


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
    if result.held:  # staff hold the conversation: stored, nothing to send
        return
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
