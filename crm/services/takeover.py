"""A person of the staff takes a conversation over: the agent stays silent until it is
handed back (or nobody on the staff has done anything in it for the idle period).

While a conversation is held, the customer's messages are stored and shown; no agent turn
runs. Staff replies are stored as `staff` messages (who wrote them in `author_id`) and go
out through the conversation's own channel (channels.staff_replies).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col

from crm.models import Conversation, Message, MessageRole, User, utcnow
from crm.services.conversations import add_message


def take_over(db: Session, *, conversation: Conversation, user: User,
              now: datetime | None = None) -> None:
    now = now or utcnow()
    conversation.held_by = user.id
    conversation.held_at = conversation.staff_activity_at = now
    db.add(conversation)
    db.flush()


def hand_back(db: Session, *, conversation: Conversation) -> None:
    """The agent answers again (staff replies stay in the transcript). A person dealt with
    it: it no longer waits for one (the agent asks again if it needs to)."""
    conversation.held_by = None
    conversation.held_at = None
    conversation.needs_human = False
    db.add(conversation)
    db.flush()


def is_held(conversation: Conversation, *, idle: timedelta, now: datetime | None = None
            ) -> bool:
    """Held by someone who was active in it within `idle`."""
    if conversation.held_by is None:
        return False
    last = conversation.staff_activity_at or conversation.held_at
    return last is not None and last + idle > (now or utcnow())


def release_idle(db: Session, *, idle: timedelta, tenant_id: str | None = None,
                 now: datetime | None = None) -> int:
    """Hand back every conversation held with no staff activity for `idle`; how many."""
    limit = (now or utcnow()) - idle
    query = update(Conversation).where(col(Conversation.held_by).is_not(None),
                                       col(Conversation.staff_activity_at) < limit)
    if tenant_id is not None:
        query = query.where(col(Conversation.tenant_id) == tenant_id)
    result = db.exec(query.values(held_by=None, held_at=None))  # type: ignore[call-overload]
    db.flush()
    return result.rowcount or 0


def add_staff_message(db: Session, *, conversation: Conversation, user: User, text: str,
                      now: datetime | None = None) -> Message:
    """A reply written by `user` (flushed; delivering it is the caller's job)."""
    message = add_message(db, conversation=conversation, role=MessageRole.staff, text=text,
                          author_id=user.id)
    conversation.staff_activity_at = now or utcnow()
    db.add(conversation)
    db.flush()
    return message


def mark_read(db: Session, *, conversation: Conversation, now: datetime | None = None) -> None:
    conversation.read_at = now or utcnow()
    db.add(conversation)
    db.flush()
