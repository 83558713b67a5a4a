"""The staff console's sign-in: invitation links and server-side sessions.

Only hashes of the secrets are stored (SHA-256 of a 256-bit random token): a copy of the
database opens no session and redeems no invitation.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from crm.models.base import id_field, utc_field


class InvitationPurpose(StrEnum):
    invite = "invite"   # a new member of the staff sets their password
    reset = "reset"     # an admin had a member's password reset


class Invitation(SQLModel, table=True):
    """A one-time link (`/console/invite/<token>`) to set a password."""

    id: str = id_field()
    tenant_id: str = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")
    user_id: str = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True, index=True)
    purpose: InvitationPurpose = InvitationPurpose.invite
    created_by: str | None = Field(default=None, max_length=64)  # a user id, or "cli:<user>"
    created_at: datetime = utc_field()
    expires_at: datetime = utc_field()
    used_at: datetime | None = utc_field(nullable=True, default_now=False)


class ConsoleSession(SQLModel, table=True):
    """A signed-in browser: revocable, with an idle and an absolute expiry."""

    id: str = id_field()
    user_id: str = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = utc_field()
    last_seen_at: datetime = utc_field()
    expires_at: datetime = utc_field()            # absolute: sign in again after this
    revoked_at: datetime | None = utc_field(nullable=True, default_now=False)
    source: str | None = Field(default=None, max_length=64)  # client address at sign-in
