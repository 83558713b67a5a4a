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
- Each part carries our reference (`mst:<message id>:<part>`), which Meta echoes in the
  part's status or echo webhook: `deliver_once`, the durable path's send, uses those
  receipts to send every part exactly once even when a worker died mid-send
  (channels.receipts).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from agent import fencing
from channels import messenger, whatsapp
from channels.context import ChannelContext
from channels.errors import GraphError, GraphRejected
from channels.receipts import await_receipts, record_accepted, reference, send_progress
from crm.models import ChannelConnection, ChannelKind, Conversation, DeliveryStatus
from crm.services.connections import secrets_of
from crm.services.conversations import flag_for_human
from crm.services.deliveries import clear_sending, mark_sending, record_delivery

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
    maybe_sent: bool = False  # failed after the request may have reached Meta


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


def planned_parts(ctx: ChannelContext, connection: ChannelConnection, text: str,
                  last_user_at: datetime | None) -> list[int]:
    """The parts `deliver_reply` would record for `text` now (see its docstring)."""
    if not window_open(last_user_at, ctx.clock()):
        return [0, 1] if _has_template(connection) else [0]
    return list(range(len(split_text(text, text_limit(connection.kind)))))


def deliver_reply(ctx: ChannelContext, db: Session, *, connection: ChannelConnection,
                  conversation_id: str, message_id: int | None, recipient: str, text: str,
                  last_user_at: datetime | None, after_part: int = -1,
                  under_intent: bool = False) -> list[Sent]:
    """Send `text` to `recipient` (or not, outside the window) and record what happened.

    Parts are numbered from 0 (outside the window: 0 is the text not sent, 1 the
    template); parts up to `after_part` are skipped (Meta has them). `under_intent`: the
    intent row of `message_id` was recorded before this call (`deliver_once`); it goes in
    the same commit as the outcome, unless a send failed after it may have reached Meta:
    then nothing is recorded for that part, and the intent stays (with a fresh time) for
    Meta's receipt to settle on the retry.
    """
    db.commit()  # nothing of ours stays open across the HTTP calls below
    token = secrets_of(connection, box=ctx.box).access_token
    sent: list[Sent] = []
    closed = not window_open(last_user_at, ctx.clock())
    if closed:
        if after_part < 0:
            sent.append(Sent(0, None, DeliveryStatus.not_sent, error_code=WINDOW_CLOSED))
        if _has_template(connection) and after_part < 1:
            sent.append(_send_template(ctx, connection, token, recipient, part=1,
                                       reference=_reference(message_id, 1),
                                       once=under_intent))
    else:
        for part, chunk in enumerate(split_text(text, text_limit(connection.kind))):
            if part <= after_part:
                continue
            result = _send_text(ctx, connection, token, recipient, chunk, part=part,
                                reference=_reference(message_id, part), once=under_intent)
            sent.append(result)
            if result.status != DeliveryStatus.accepted:
                break  # the rest would arrive without its beginning
    closed = closed or any(s.error_code in META_WINDOW_CODES for s in sent)
    unsettled = under_intent and any(s.maybe_sent for s in sent)
    for result in sent:
        if unsettled and result.maybe_sent:
            continue  # the intent stands for it until a receipt, or the window, settles it
        if result.status == DeliveryStatus.accepted and result.external_id:
            # A receipt may have recorded it first (channels.receipts).
            record_accepted(db, tenant_id=connection.tenant_id, message_id=message_id,
                            channel=connection.kind.value, external_id=result.external_id,
                            part=result.part, kind=result.kind)
        else:
            record_delivery(db, tenant_id=connection.tenant_id, message_id=message_id,
                            channel=connection.kind.value, external_id=result.external_id,
                            part=result.part, status=result.status, kind=result.kind,
                            error_code=result.error_code)
    if under_intent and message_id is not None:
        clear_sending(db, message_id=message_id)
        if unsettled:  # the confirm window starts now, not before the Graph call
            mark_sending(db, tenant_id=connection.tenant_id, message_id=message_id,
                         channel=connection.kind.value)
    if closed:
        conversation = db.get(Conversation, conversation_id)
        if conversation is not None:
            flag_for_human(db, conversation=conversation,
                           reason="ventana de 24 h cerrada: la respuesta no se envió")
    db.commit()
    log.info("reply delivered conversation=%s parts=%d statuses=%s", conversation_id,
             len(sent), ",".join(s.status.value for s in sent))
    return sent


