"""Privacy: data-subject requests, consents, retention policy and erasure tombstones.

* ``PrivacyRequest`` — a data-subject request (access, portability, rectify, erase,
  restrict, object, withdraw-consent) with its status, deadline and outcome. The locator
  (phone, email or contact id) and the corrected values of a rectification are stored
  encrypted and cleared once the request has run; what stays is a masked hint, the
  contact ids it resolved to and counts.
* ``ContactConsent`` — a contact's consent per purpose (training, marketing).
* ``TenantPrivacySettings`` — a business's retention periods, minimum age and deadlines;
  a business without a row has the defaults of ``TenantPrivacySettingsBase``.
* ``ErasureTombstone`` — proof of an erasure that holds no personal data: keyed hashes of
  the erased identifiers, the date and the request id. Written to the CRM database and to
  the erasure ledger (``MOSTRADOR_ERASURE_LEDGER_URL``, a database kept out of the CRM's
  backups), so ``mostrador privacy reapply-erasures`` can erase them again after a restore.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from crm.models.base import id_field, utc_field


class RequestType(StrEnum):
    access = "access"
    portability = "portability"
    rectify = "rectify"
    erase = "erase"
    restrict = "restrict"
    object = "object"
    withdraw_consent = "withdraw-consent"


class RequestStatus(StrEnum):
    pending = "pending"      # accepted; runs at due_at (at once, or after a review period)
    completed = "completed"
    failed = "failed"        # an error (its type in `error`); `mostrador privacy process` retries
    cancelled = "cancelled"  # withdrawn by staff before it ran (e.g. a reviewed minor flag)


class SubjectKind(StrEnum):
    phone = "phone"
    email = "email"
    contact_id = "contact_id"


class ConsentPurpose(StrEnum):
    training = "training"
    marketing = "marketing"


class PrivacyRequest(SQLModel, table=True):
    id: str = id_field()
    tenant_id: str = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")
    type: RequestType
    status: RequestStatus = Field(default=RequestStatus.pending, index=True)
    subject_kind: SubjectKind
    # Fernet (crm.crypto) of the locator and of the request's personal values (rectify's
    # new fields, as JSON); both None once the request has run.
    subject_enc: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    params_enc: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # Values that are not personal data: purpose, lift...
    options: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    subject_hint: str = Field(default="", max_length=64)  # masked; "[borrado]" after erasure
    contact_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    source: str = Field(default="api", max_length=16)  # api | cli | minor
    requested_by: str | None = Field(default=None, max_length=64)  # user id, cli:<user>, system
    created_at: datetime = utc_field()
    due_at: datetime = utc_field(index=True)
    deadline_at: datetime = utc_field(default_now=False)
    completed_at: datetime | None = utc_field(nullable=True, default_now=False)
    download_until: datetime | None = utc_field(nullable=True, default_now=False)
    attempts: int = 0
    error: str | None = Field(default=None, max_length=64)  # the exception type, never text


class ContactConsent(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("contact_id", "purpose"),)
    id: int | None = Field(default=None, primary_key=True)
    contact_id: str = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    tenant_id: str = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")
    purpose: ConsentPurpose
    granted: bool
    source: str = Field(max_length=16)  # request | staff | chat | form
    updated_at: datetime = utc_field()


class ExpiredContactAction(StrEnum):
    anonymize = "anonymize"  # keep leads and appointments for statistics, without the person
    delete = "delete"        # delete the contact and everything of theirs


class TenantPrivacySettingsBase(SQLModel):
    # Conversations (transcripts) are deleted this long after their last message.
    conversation_retention_days: int = Field(default=180, ge=1, le=3650)
    # A contact with no activity (message, lead change, appointment) for this long is
    # anonymized or deleted (`expired_contact_action`).
    lead_retention_days: int = Field(default=730, ge=1, le=3650)
    expired_contact_action: ExpiredContactAction = ExpiredContactAction.anonymize
    # Raw webhook bodies and Lead Ads form answers (copies of what the CRM tables hold).
    raw_event_retention_days: int = Field(default=30, ge=1, le=3650)
    # An end user who says they are younger than this is treated as a minor; 0 turns it off.
    minor_age: int = Field(default=13, ge=0, le=21)
    # A minor's data is erased this long after the flag, unless staff cancel it meanwhile.
    minor_review_hours: float = Field(default=24.0, ge=0, le=24 * 7)
    erasure_deadline_hours: int = Field(default=72, ge=1, le=24 * 30)
    request_deadline_days: int = Field(default=10, ge=1, le=90)


class TenantPrivacySettings(TenantPrivacySettingsBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(foreign_key="tenant.id", unique=True, ondelete="CASCADE")
    updated_at: datetime = utc_field()


class TombstoneKind(StrEnum):
    phone = "phone"
    email = "email"
    identity = "identity"            # a channel identity: "whatsapp:<wa_id>", "web:<session>"
    contact = "contact"              # the contact id
    corpus_subject = "corpus_subject"  # the corpus subject key (already a keyed hash)


class ErasureTombstone(SQLModel, table=True):
    """One erased identifier: a keyed hash (crm.services.privacy.subject_keys), no value."""

    id: int | None = Field(default=None, primary_key=True)
    # No foreign key: the ledger is another database, and the business may be gone.
    tenant_id: str = Field(max_length=32, index=True)
    kind: TombstoneKind
    key: str = Field(max_length=64, index=True)
    request_id: str = Field(max_length=32, index=True)
    erased_on: date


LEDGER_TABLES = ("erasuretombstone",)
