"""Outbound deliveries of assistant messages, their Meta statuses, and user deletions."""

from __future__ import annotations

from sqlmodel import Session, col, select

from crm.models import (
    Conversation,
    DeliveryStatus,
    Message,
    MessageRole,
    OutboundDelivery,
    utcnow,
)

# A status only moves forward; `failed` wins over anything but `read`.
_RANK = {DeliveryStatus.not_sent: 0, DeliveryStatus.accepted: 1, DeliveryStatus.sent: 2,
         DeliveryStatus.delivered: 3, DeliveryStatus.failed: 4, DeliveryStatus.read: 5}
_META = {"sent": DeliveryStatus.sent, "delivered": DeliveryStatus.delivered,
         "read": DeliveryStatus.read, "played": DeliveryStatus.read,
         "failed": DeliveryStatus.failed}
DELETED_TEXT = "[mensaje eliminado por el usuario]"


def record_delivery(db: Session, *, tenant_id: str, message_id: int | None, channel: str,
                    external_id: str | None, part: int, status: DeliveryStatus,
                    kind: str = "text", error_code: str | None = None) -> OutboundDelivery:
    delivery = OutboundDelivery(tenant_id=tenant_id, message_id=message_id, channel=channel,
                                external_id=external_id, part=part, status=status, kind=kind,
                                error_code=error_code)
    db.add(delivery)
    if part == 0 and external_id and message_id is not None:
        message = db.get(Message, message_id)
        if message is not None and message.channel_message_id is None:
            message.channel_message_id = external_id
            db.add(message)
    db.flush()
    return delivery


def apply_status(db: Session, *, tenant_id: str, channel: str, external_id: str, status: str,
                 error_code: str | None = None) -> OutboundDelivery | None:
    """Move the delivery of `external_id` forward; None when unknown (or an unknown status)."""
    new = _META.get(status)
    delivery = db.exec(select(OutboundDelivery).where(
        OutboundDelivery.channel == channel, OutboundDelivery.external_id == external_id,
        OutboundDelivery.tenant_id == tenant_id)).first()
    if new is None or delivery is None:
        return None
    if _RANK[new] > _RANK[delivery.status]:
        delivery.status = new
        delivery.error_code = error_code if new == DeliveryStatus.failed else None
        delivery.updated_at = utcnow()
        db.add(delivery)
        db.flush()
    return delivery


SENDING = "sending"  # error_code of the intent row written before a send (part -1)


def mark_sending(db: Session, *, tenant_id: str, message_id: int, channel: str) -> None:
    """Record the intent to send (commit it before the Graph call)."""
    db.add(OutboundDelivery(tenant_id=tenant_id, message_id=message_id, channel=channel,
                            part=-1, status=DeliveryStatus.not_sent, error_code=SENDING))
    db.flush()


def clear_sending(db: Session, *, message_id: int) -> None:
    """The outcome is recorded: drop the intent row."""
    for row in db.exec(select(OutboundDelivery).where(
            OutboundDelivery.message_id == message_id, OutboundDelivery.part == -1)):
        db.delete(row)
    db.flush()


def message_status(db: Session, *, message_id: int) -> DeliveryStatus | None:
    """The status of a whole assistant message: failed if a part failed, else its least
    advanced part; None when nothing was sent for it."""
    rows = db.exec(select(OutboundDelivery.status).where(
        OutboundDelivery.message_id == message_id).order_by(col(OutboundDelivery.part)))
    parts = [DeliveryStatus(s) for s in rows]
    if not parts:
        return None
    if DeliveryStatus.failed in parts:
        return DeliveryStatus.failed
    return min(parts, key=lambda s: _RANK[s])


def redact_deleted(db: Session, *, tenant_id: str, channel: str, external_id: str) -> bool:
    """The end user deleted a message: its stored text goes too. True when one was found."""
    row = db.exec(
        select(Message).join(Conversation, col(Conversation.id) == Message.conversation_id)
        .where(Conversation.tenant_id == tenant_id, Conversation.channel == channel,
               Message.channel_message_id == external_id, Message.role == MessageRole.user)
    ).first()
    if row is None:
        return False
    row.text = DELETED_TEXT
    db.add(row)
    db.flush()
    return True