def deliver_once(ctx: ChannelContext, *, connection: ChannelConnection, conversation_id: str,
                 message_id: int, recipient: str, text: str,
                 last_user_at: datetime | None) -> list[Sent]:
    """`deliver_reply` for a turn that may be a retry: each part reaches Meta once.

    Parts already recorded, or confirmed by a receipt, are not sent again. An intent left
    without an outcome (the worker died mid-send, or Meta's answer was lost) is resolved by
    Meta's receipts: wait until `send_confirm_seconds` have passed since it was recorded,
    then send only the parts Meta did not confirm. The intent is recorded (again, with a
    fresh time) before any Graph call and dropped with the outcome. Returns what was sent
    now.
    """
    planned = planned_parts(ctx, connection, text, last_user_at)
    last = planned[-1] if planned else -1
    with Session(ctx.engine, expire_on_commit=False) as db:
        progress = send_progress(db, message_id=message_id)
        db.commit()
    through = progress.through
    if progress.intent_at is not None:  # died mid-send, or lost Meta's answer: receipts decide
        if through < last:
            statuses = connection.kind == ChannelKind.whatsapp  # receipts that show lag
            through = await_receipts(ctx.engine, message_id=message_id, last_part=last,
                                     since=progress.intent_at,
                                     seconds=ctx.settings.send_confirm_seconds,
                                     tenant_id=connection.tenant_id if statuses else None,
                                     channel=connection.kind.value if statuses else None)
        log.warning("send without a recorded outcome message=%d confirmed-through=%d "
                    "last=%d resend=%s", message_id, through, last, through < last)
    with Session(ctx.engine, expire_on_commit=False) as db:
        clear_sending(db, message_id=message_id)
        if through >= last:
            db.commit()
            return []
        fencing.check()  # after the wait above: is this still our turn to send?
        mark_sending(db, tenant_id=connection.tenant_id, message_id=message_id,
                     channel=connection.kind.value)
        db.commit()  # the intent is on record before the Graph call
        return deliver_reply(ctx, db, connection=connection, conversation_id=conversation_id,
                             message_id=message_id, recipient=recipient, text=text,
                             last_user_at=last_user_at, after_part=through,
                             under_intent=True)


def _has_template(connection: ChannelConnection) -> bool:
    return connection.kind == ChannelKind.whatsapp and bool(connection.template_name)


def _reference(message_id: int | None, part: int) -> str | None:
    return reference(message_id, part) if message_id is not None else None


def _send_text(ctx: ChannelContext, connection: ChannelConnection, token: str,
               recipient: str, text: str, *, part: int, reference: str | None,
               once: bool) -> Sent:
    if connection.kind == ChannelKind.whatsapp:
        path = f"{connection.account_id}/messages"
        body = whatsapp.text_body(recipient, text, reference)
    else:
        path, body = "me/messages", messenger.text_body(recipient, text, reference)
    return _post(ctx, connection, token, path, body, part=part, kind="text", once=once)


def _send_template(ctx: ChannelContext, connection: ChannelConnection, token: str,
                   recipient: str, *, part: int, reference: str | None, once: bool) -> Sent:
    body = whatsapp.template_body(recipient, connection.template_name or "",
                                  connection.template_language or "es", reference)
    return _post(ctx, connection, token, f"{connection.account_id}/messages", body, part=part,
                 kind="template", once=once)


def _post(ctx: ChannelContext, connection: ChannelConnection, token: str, path: str,
          body: dict[str, object], *, part: int, kind: str, once: bool) -> Sent:
    try:
        response = ctx.graph.post(path, token=token, json=body, once=once)
    except GraphError as exc:
        log.warning("send failed connection=%s part=%d code=%s rejected=%s maybe-sent=%s",
                    connection.id, part, exc.error_code, isinstance(exc, GraphRejected),
                    exc.maybe_sent)
        return Sent(part, None, DeliveryStatus.failed, kind=kind, error_code=exc.error_code,
                    maybe_sent=exc.maybe_sent)
    if connection.kind == ChannelKind.whatsapp:
        external_id = whatsapp.sent_id(response)
    else:
        external_id = messenger.sent_id(response)
    return Sent(part, external_id, DeliveryStatus.accepted, kind=kind)
