"""End users (contacts) and the channel identities that recognize them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from crm.models.base import id_field, utc_field


class Contact(SQLModel, table=True):
    # NULLs never collide, so contacts without phone/email coexist; given values are unique.
    __table_args__ = (
        UniqueConstraint("tenant_id", "phone"),
        UniqueConstraint("tenant_id", "email"),
    )
    id: str = id_field()
    tenant_id: str = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")
    name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=20)  # E.164
    email: str | None = Field(default=None, max_length=254)  # lower-cased
    created_at: datetime = utc_field()
    updated_at: datetime = utc_field()


class ChannelIdentity(SQLModel, table=True):
    """How a channel knows the contact: a web session id, a WhatsApp wa_id, a PSID..."""

    __table_args__ = (UniqueConstraint("tenant_id", "channel", "external_id"),)
    id: str = id_field()
    tenant_id: str = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")
    contact_id: str = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    channel: str = Field(max_length=20)
    external_id: str = Field(max_length=200)
    created_at: datetime = utc_field()
