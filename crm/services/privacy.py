"""The CRM side of privacy: what a contact asked (restriction, consents), minors, the
business's privacy settings, and the keyed hashes that tombstones are made of.

The processing of data-subject requests (access bundles, erasure, retention) is the
``privacy`` package, above the CRM; this module is what the agent, the tools and the API
read and write directly.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlmodel import Session, select

from crm.crypto import SecretBox
from crm.models import (
    ConsentPurpose,
    Contact,
    ContactConsent,
    ContactPreference,
    Conversation,
    PrivacyRequest,
    RequestStatus,
    RequestType,
    SubjectKind,
    TenantPrivacySettings,
    TenantPrivacySettingsBase,
    TombstoneKind,
    utcnow,
)
from crm.services.conversations import flag_for_human
from crm.services.normalize import normalize_email
from crm.settings import Settings

_INFO = b"mostrador/privacy/tombstones/v1"

# Why the agent does not run for a contact (see processing_block).
RESTRICTED = "restricted"
MINOR = "minor"
MINOR_REASON = "posible menor de edad: el agente se detuvo y sus datos se borrarán"
RESTRICTED_REASON = "procesamiento restringido a pedido de la persona"


@dataclass(frozen=True)
class TombstoneKeys:
    """Keyed hashes of erased identifiers under one derived key."""

    key: bytes

    def of(self, tenant_id: str, kind: TombstoneKind, value: str) -> str:
        """The hash of an identifier, normalized by the caller: E.164 phones, lower-case
        emails, "channel:external_id" identities, contact ids."""
        data = "\x1f".join((kind.value, tenant_id, value)).encode("utf-8")
        return hmac.new(self.key, data, hashlib.sha256).hexdigest()


@lru_cache(maxsize=8)
def _derive(secret: str) -> TombstoneKeys:
    return TombstoneKeys(HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                              info=_INFO).derive(secret.encode("utf-8")))


def tombstone_keys(settings: Settings) -> list[TombstoneKeys]:
    """The primary key first (what new tombstones use), then every previous key."""
    secrets = [settings.secret_key.get_secret_value(), *settings.previous_secret_keys]
    return [_derive(s) for s in dict.fromkeys(secrets)]


def privacy_settings(db: Session, *, tenant_id: str) -> TenantPrivacySettingsBase:
    """The business's privacy settings, or the defaults when it has none."""
    row = db.exec(select(TenantPrivacySettings)
                  .where(TenantPrivacySettings.tenant_id == tenant_id)).first()
    return row if row is not None else TenantPrivacySettingsBase()


def preference(db: Session, *, contact: Contact) -> ContactPreference:
    """The contact's preference row, created (not yet flushed) when missing."""
    pref = db.get(ContactPreference, contact.id)
    if pref is None:
        pref = ContactPreference(contact_id=contact.id, tenant_id=contact.tenant_id)
    return pref


def processing_block(db: Session, *, contact_id: str) -> str | None:
    """Why the agent must not process this contact's messages: RESTRICTED, MINOR or None."""
    pref = db.get(ContactPreference, contact_id)
    if pref is None:
        return None
    if pref.minor_flagged_at is not None:
        return MINOR
    if pref.processing_restricted:
        return RESTRICTED
    return None


def set_restriction(db: Session, *, contact: Contact, restricted: bool) -> ContactPreference:
    """Restrict (or lift the restriction of) the processing of the contact's data.

    Restricted: the data is kept, the agent does not run on the contact's messages (a person
    answers) and nothing of theirs is used for training (an objection is recorded too; the
    caller removes existing corpus records). Lifting it leaves the objection in place.
    """
    pref = preference(db, contact=contact)
    now = utcnow()
    pref.processing_restricted = restricted
    pref.restricted_at = now if restricted else None
    if restricted and not pref.objected_to_training:
        pref.objected_to_training = True
        pref.objection_source = "request"
        pref.objected_at = now
        pref.applied_at = None
    pref.updated_at = now
    db.add(pref)
    db.flush()
    return pref


