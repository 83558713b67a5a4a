"""Shared column helpers for the CRM tables."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column
from sqlmodel import Field

from crm.db import UTCDateTime


def new_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC)


def id_field() -> Any:
    return Field(default_factory=new_id, primary_key=True, max_length=32)


def utc_field(*, nullable: bool = False, default_now: bool = True, index: bool = False) -> Any:
    """An aware-UTC datetime column."""
    kwargs: dict[str, Any] = {}
    if default_now:
        kwargs["default_factory"] = utcnow
    else:
        kwargs["default"] = None
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable, index=index), **kwargs)
