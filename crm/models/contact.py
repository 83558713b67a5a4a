"""End users (contacts) and the channel identities that recognize them.

Identity levels. A channel identity the channel vouches for (a WhatsApp wa_id, an
Instagram or Messenger sender id) is *verified*; a phone or email typed into a chat is a
*claim*. ``phone``/``email`` are unique per business and say who holds the value; the
``*_verified`` flags say whether a channel, a one-time code or staff vouched for it. A
claim of a value another contact holds is kept apart in ``claimed_phone``/``claimed_email``
(never merged: staff see "same phone as ..." and merge by hand, or the person proves it
with a code, crm.services.verification).
"""

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
    phone_verified: bool = False
    email_verified: bool = False
    # Typed by this contact but held by another contact: kept, never merged.
    claimed_phone: str | None = Field(default=None, max_length=20, index=True)
    claimed_email: str | None = Field(default=None, max_length=254, index=True)
    created_at: datetime = utc_field()
    updated_at: datetime = utc_field()

    @property
    def contact_phone(self) -> str | None:
        """The phone to reach this person on: theirs, or the one they claimed."""
        return self.phone or self.claimed_phone

    @property
    def contact_email(self) -> str | None:
        return self.email or self.claimed_email


class ChannelIdentity(SQLModel, table=True):
    """How a channel knows the contact: a web session id, a WhatsApp wa_id, a PSID..."""

    __table_args__ = (UniqueConstraint("tenant_id", "channel", "external_id"),)
    id: str = id_field()
    tenant_id: str = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")
    contact_id: str = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    channel: str = Field(max_length=20)
    external_id: str = Field(max_length=200)
    created_at: datetime = utc_field()
