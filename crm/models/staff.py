"""Staff users, their roles and scoped API tokens (only hashes are stored).

Roles:
- ``admin``: the whole business (CRM data, configuration, staff, privacy requests, audit).
- ``seller``: the leads assigned to them, and the contacts, appointments and conversations
  of those leads; reads the business profile.
- ``ml``: corpus exports only; no CRM data.
- ``operator``: platform support, across businesses. Belongs to no business (``tenant_id``
  is None) and acts as an admin of the business each request names; every request is
  audited in that business's log.

A token carries scopes; what a request may do is the token's scopes intersected with the
role's (``scopes_for``), so demoting a user narrows their existing tokens at once.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from crm.models.base import id_field, utc_field


class Role(StrEnum):
    admin = "admin"
    seller = "seller"
    ml = "ml"  # the ML team: corpus exports only, no CRM data
    operator = "operator"  # platform support: any business, every access audited


class Scope(StrEnum):
    crm_read = "crm:read"            # leads, contacts, appointments, conversations
    crm_write = "crm:write"          # change them (stage, notes, contact fields, objections)
    business_read = "business:read"  # profile, opening hours, services
    config_write = "config:write"    # business, services, agent config, channel connections
    users_manage = "users:manage"    # staff, roles, other users' tokens
    privacy_manage = "privacy:manage"  # data-subject requests
    audit_read = "audit:read"        # the audit log
    corpus_export = "corpus:export"  # training corpus exports


ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.admin: frozenset(Scope) - {Scope.corpus_export},
    Role.operator: frozenset(Scope) - {Scope.corpus_export},
    Role.seller: frozenset({Scope.crm_read, Scope.crm_write, Scope.business_read}),
    Role.ml: frozenset({Scope.corpus_export}),
}


def scopes_for(role: Role, token_scopes: list[str] | None) -> frozenset[Scope]:
    """What a token of a user with ``role`` may do: its scopes within the role's."""
    allowed = ROLE_SCOPES[role]
    if token_scopes is None:  # a token issued without a narrower list: the whole role
        return allowed
    return allowed & {Scope(s) for s in token_scopes if s in Scope._value2member_map_}


class User(SQLModel, table=True):
    # Emails are unique per business; operators (no business) are kept unique by the service.
    __table_args__ = (UniqueConstraint("tenant_id", "email"),)
    id: str = id_field()
    tenant_id: str | None = Field(default=None, foreign_key="tenant.id", index=True,
                                  ondelete="CASCADE")
    email: str = Field(max_length=200)
    name: str = Field(max_length=200)
    role: Role
    active: bool = True
    # Round-robin lead assignment: the active seller assigned least recently goes next.
    last_assigned_at: datetime | None = utc_field(nullable=True, default_now=False)
    # The console: an argon2id hash (None until the invitation is used), the UI language.
    password_hash: str | None = Field(default=None, max_length=255)
    locale: str = Field(default="es", max_length=8)
    last_login_at: datetime | None = utc_field(nullable=True, default_now=False)
    created_at: datetime = utc_field()


class ApiToken(SQLModel, table=True):
    id: str = id_field()
    user_id: str = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True, index=True)
    # None: every scope of the user's role; else a subset (see scopes_for).
    scopes: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    label: str | None = Field(default=None, max_length=100)
    created_by: str | None = Field(default=None, max_length=64)  # a user id, or "cli:<os user>"
    created_at: datetime = utc_field()
    expires_at: datetime | None = utc_field(nullable=True, default_now=False)
    last_used_at: datetime | None = utc_field(nullable=True, default_now=False)
    revoked_at: datetime | None = utc_field(nullable=True, default_now=False)
