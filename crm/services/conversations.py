"""Conversations and their transcript, the single copy every other part reads."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from crm.models import (
    Channel,
    Contact,
    Conversation,
    ConversationStatus,
    Message,
    MessageRole,
    Tenant,
    utcnow,
)


def open_conversation(
    db: Session, *, tenant: Tenant, contact: Contact, channel: Channel, external_id: str
) -> Conversation:
    """The conversation of this channel thread, (re)opened; created on first message."""
    query = select(Conversation).where(
        Conversation.tenant_id == tenant.id,
        Conversation.channel == channel,
        Conversation.external_id == external_id,
    )
    conversation = db.exec(query).first()
    if conversation is None:
        conversation = Conversation(
            tenant_id=tenant.id, contact_id=contact.id, channel=channel, external_id=external_id
        )
        try:
            with db.begin_nested():
                db.add(conversation)
                db.flush()
        except IntegrityError:  # a concurrent first message created it
            conversation = db.exec(query).one()
    if conversation.status == ConversationStatus.cerrada:
        conversation.status = ConversationStatus.abierta
        conversation.closed_at = None
    return conversation


def add_message(
    db: Session,
    *,
    conversation: Conversation,
    role: MessageRole,
    text: str = "",
    tool_calls: list[dict[str, Any]] | None = None,
    tool_call_id: str | None = None,
    tool_name: str | None = None,
    channel_message_id: str | None = None,
    author_id: str | None = None,
    flush: bool = True,
) -> Message:
    """Append a message; with flush=False it is written at the next flush or commit (the
    agent loop stores a step's messages together)."""
    message = Message(
        conversation_id=conversation.id, role=role, text=text, tool_calls=tool_calls,
        tool_call_id=tool_call_id, tool_name=tool_name, channel_message_id=channel_message_id,
        author_id=author_id,
    )
    conversation.last_message_at = message.created_at = utcnow()
    if role == MessageRole.user:
        conversation.last_inbound_at = message.created_at
    db.add(message)
    db.add(conversation)
    if flush:
        db.flush()
    return message


def transcript(db: Session, *, conversation_id: str, limit: int | None = None) -> list[Message]:
    """Messages in order; with `limit`, the last `limit` of them."""
    query = select(Message).where(Message.conversation_id == conversation_id)
    if limit is None:
        return list(db.exec(query.order_by(col(Message.id))))
    rows = list(db.exec(query.order_by(col(Message.id).desc()).limit(limit)))
    return rows[::-1]


def flag_for_human(db: Session, *, conversation: Conversation, reason: str) -> None:
    conversation.needs_human = True
    conversation.human_reason = reason[:500]
    db.add(conversation)
    db.flush()


def stored_inbound(db: Session, *, conversation_id: str,
                   channel_message_id: str | None) -> Message | None:
    """The user message of this conversation carrying `channel_message_id`, if stored."""
    if not channel_message_id:
        return None
    return db.exec(select(Message).where(
        Message.conversation_id == conversation_id, Message.role == MessageRole.user,
        Message.channel_message_id == channel_message_id)).first()


def final_reply_after(db: Session, *, conversation_id: str, message_id: int) -> Message | None:
    """The first assistant answer (no tool calls) after message `message_id`, if any: a turn
    for that message already finished."""
    rows = db.exec(select(Message).where(
        Message.conversation_id == conversation_id, col(Message.id) > message_id,
        Message.role == MessageRole.assistant).order_by(col(Message.id)))
    return next((r for r in rows if not r.tool_calls), None)


def find_conversation(db: Session, *, tenant: Tenant, channel: Channel,
                      external_id: str) -> Conversation | None:
    """The conversation of a channel thread, if it exists (never created here)."""
    return db.exec(select(Conversation).where(
        Conversation.tenant_id == tenant.id, Conversation.channel == channel,
        Conversation.external_id == external_id)).first()


def visible_history(db: Session, *, conversation_id: str, limit: int = 200) -> list[Message]:
    """What the person sees of their conversation, oldest first (the last `limit`): their
    messages and the replies they got; never tool calls, tool results or empty steps."""
    rows = db.exec(select(Message).where(
        Message.conversation_id == conversation_id,
        col(Message.role).in_((MessageRole.user, MessageRole.assistant, MessageRole.staff)),
        Message.text != "").order_by(col(Message.id).desc()).limit(limit * 2))
    shown = [m for m in rows if not (m.role == MessageRole.assistant and m.tool_calls)]
    return shown[:limit][::-1]
