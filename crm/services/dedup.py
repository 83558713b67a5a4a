"""The inbound ledger: Meta's at-least-once deliveries become exactly-one claims.

`claim` inserts (channel, external_id) under a unique constraint inside a savepoint: of any
number of concurrent or repeated deliveries exactly one inserts the row (on SQLite and
PostgreSQL alike); the others get False and drop the item.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from crm.models import InboundKey, InboundState


def claim(db: Session, *, channel: str, external_id: str, event_id: int, tenant_id: str,
          sender_id: str | None = None, sent_at: datetime | None = None) -> bool:
    """True when this call recorded the id first; False for a duplicate."""
    try:
        with db.begin_nested():
            db.add(InboundKey(channel=channel, external_id=external_id[:255], event_id=event_id,
                              tenant_id=tenant_id, sender_id=sender_id, sent_at=sent_at))
            db.flush()
    except IntegrityError:
        return False
    return True


def owned_key(db: Session, *, channel: str, external_id: str, event_id: int) -> InboundKey | None:
    """The ledger row when `event_id` claimed it and it still waits for processing."""
    row = db.exec(select(InboundKey).where(InboundKey.channel == channel,
                                           InboundKey.external_id == external_id[:255])).first()
    if row is None or row.event_id != event_id or row.state != InboundState.pending:
        return None
    return row


def last_inbound_at(db: Session, *, tenant_id: str, channel: str,
                    sender_id: str) -> datetime | None:
    """When the end user last wrote on this channel (Meta's timestamp), or None."""
    value = db.exec(select(func.max(InboundKey.sent_at)).where(
        InboundKey.tenant_id == tenant_id, InboundKey.channel == channel,
        InboundKey.sender_id == sender_id)).first()
    return value


def pending_of_sender(db: Session, *, tenant_id: str, channel: str, sender_id: str,
                      up_to_id: int) -> list[InboundKey]:
    """The sender's items still pending, claimed up to row `up_to_id`, oldest first: what
    must be processed before (or with) that row to keep arrival order."""
    return list(db.exec(select(InboundKey).where(
        InboundKey.tenant_id == tenant_id, InboundKey.channel == channel,
        InboundKey.sender_id == sender_id, InboundKey.state == InboundState.pending,
        col(InboundKey.id) <= up_to_id).order_by(col(InboundKey.id))))
