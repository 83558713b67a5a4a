"""Sending the agent's reply back on WhatsApp, Messenger or Instagram.

- The customer-service window: Meta lets a business send free-form messages only within 24
  hours of the end user's last message (WhatsApp; Messenger and Instagram have the same
  standard messaging window). Outside it the reply is not sent, the conversation is flagged
  for a human, and on WhatsApp the connection's approved template is sent when configured.
- Long replies are split at the channel's limit, on paragraph, line, sentence or word
  boundaries.
- No transaction is open during a Graph call (on SQLite a transaction holds the write lock,
  and webhooks must keep being acknowledged meanwhile).
- A send that finally fails loses nothing: the user's message and the reply are stored; the
  delivery is recorded as failed with Meta's code and logged without personal data.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from channels import messenger, whatsapp
from channels.context import ChannelContext
from channels.errors import GraphError, GraphRejected
from crm.models import ChannelConnection, ChannelKind, Conversation, DeliveryStatus
from crm.services.connections import secrets_of
from crm.services.conversations import flag_for_human
from crm.services.deliveries import record_delivery

log = logging.getLogger("mostrador.channels.outbound")

WINDOW = timedelta(hours=24)
WINDOW_CLOSED = "window_closed"
# WhatsApp: "Re-engagement message" (more than 24 hours since the user's last message).
META_WINDOW_CODES = {"131047"}


@dataclass
class Sent:
    part: int
    external_id: str | None
    status: DeliveryStatus
    kind: str = "text"
    error_code: str | None = None


def text_limit(kind: ChannelKind) -> int:
    if kind == ChannelKind.whatsapp:
        return whatsapp.TEXT_LIMIT
    return messenger.TEXT_LIMITS.get(kind, 1000)


def split_text(text: str, limit: int) -> list[str]:
    """`text` in parts of at most `limit` characters, cut at the most natural boundary."""
    text = text.strip()
    parts: list[str] = []
    while len(text) > limit:
        window = text[:limit + 1]
        cut = -1
        for pattern in (r"\n\s*\n", r"\n", r"[.!?…](?=\s)", r"\s"):
            found = [m.end() for m in re.finditer(pattern, window) if m.end() <= limit]
            if found and found[-1] > limit // 3:
                cut = found[-1]
                break
        if cut <= 0:
            cut = limit
        parts.append(text[:cut].strip())
        text = text[cut:].strip()
    if text:
        parts.append(text)
    return parts


def window_open(last_user_at: datetime | None, now: datetime) -> bool:
    return last_user_at is not None and now - last_user_at < WINDOW


def deliver_reply(ctx: ChannelContext, db: Session, *, connection: ChannelConnection,
                  conversation_id: str, message_id: int | None, recipient: str, text: str,
                  last_user_at: datetime | None) -> list[Sent]:
    """Send `text` to `recipient` (or not, outside the window) and record what happened."""
    db.commit()  # nothing of ours stays open across the HTTP calls below
    token = secrets_of(connection, box=ctx.box).access_token
    sent: list[Sent] = []
    if not window_open(last_user_at, ctx.clock()):
        sent.append(Sent(0, None, DeliveryStatus.not_sent, error_code=WINDOW_CLOSED))
        if connection.kind == ChannelKind.whatsapp and connection.template_name:
            sent.append(_send_template(ctx, connection, token, recipient, part=1))
    else:
        for part, chunk in enumerate(split_text(text, text_limit(connection.kind))):
            result = _send_text(ctx, connection, token, recipient, chunk, part=part)
            sent.append(result)
            if result.status != DeliveryStatus.accepted:
                break  # the rest would arrive without its beginning
    closed = any(s.error_code in META_WINDOW_CODES or s.error_code == WINDOW_CLOSED
                 for s in sent)
    for result in sent:
        record_delivery(db, tenant_id=connection.tenant_id, message_id=message_id,
                        channel=connection.kind.value, external_id=result.external_id,
                        part=result.part, status=result.status, kind=result.kind,
                        error_code=result.error_code)
    if closed:
        conversation = db.get(Conversation, conversation_id)
        if conversation is not None:
            flag_for_human(db, conversation=conversation,
                           reason="ventana de 24 h cerrada: la respuesta no se envió")
    db.commit()
    log.info("reply delivered conversation=%s parts=%d statuses=%s", conversation_id,
             len(sent), ",".join(s.status.value for s in sent))
    return sent


def _send_text(ctx: ChannelContext, connection: ChannelConnection, token: str,
               recipient: str, text: str, *, part: int) -> Sent:
    if connection.kind == ChannelKind.whatsapp:
        path, body = f"{connection.account_id}/messages", whatsapp.text_body(recipient, text)
    else:
        path, body = "me/messages", messenger.text_body(recipient, text)
    return _post(ctx, connection, token, path, body, part=part, kind="text")


def _send_template(ctx: ChannelContext, connection: ChannelConnection, token: str,
                   recipient: str, *, part: int) -> Sent:
    body = whatsapp.template_body(recipient, connection.template_name or "",
                                  connection.template_language or "es")
    return _post(ctx, connection, token, f"{connection.account_id}/messages", body, part=part,
                 kind="template")


def _post(ctx: ChannelContext, connection: ChannelConnection, token: str, path: str,
          body: dict[str, object], *, part: int, kind: str) -> Sent:
    try:
        response = ctx.graph.post(path, token=token, json=body)
    except GraphError as exc:
        log.warning("send failed connection=%s part=%d code=%s rejected=%s", connection.id,
                    part, exc.error_code, isinstance(exc, GraphRejected))
        return Sent(part, None, DeliveryStatus.failed, kind=kind, error_code=exc.error_code)
    if connection.kind == ChannelKind.whatsapp:
        external_id = whatsapp.sent_id(response)
    else:
        external_id = messenger.sent_id(response)
    return Sent(part, external_id, DeliveryStatus.accepted, kind=kind)
