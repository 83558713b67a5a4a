"""The audit log: an append-only record of sensitive actions (exports, erasures...).

Rows are never updated or deleted. Events form one chain per business (``chain`` is the
tenant id, or ``platform`` for events of no business): ``seq`` counts 1, 2, 3... within the
chain and ``hash`` = SHA-256 over the previous event's hash and this event's canonical
content (``crm.services.audit``), so ``mostrador audit verify`` proves nothing was removed
from the middle or edited. ``details`` holds ids, counts and filters: never names, phones,
emails or message text. (Events written before chains per business exist are the chain
``v1``, verified with the v1 digest.)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from crm.models.base import utc_field

PLATFORM_CHAIN = "platform"
LEGACY_CHAIN = "v1"


class AuditEvent(SQLModel, table=True):
    # Two appenders that read the same predecessor cannot both write: one gets the seq.
    __table_args__ = (Index("ux_auditevent_chain_seq", "chain", "seq", unique=True),)
    id: int | None = Field(default=None, primary_key=True)
    chain: str = Field(default=PLATFORM_CHAIN, max_length=40)
    seq: int = 0
    at: datetime = utc_field(index=True)
    tenant_id: str | None = Field(default=None, max_length=32, index=True)
    # "user" (a staff token), "operator" (platform support), "cli" (someone at the command
    # line) or "system" (scheduled jobs, the agent).
    actor_kind: str = Field(max_length=16)
    actor_id: str | None = Field(default=None, max_length=64)  # the staff user id
    action: str = Field(max_length=64, index=True)  # "corpus.export", "corpus.erase"...
    resource_type: str = Field(max_length=64)
    resource_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    source: str | None = Field(default=None, max_length=64)  # client IP, or "cli"
    prev_hash: str = Field(default="", max_length=64)
    hash: str = Field(default="", max_length=64, unique=True)
