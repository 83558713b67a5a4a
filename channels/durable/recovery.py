"""Recovery from what the queue cannot see: events Redis never got, and dead letters.

The database is the source of truth for Meta events. `redrive` enqueues again what the
database holds as unfinished (an enqueue that failed while Redis was down, entries a Redis
without persistence lost); `flag_thread` gives a dead-lettered item up (only that item
leaves the redrive) and hands its conversation to a human; `reopen` takes it back when the
operator retries the dead letter.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from channels.context import ChannelContext
from channels.durable.streams import Entry, Queue
from channels.inbound import InboundKind, InboundMessage, thread_key
from channels.payload import parse_webhook
from channels.processing import give_up_item, reopen_item
from channels.receiver import Work
from crm.db import reader_engine
from crm.models import (
    Channel,
    ChannelConnection,
    Conversation,
    Tenant,
    WebhookEvent,
    WebhookStatus,
    utcnow,
)
from crm.services.conversations import flag_for_human

log = logging.getLogger("mostrador.channels.durable")

DEAD_REASON = "no se pudo procesar el mensaje tras varios intentos"


def redrive(ctx: ChannelContext, queue: Queue, *, older_than: float) -> int:
    """Enqueue again the items of events stored but unfinished for `older_than` seconds.

    Covers an enqueue that failed after the webhook was acknowledged, and entries a Redis
    without persistence lost. Duplicates are harmless: done items are skipped. One worker
    does it at a time (a lock), each event at most once per ten intervals.
    """
    if not queue.client.set(f"{queue.prefix}:redrive", "1", nx=True,
                            px=max(500, int(older_than * 1000))):
        return 0
    cutoff = utcnow().timestamp() - older_than
    with Session(reader_engine(ctx.engine)) as db:
        events = [e for e in db.exec(select(WebhookEvent).where(
            WebhookEvent.status == WebhookStatus.received).order_by(col(WebhookEvent.id))
            .limit(1000)) if _aware(e.received_at) < cutoff]
    work: list[Work] = []
    for event in events:
        assert event.id is not None
        marker = f"{queue.prefix}:redriven:{event.id}"
        if not queue.client.set(marker, "1", nx=True, ex=max(10, int(older_than * 10))):
            continue
        for index, item in enumerate(parse_webhook(json.loads(event.body)).items):
            if isinstance(item, InboundMessage) and item.kind == InboundKind.echo:
                continue
            work.append(Work(event_id=event.id, index=index, key=thread_key(item),
                             at_ms=int(_aware(event.received_at) * 1000)))
    if work:
        queue.enqueue_work(work)
        log.info("re-enqueued unfinished events events=%d items=%d", len(events), len(work))
    return len(work)


def _aware(value: datetime) -> float:
    """Seconds since the epoch of a stored timestamp (SQLite returns it naive, in UTC)."""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def flag_thread(ctx: ChannelContext, entry: Entry) -> None:
    """Give up a dead-lettered entry: a Meta item leaves the redrive (the rest of its
    event does not), and its conversation, when it exists, is flagged for a human."""
    fields = entry.fields
    with Session(ctx.engine, expire_on_commit=False) as db:
        if entry.kind == "chat":
            tenant = db.exec(select(Tenant).where(Tenant.slug == fields["slug"])).first()
            where = (tenant.id if tenant else None, Channel.web.value, fields["session"])
        else:
            item = give_up_item(db, event_id=int(fields["event"]), index=int(fields["index"]))
            db.commit()
            if not isinstance(item, InboundMessage):
                return
            connection = db.exec(select(ChannelConnection).where(
                ChannelConnection.kind == item.channel,
                ChannelConnection.account_id == item.account_id)).first()
            where = (connection.tenant_id if connection else None, item.channel.value,
                     item.sender_id)
        conversation = db.exec(select(Conversation).where(
            Conversation.tenant_id == where[0], Conversation.channel == where[1],
            Conversation.external_id == where[2])).first()
        if conversation is not None:
            flag_for_human(db, conversation=conversation, reason=DEAD_REASON)
            db.commit()


def reopen(ctx: ChannelContext, entries: list[Entry]) -> None:
    """Meta items a dead letter brought back (`mostrador dlq retry`) are processed again."""
    with Session(ctx.engine, expire_on_commit=False) as db:
        for entry in entries:
            if entry.kind == "meta":
                reopen_item(db, event_id=int(entry.fields["event"]),
                            index=int(entry.fields["index"]))
        db.commit()
