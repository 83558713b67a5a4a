"""The training corpus: the CRM-side preferences and ledger, and the anonymized records.

CRM side (always in the CRM database):
* ``ContactPreference`` — the end user's objection to training use (one row per contact).
* ``TenantTrainingSettings`` — whether a business lets its conversations be used, and how.
* ``CorpusIntake`` — which conversations the intake has looked at, and with what outcome.

Corpus side (the CRM database, or the one ``MOSTRADOR_CORPUS_URL`` names):
* ``CorpusRecord`` — one anonymized conversation. It holds no contact, lead, conversation
  or tenant id: ``record_key``, ``subject_key`` and ``tenant_key`` are keyed HMACs
  (``training_data.keys``), dates are days and message times are offsets in seconds.

These are new tables only, so a database created before the corpus works after ``init_db``.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, text
from sqlmodel import Field, SQLModel

from crm.models.base import utc_field

CORPUS_STYLES = ("surrogate", "placeholder")


class ContactPreference(SQLModel, table=True):
    """What an end user asked about the use of their data."""

    contact_id: str = Field(primary_key=True, foreign_key="contact.id", ondelete="CASCADE",
                            max_length=32)
    tenant_id: str = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")
    objected_to_training: bool = False
    # "staff" (the API) or "chat" (the end user said so to the agent).
    objection_source: str | None = Field(default=None, max_length=16)
    objected_at: datetime | None = utc_field(nullable=True, default_now=False)
    # When the intake last removed this contact's corpus records after an objection.
    applied_at: datetime | None = utc_field(nullable=True, default_now=False)
    # Restriction of processing (a data-subject request): the data is kept, the agent does
    # not run on it and it is never used for training.
    processing_restricted: bool = False
    restricted_at: datetime | None = utc_field(nullable=True, default_now=False)
    # The end user said they are under the business's minimum age: the agent stops, the
    # conversation goes to a person, and an erasure is queued (crm.services.privacy).
    minor_flagged_at: datetime | None = utc_field(nullable=True, default_now=False)
    updated_at: datetime = utc_field()


class TenantTrainingSettingsBase(SQLModel):
    training_enabled: bool = False
    redaction_style: str = Field(default="surrogate", max_length=16)
    idle_close_hours: float = Field(default=24.0, gt=0, le=24 * 30)
    min_user_turns: int = Field(default=2, ge=1, le=100)
    # A coarse business category for the corpus metadata ("salud_dental", "estetica"...).
    category: str = Field(default="general", max_length=64)


class TenantTrainingSettings(TenantTrainingSettingsBase, table=True):
    """Per-business training settings; a business without a row has training off."""

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(foreign_key="tenant.id", unique=True, ondelete="CASCADE")
    # ISO codes of the countries whose identifiers (DNI, CURP, RUT...) the redaction looks
    # for, besides the common ones; empty: every country (customers travel and migrate).
    redaction_countries: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False, server_default=text("'[]'")),
    )
    updated_at: datetime = utc_field()


class IntakeOutcome(StrEnum):
    ingested = "ingested"
    quarantined = "quarantined"
    duplicate = "duplicate"
    too_short = "too_short"
    tenant_opted_out = "tenant_opted_out"
    contact_objected = "contact_objected"


class CorpusIntake(SQLModel, table=True):
    """The intake ledger (CRM side): a conversation is looked at again only when it has new
    messages since (``last_message_at``)."""

    conversation_id: str = Field(primary_key=True, foreign_key="conversation.id",
                                 ondelete="CASCADE", max_length=32)
    tenant_id: str = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")
    outcome: IntakeOutcome
    last_message_at: datetime = utc_field(default_now=False)
    processed_at: datetime = utc_field()


class RecordStatus(StrEnum):
    ok = "ok"
    quarantined = "quarantined"


class CorpusRecord(SQLModel, table=True):
    """One anonymized conversation (corpus side). Quarantined records keep no transcript."""

    # Exports page through records by key within a status (keyset pagination).
    __table_args__ = (Index("ix_corpusrecord_export", "status", "record_key"),)
    record_key: str = Field(primary_key=True, max_length=64)
    subject_key: str = Field(max_length=64, index=True)
    tenant_key: str = Field(max_length=64, index=True)
    status: RecordStatus = RecordStatus.ok
    tenant_category: str = Field(default="general", max_length=64)
    channel: str = Field(max_length=20)
    language: str = Field(max_length=8)
    outcome: str = Field(max_length=24)  # the main one: handed_off > booked > lead > none
    lead_created: bool = False
    appointment_booked: bool = False
    handed_off: bool = False
    user_turns: int = 0
    message_count: int = 0
    conversation_date: date = Field(index=True)
    fingerprint: str = Field(max_length=64, index=True)
    redaction_style: str = Field(max_length=16)
    redaction_version: str = Field(max_length=64)
    # Mostrador's message schema; empty for quarantined records.
    messages: list[dict[str, Any]] = Field(default_factory=list,
                                           sa_column=Column(JSON, nullable=False))
    # Residual-PII audit: entity types (never values) found in a quarantined record.
    residual_types: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    ingested_on: date


CORPUS_TABLES = ("corpusrecord",)
