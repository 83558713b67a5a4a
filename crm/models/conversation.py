"""Conversations and their messages: the one copy of every transcript."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from crm.models.base import id_field, utc_field


class Channel(StrEnum):
    web = "web"
    whatsapp = "whatsapp"
    instagram = "instagram"
    messenger = "messenger"


class ConversationStatus(StrEnum):
    abierta = "abierta"
    cerrada = "cerrada"


class MessageRole(StrEnum):
    user = "user"
    assistant = "assistant"
    tool = "tool"
    staff = "staff"  # a person of the business wrote it (Message.author_id)


class Conversation(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("tenant_id", "channel", "external_id"),
                      Index("ix_conversation_inbox", "tenant_id", "last_message_at"))
    id: str = id_field()
    tenant_id: str = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")
    contact_id: str = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    channel: Channel
    # The channel's thread key: a web session_id, a WhatsApp wa_id, a PSID.
    external_id: str = Field(max_length=200)
    status: ConversationStatus = ConversationStatus.abierta
    needs_human: bool = False
    human_reason: str | None = Field(default=None, max_length=500)
    # Taken over by a person of the staff: the agent does not answer while it is held.
    held_by: str | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    held_at: datetime | None = utc_field(nullable=True, default_now=False)
    # The last time staff did something here (a reply, taking it over): an idle hold ends.
    staff_activity_at: datetime | None = utc_field(nullable=True, default_now=False)
    # The last time staff opened it: newer messages of the customer are unread.
    read_at: datetime | None = utc_field(nullable=True, default_now=False)
    created_at: datetime = utc_field()
    last_message_at: datetime = utc_field()
    # The customer's last message (the inbox's unread marker compares it with read_at).
    last_inbound_at: datetime | None = utc_field(nullable=True, default_now=False)
    closed_at: datetime | None = utc_field(nullable=True, default_now=False)


class Message(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    conversation_id: str = Field(foreign_key="conversation.id", index=True, ondelete="CASCADE")
    role: MessageRole
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    # assistant: [{"id", "name", "args"}]; tool: the call it answers.
    tool_calls: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    tool_call_id: str | None = Field(default=None, max_length=100)
    tool_name: str | None = Field(default=None, max_length=64)
    channel_message_id: str | None = Field(default=None, max_length=200, index=True)
    # staff: who wrote it.
    author_id: str | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = utc_field()
