"""The audit log: an append-only record of sensitive actions (exports, erasures...).

Rows are never updated or deleted. Each row carries ``hash`` = SHA-256 over the previous
row's hash and this row's canonical content (``crm.services.audit``), so a later check can
prove nothing was removed or edited. ``details`` holds ids, counts and filters: never names,
phones, emails or message text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from crm.models.base import utc_field


class AuditEvent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = utc_field(index=True)
    tenant_id: str | None = Field(default=None, max_length=32, index=True)
    # "user" (a staff token), "cli" (an operator at the command line) or "system".
    actor_kind: str = Field(max_length=16)
    actor_id: str | None = Field(default=None, max_length=64)  # the staff user id
    action: str = Field(max_length=64, index=True)  # "corpus.export", "corpus.erase"...
    resource_type: str = Field(max_length=64)
    resource_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    source: str | None = Field(default=None, max_length=64)  # client IP, or "cli"
    prev_hash: str = Field(default="", max_length=64)
    hash: str = Field(default="", max_length=64, unique=True)
