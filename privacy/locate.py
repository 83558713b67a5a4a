"""The person a data-subject request names: parse the locator, find their contacts.

A locator is exactly one of a phone, an email or a contact id. Phones are normalized to
E.164 with the business's region (so "11 5832-1190" finds "+5491158321190"), emails are
lower-cased. A phone matches ``Contact.phone`` and also WhatsApp channel identities whose
external id (the wa_id) is that number's digits (an Argentine number in both its +54 9 and
+54 forms): a customer who wrote on WhatsApp is found
by their number even when their contact has no phone stored. Finding nobody is not an
error: the caller decides what that means (an empty bundle, tombstones only).

Claims (crm.models.contact): a contact that only typed the phone or email in a chat
(`claimed_phone`/`claimed_email`) is found when `claims=True` — for the rights that take
data away (erase, restrict, object, withdraw consent): whoever claimed to be that phone is
erased with it. Access, portability and rectification find only the contacts that hold the
value, so a bundle never hands one person what another typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import Session, col, select

from crm.errors import InvalidEmail, InvalidPhone
from crm.models import Channel, ChannelIdentity, Contact, SubjectKind, Tenant, TombstoneKind
from crm.services.normalize import normalize_email, normalize_phone, phone_variants, region_of
from crm.services.privacy import mask_email, mask_phone
from privacy.errors import InvalidSubject

_KINDS = ", ".join(k.value for k in SubjectKind)
_CONTACT_ID_LENGTH = 32


@dataclass(frozen=True)
class Subject:
    """A normalized locator. ``value`` is personal data: keep it encrypted at rest."""

    kind: SubjectKind
    value: str

    @property
    def hint(self) -> str:
        """A masked form staff can tell requests apart by (a contact id is not masked)."""
        if self.kind == SubjectKind.phone:
            return mask_phone(self.value)
        if self.kind == SubjectKind.email:
            return mask_email(self.value)
        return self.value

    def identifiers(self) -> list[tuple[TombstoneKind, str]]:
        """What an erasure tombstones for this locator even when no contact had it."""
        if self.kind == SubjectKind.phone:
            variants = phone_variants(self.value)
            return [*((TombstoneKind.phone, v) for v in variants),
                    *((TombstoneKind.identity, f"{Channel.whatsapp.value}:{v.lstrip('+')}")
                      for v in variants)]
        if self.kind == SubjectKind.email:
            return [(TombstoneKind.email, self.value)]
        return [(TombstoneKind.contact, self.value)]


def parse_subject(raw: Mapping[str, object], *, tenant: Tenant) -> Subject:
    """``{"phone": ...}``, ``{"email": ...}`` or ``{"contact_id": ...}``, normalized.

    Raises InvalidSubject (its message never repeats the value).
    """
    given = {k: v for k, v in raw.items() if v is not None}
    if len(given) != 1:
        raise InvalidSubject(f"Name the person with exactly one of {_KINDS}.")
    key, value = next(iter(given.items()))
    try:
        kind = SubjectKind(key)
    except ValueError:
        raise InvalidSubject(f"Unknown locator; use one of {_KINDS}.") from None
    if not isinstance(value, str) or not value.strip():
        raise InvalidSubject(f"The {kind.value} is empty.")
    return Subject(kind, normalize_value(kind, value, tenant=tenant))


def normalize_value(kind: SubjectKind, value: str, *, tenant: Tenant) -> str:
    try:
        if kind == SubjectKind.phone:
            return normalize_phone(value, region=region_of(tenant.locale))
        if kind == SubjectKind.email:
            return normalize_email(value)
    except InvalidPhone:
        raise InvalidSubject("The phone is not a valid number; give it with its area code "
                             "(or in international form, +54 9 11 ...).") from None
    except InvalidEmail:
        raise InvalidSubject("The email is not a valid address.") from None
    value = value.strip()
    if len(value) != _CONTACT_ID_LENGTH or not value.isalnum():
        raise InvalidSubject("A contact_id is the contact's 32-character id.")
    return value


def locate(db: Session, *, tenant_id: str, subject: Subject,
           claims: bool = False) -> list[Contact]:
    """The business's contacts the locator names (none, one, or several), by id; with
    `claims`, also those that only typed the phone or email (see the module docstring)."""
    if subject.kind == SubjectKind.contact_id:
        contact = db.get(Contact, subject.value)
        return [contact] if contact is not None and contact.tenant_id == tenant_id else []
    if subject.kind == SubjectKind.email:
        match = col(Contact.email) == subject.value
        if claims:
            match = match | (col(Contact.claimed_email) == subject.value)
        return list(db.exec(select(Contact).where(Contact.tenant_id == tenant_id, match)
                            .order_by(col(Contact.created_at))))
    phones = phone_variants(subject.value)
    by_identity = select(ChannelIdentity.contact_id).where(
        ChannelIdentity.tenant_id == tenant_id, ChannelIdentity.channel == Channel.whatsapp.value,
        col(ChannelIdentity.external_id).in_([p.lstrip("+") for p in phones]))
    match = col(Contact.phone).in_(phones) | col(Contact.id).in_(by_identity)
    if claims:
        match = match | col(Contact.claimed_phone).in_(phones)
    return list(db.exec(select(Contact).where(Contact.tenant_id == tenant_id, match)
                        .order_by(col(Contact.created_at))))
