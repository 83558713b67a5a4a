"""Conversations and their messages: the one copy of every transcript."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
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


class Conversation(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("tenant_id", "channel", "external_id"),)
    id: str = id_field()
    tenant_id: str = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")
    contact_id: str = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    channel: Channel
    # The channel's thread key: a web session_id, a WhatsApp wa_id, a PSID.
    external_id: str = Field(max_length=200)
    status: ConversationStatus = ConversationStatus.abierta
    needs_human: bool = False
    human_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = utc_field()
    last_message_at: datetime = utc_field()
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
    created_at: datetime = utc_field()