def set_consent(db: Session, *, contact: Contact, purpose: ConsentPurpose, granted: bool,
                source: str) -> ContactConsent:
    """Record the contact's consent for a purpose. Withdrawing training consent is also an
    objection to training use (the caller removes existing corpus records)."""
    row = db.exec(select(ContactConsent).where(ContactConsent.contact_id == contact.id,
                                               ContactConsent.purpose == purpose)).first()
    if row is None:
        row = ContactConsent(contact_id=contact.id, tenant_id=contact.tenant_id,
                             purpose=purpose, granted=granted, source=source)
    row.granted, row.source, row.updated_at = granted, source, utcnow()
    db.add(row)
    if purpose == ConsentPurpose.training and not granted:
        pref = preference(db, contact=contact)
        if not pref.objected_to_training:
            pref.objected_to_training = True
            pref.objection_source = "request"
            pref.objected_at = utcnow()
            pref.applied_at = None
        pref.updated_at = utcnow()
        db.add(pref)
    db.flush()
    return row


def consents_of(db: Session, *, contact_id: str) -> list[ContactConsent]:
    return list(db.exec(select(ContactConsent).where(ContactConsent.contact_id == contact_id)))


def flag_minor(db: Session, *, box: SecretBox, contact: Contact, conversation: Conversation,
               now: datetime | None = None) -> PrivacyRequest:
    """The end user said they are under the business's minimum age.

    The agent stops for this contact (processing_block), the conversation goes to a person,
    and an erasure of the contact is queued to run after the business's review period
    (staff may cancel it if the flag was wrong). Returns the queued request (an existing
    pending one is reused). Flushed; the caller commits.
    """
    now = now or utcnow()
    pref = preference(db, contact=contact)
    if pref.minor_flagged_at is None:
        pref.minor_flagged_at = now
    pref.objected_to_training = True
    pref.objection_source = pref.objection_source or "minor"
    pref.objected_at = pref.objected_at or now
    pref.updated_at = now
    db.add(pref)
    flag_for_human(db, conversation=conversation, reason=MINOR_REASON)
    pending = db.exec(select(PrivacyRequest).where(
        PrivacyRequest.tenant_id == contact.tenant_id, PrivacyRequest.source == "minor",
        PrivacyRequest.status == RequestStatus.pending,
        PrivacyRequest.type == RequestType.erase)).all()
    for request in pending:
        if contact.id in request.contact_ids:
            return request
    policy = privacy_settings(db, tenant_id=contact.tenant_id)
    due = now + timedelta(hours=policy.minor_review_hours)
    request = PrivacyRequest(
        tenant_id=contact.tenant_id, type=RequestType.erase, subject_kind=SubjectKind.contact_id,
        subject_enc=box.encrypt(contact.id), subject_hint=contact.id, contact_ids=[contact.id],
        source="minor", requested_by="system", created_at=now, due_at=due,
        deadline_at=due + timedelta(hours=policy.erasure_deadline_hours))
    db.add(request)
    db.flush()
    return request


def clear_minor_flag(db: Session, *, contact_id: str) -> None:
    """Staff reviewed the flag and it was wrong (the queued erasure is cancelled by them)."""
    pref = db.get(ContactPreference, contact_id)
    if pref is not None and pref.minor_flagged_at is not None:
        pref.minor_flagged_at = None
        pref.updated_at = utcnow()
        db.add(pref)
        db.flush()


def mask_phone(e164: str) -> str:
    """'+5491158321190' -> '+54911****1190': enough for staff to tell requests apart."""
    return e164[:6] + "****" + e164[-4:] if len(e164) > 10 else "****" + e164[-2:]


def mask_email(email: str) -> str:
    """'ana.perez@example.com' -> 'a***@example.com'."""
    local, _, domain = normalize_email(email).partition("@")
    return f"{local[:1]}***@{domain}"
