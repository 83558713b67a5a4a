"""The staff inbox: conversations as a receptionist works them, and what changed.

Order: conversations waiting for a person first (the agent asked for one and nobody holds
it), then by newest activity. Each row says who the contact is, the seller of their lead,
and whether the customer wrote since staff last opened it (unread).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func
from sqlmodel import Session, col, select

from crm.models import (
    Appointment,
    Contact,
    Conversation,
    Lead,
    Message,
    MessageRole,
    OutboundDelivery,
    User,
)

PREVIEW_CHARS = 90


@dataclass(frozen=True)
class InboxRow:
    conversation: Conversation
    contact_name: str | None
    contact_phone: str | None
    seller: str | None          # the name of the seller of the contact's lead
    holder: str | None          # the name of the person holding it
    preview: str                # the last message anyone could read, shortened
    unread: bool

    @property
    def waiting(self) -> bool:
        """The agent asked for a person and nobody has taken it."""
        return self.conversation.needs_human and self.conversation.held_by is None


def _waiting_first() -> object:
    return case((and_(col(Conversation.needs_human), col(Conversation.held_by).is_(None)), 0),
                else_=1)


def inbox_rows(db: Session, *, tenant_id: str, seller_id: str | None = None,
               limit: int = 50, offset: int = 0) -> list[InboxRow]:
    """The inbox page: every conversation of the business, or with `seller_id` those of
    the contacts of that seller's leads (api.scoping's rule, as a subquery: a seller may
    hold thousands of leads)."""
    query = (select(Conversation, Contact)
             .join(Contact, col(Contact.id) == Conversation.contact_id)
             .where(Conversation.tenant_id == tenant_id))
    if seller_id is not None:
        query = query.where(col(Conversation.contact_id).in_(
            select(Lead.contact_id).where(Lead.tenant_id == tenant_id,
                                          Lead.assigned_to == seller_id)))
    rows = db.exec(query.order_by(_waiting_first(),  # type: ignore[arg-type]
                                  col(Conversation.last_message_at).desc())
                   .offset(offset).limit(limit)).all()
    sellers = sellers_of(db, contact_ids={c.id for _, c in rows})
    names = staff_names(db, tenant_id=tenant_id)
    previews = last_texts(db, conversation_ids=[c.id for c, _ in rows])
    return [InboxRow(conversation=conv, contact_name=contact.name,
                     contact_phone=contact.contact_phone,
                     seller=names.get(sellers.get(contact.id) or ""),
                     holder=names.get(conv.held_by or ""),
                     preview=previews.get(conv.id, ""), unread=is_unread(conv))
            for conv, contact in rows]


def is_unread(conversation: Conversation) -> bool:
    inbound = conversation.last_inbound_at
    return inbound is not None and (conversation.read_at is None
                                    or inbound > conversation.read_at)


def staff_names(db: Session, *, tenant_id: str) -> dict[str, str]:
    return {u.id: u.name or u.email for u in db.exec(select(User).where(
        User.tenant_id == tenant_id))}


def sellers_of(db: Session, *, contact_ids: Collection[str]) -> dict[str, str | None]:
    """contact id → the user id assigned to its latest lead."""
    if not contact_ids:
        return {}
    found: dict[str, str | None] = {}
    for contact_id, assigned in db.exec(
            select(Lead.contact_id, Lead.assigned_to)
            .where(col(Lead.contact_id).in_(list(contact_ids)))
            .order_by(col(Lead.created_at))):
        found[contact_id] = assigned
    return found


def last_texts(db: Session, *, conversation_ids: list[str]) -> dict[str, str]:
    """conversation id → its last message with text a person wrote or read."""
    if not conversation_ids:
        return {}
    latest = (select(func.max(Message.id))
              .where(col(Message.conversation_id).in_(conversation_ids),
                     col(Message.role).in_((MessageRole.user, MessageRole.assistant,
                                            MessageRole.staff)),
                     Message.text != "")
              .group_by(col(Message.conversation_id)))
    rows = db.exec(select(Message.conversation_id, Message.text)
                   .where(col(Message.id).in_(latest)))
    return {cid: _short(text) for cid, text in rows}


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW_CHARS else flat[:PREVIEW_CHARS - 1] + "…"


def watermark(db: Session, *, tenant_id: str, conversation_id: str | None = None) -> str:
    """A value that changes when the inbox (or one conversation) shows something new: a
    message, a takeover or hand-back, a delivery status. Cheap: it is polled."""
    if conversation_id is None:
        last = db.exec(select(func.max(Conversation.last_message_at))
                       .where(Conversation.tenant_id == tenant_id)).one()
        return str(last)
    conversation = db.get(Conversation, conversation_id)
    if conversation is None or conversation.tenant_id != tenant_id:
        return "gone"
    delivered = db.exec(select(func.max(OutboundDelivery.updated_at))
                        .join(Message, col(Message.id) == OutboundDelivery.message_id)
                        .where(Message.conversation_id == conversation_id)).one()
    return "|".join(str(v) for v in (conversation.last_message_at, conversation.held_by,
                                     conversation.needs_human, delivered))


def deliveries_by_message(db: Session, *, message_ids: list[int]
                          ) -> dict[int, list[OutboundDelivery]]:
    """The Meta deliveries of these messages (part order)."""
    found: dict[int, list[OutboundDelivery]] = {}
    if not message_ids:
        return found
    for row in db.exec(select(OutboundDelivery)
                       .where(col(OutboundDelivery.message_id).in_(message_ids))
                       .order_by(col(OutboundDelivery.part))):
        assert row.message_id is not None
        found.setdefault(row.message_id, []).append(row)
    return found


def leads_of(db: Session, *, contact_id: str) -> list[Lead]:
    return list(db.exec(select(Lead).where(Lead.contact_id == contact_id)
                        .order_by(col(Lead.created_at).desc())))


def appointments_of(db: Session, *, contact_id: str, since: datetime | None = None
                    ) -> list[Appointment]:
    query = select(Appointment).where(Appointment.contact_id == contact_id)
    if since is not None:
        query = query.where(col(Appointment.start_at) >= since)
    return list(db.exec(query.order_by(col(Appointment.start_at))))


def conversations_of(db: Session, *, contact_id: str) -> list[Conversation]:
    return list(db.exec(select(Conversation).where(Conversation.contact_id == contact_id)
                        .order_by(col(Conversation.last_message_at).desc())))
