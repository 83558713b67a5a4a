"""One-time codes that let a chat prove it is a contact booked under another identity.

A web visitor who types a phone or email that another contact holds gets nothing of that
contact. To see, move or cancel that contact's appointments they ask for a code, which
goes to the claimed value itself (WhatsApp to the phone, email to the address): whoever
reads it there holds the value. Only a keyed hash of the code is stored.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from crm.models.base import id_field, utc_field


class VerificationCode(SQLModel, table=True):
    id: str = id_field()
    tenant_id: str = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")
    # The chat that asked (the session to link on success).
    conversation_id: str = Field(foreign_key="conversation.id", index=True, ondelete="CASCADE")
    # The contact holding the claimed value; None when nobody holds it (a code is "sent"
    # all the same, so the answer never tells whether a value is on file).
    target_contact_id: str | None = Field(default=None, foreign_key="contact.id", index=True,
                                          ondelete="CASCADE")
    channel: str = Field(max_length=16)  # "whatsapp" | "email": where it was sent
    code_hash: str = Field(max_length=64)  # SecretBox.lookup_hash of id + code
    attempts: int = 0
    expires_at: datetime = utc_field()
    consumed_at: datetime | None = utc_field(nullable=True, default_now=False)
    created_at: datetime = utc_field(index=True)
