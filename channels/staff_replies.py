"""Replies a person of the staff writes, out through the conversation's Meta channel.

The same rules as the agent's replies (channels.outbound): each part reaches Meta once
(`deliver_once`: an intent is recorded before the Graph call, receipts settle a send whose
answer was lost), parts are split at the channel's limit, and outside WhatsApp's 24-hour
window no free text goes: only the business's approved template, when it has one (the
caller asks for it explicitly, `window_state` says when). The web chat's replies are not
sent here: the API publishes them to the page (api.chat_events).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from channels.context import ChannelContext
from channels.inbound import InboundMessage
from channels.outbound import deliver_once, window_open
from channels.payload import parse_webhook
from crm.models import (
    Channel,
    ChannelConnection,
    ChannelKind,
    Conversation,
    DeliveryStatus,
    InboundKey,
    WebhookEvent,
)
from crm.services.connections import connections_for
from crm.services.dedup import last_inbound_at

log = logging.getLogger("mostrador.channels.staff")


@dataclass(frozen=True)
class WindowState:
    connection: ChannelConnection | None  # None: the business no longer has that channel
    open: bool                 # free text may go
    has_template: bool         # WhatsApp: an approved template for a closed window
    last_user_at: datetime | None


def connection_of(db: Session, conversation: Conversation) -> ChannelConnection | None:
    """The business account the customer wrote to: the one of their latest message (a
    business may have two WhatsApp numbers), else the business's only one of that kind."""
    kind = ChannelKind(conversation.channel.value)
    latest = db.exec(select(InboundKey).where(
        InboundKey.tenant_id == conversation.tenant_id, InboundKey.channel == kind.value,
        InboundKey.sender_id == conversation.external_id)
        .order_by(col(InboundKey.id).desc())).first()
    event = db.get(WebhookEvent, latest.event_id) if latest is not None else None
    if event is not None:
        items = parse_webhook(json.loads(event.body)).items
        for item in items:
            if isinstance(item, InboundMessage) and item.sender_id == conversation.external_id:
                found = connections_for(db, accounts={(kind, item.account_id)})
                if found:
                    return next(iter(found.values()))
    rows = list(db.exec(select(ChannelConnection).where(
        ChannelConnection.tenant_id == conversation.tenant_id, ChannelConnection.kind == kind,
        ChannelConnection.active)))
    return rows[0] if len(rows) == 1 else None


def window_state(ctx: ChannelContext, db: Session, conversation: Conversation) -> WindowState:
    """Whether free text may reach this Meta conversation now."""
    connection = connection_of(db, conversation)
    last = last_inbound_at(db, tenant_id=conversation.tenant_id,
                           channel=conversation.channel.value,
                           sender_id=conversation.external_id)
    template = bool(connection is not None and connection.kind == ChannelKind.whatsapp
                    and connection.template_name)
    return WindowState(connection, window_open(last, ctx.clock()), template, last)


def send_staff_message(ctx: ChannelContext, *, conversation_id: str, message_id: int,
                       text: str) -> str:
    """Send a stored staff message; its outcome: "sent", "template_sent" (the window was
    closed: the approved template went instead), "not_sent" (the window was closed and
    there is no template, or the channel is gone) or "failed" (Meta refused it, or did not
    answer after the retries)."""
    with Session(ctx.engine, expire_on_commit=False) as db:
        conversation = db.get(Conversation, conversation_id)
        if conversation is None or conversation.channel == Channel.web:
            raise ValueError("a Meta conversation")
        state = window_state(ctx, db, conversation)
        recipient = conversation.external_id
        db.commit()
    if state.connection is None:
        log.warning("staff reply not sent: no connection conversation=%s", conversation_id)
        return "not_sent"
    sent = deliver_once(ctx, connection=state.connection, conversation_id=conversation_id,
                        message_id=message_id, recipient=recipient, text=text,
                        last_user_at=state.last_user_at)
    accepted = [s for s in sent if s.status == DeliveryStatus.accepted]
    if any(s.status == DeliveryStatus.failed for s in sent):
        outcome = "failed"
    elif accepted and all(s.kind == "template" for s in accepted):
        outcome = "template_sent"
    elif accepted:
        outcome = "sent"
    else:
        outcome = "not_sent"
    log.info("staff reply conversation=%s message=%d outcome=%s", conversation_id, message_id,
             outcome)
    return outcome
