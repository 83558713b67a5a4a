"""Staff users of a tenant and their API tokens (only hashes are stored)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from crm.models.base import id_field, utc_field


class Role(StrEnum):
    admin = "admin"
    seller = "seller"
    ml = "ml"  # the ML team: corpus exports only, no CRM data


class User(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("tenant_id", "email"),)
    id: str = id_field()
    tenant_id: str = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")
    email: str = Field(max_length=200)
    name: str = Field(max_length=200)
    role: Role
    active: bool = True
    # Round-robin lead assignment: the active seller assigned least recently goes next.
    last_assigned_at: datetime | None = utc_field(nullable=True, default_now=False)
    created_at: datetime = utc_field()


class ApiToken(SQLModel, table=True):
    id: str = id_field()
    user_id: str = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = utc_field()
    last_used_at: datetime | None = utc_field(nullable=True, default_now=False)
    revoked_at: datetime | None = utc_field(nullable=True, default_now=False)
