"""Contacts: find them by channel identity, update their details, merge duplicates."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col, select

from crm.errors import Conflict
from crm.models import (
    Appointment,
    ChannelIdentity,
    Contact,
    ContactPreference,
    Conversation,
    Lead,
    Tenant,
    utcnow,
)
from crm.services.normalize import normalize_email, normalize_phone, region_of


def contact_for_identity(
    db: Session, *, tenant: Tenant, channel: str, external_id: str, phone: str | None = None
) -> Contact:
    """The contact a channel identity belongs to, created on first sight.

    `phone` is the number the channel vouches for (WhatsApp's wa_id); a known contact with
    that phone is reused, so a customer who first came through the web is recognized.
    """
    identity = db.exec(
        select(ChannelIdentity).where(
            ChannelIdentity.tenant_id == tenant.id,
            ChannelIdentity.channel == channel,
            ChannelIdentity.external_id == external_id,
        )
    ).first()
    if identity is not None:
        contact = db.get(Contact, identity.contact_id)
        assert contact is not None  # FK with cascade
        return contact
    contact = None
    e164 = normalize_phone(phone, region=region_of(tenant.locale)) if phone else None
    if e164:
        contact = db.exec(
            select(Contact).where(Contact.tenant_id == tenant.id, Contact.phone == e164)
        ).first()
    if contact is None:
        contact = Contact(tenant_id=tenant.id, phone=e164)
        db.add(contact)
        db.flush()
    db.add(
        ChannelIdentity(
            tenant_id=tenant.id, contact_id=contact.id, channel=channel, external_id=external_id
        )
    )
    db.flush()
    return contact


def update_contact_details(
    db: Session,
    *,
    tenant: Tenant,
    contact: Contact,
    name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
) -> Contact:
    """Set the given details (validated) and return the surviving contact.

    When the phone or email already belongs to another contact of the tenant, this is the same
    person coming back: the current contact is merged into that one, which is returned.
    Raises InvalidPhone / InvalidEmail.
    """
    e164 = normalize_phone(phone, region=region_of(tenant.locale)) if phone else None
    mail = normalize_email(email) if email else None
    for column, value in ((Contact.phone, e164), (Contact.email, mail)):
        if value is None:
            continue
        other = db.exec(
            select(Contact).where(
                Contact.tenant_id == tenant.id, column == value, Contact.id != contact.id
            )
        ).first()
        if other is not None:
            contact = merge_contacts(db, keep=other, drop=contact)
    if name:
        contact.name = " ".join(name.split())[:200]
    if e164:
        contact.phone = e164
    if mail:
        contact.email = mail
    contact.updated_at = utcnow()
    db.add(contact)
    db.flush()
    return contact


def merge_contacts(db: Session, *, keep: Contact, drop: Contact) -> Contact:
    """Move everything of `drop` to `keep`, fill `keep`'s gaps from `drop`, delete `drop`."""
    for model in (ChannelIdentity, Conversation, Lead, Appointment):
        db.exec(  # type: ignore[call-overload]
            update(model).where(col(model.contact_id) == drop.id).values(contact_id=keep.id)
        )
    name = keep.name or drop.name
    phone = keep.phone or drop.phone
    email = keep.email or drop.email
    _merge_objection(db, keep=keep, drop=drop)
    db.delete(drop)
    db.flush()
    keep.name, keep.phone, keep.email = name, phone, email
    keep.updated_at = utcnow()
    db.add(keep)
    db.flush()
    return keep


def _merge_objection(db: Session, *, keep: Contact, drop: Contact) -> None:
    """An objection to training use made under either record survives the merge."""
    dropped = db.get(ContactPreference, drop.id)
    if dropped is None or not dropped.objected_to_training:
        return
    kept = db.get(ContactPreference, keep.id)
    if kept is None:
        kept = ContactPreference(contact_id=keep.id, tenant_id=keep.tenant_id)
    if not kept.objected_to_training:
        kept.objected_to_training = True
        kept.objection_source = dropped.objection_source
        kept.objected_at = dropped.objected_at
        kept.applied_at = None  # the next intake removes the kept contact's records too
        kept.updated_at = utcnow()
        db.add(kept)
        db.flush()


def rectify_contact(db: Session, *, tenant: Tenant, contact: Contact, name: str | None = None,
                    phone: str | None = None, email: str | None = None) -> list[str]:
    """Correct the given fields in place; the old values are overwritten, not kept anywhere.

    Unlike the agent's `update_contact_details`, a phone or email that belongs to another
    contact is refused (Conflict) rather than merged: merging two people is a decision for
    staff, not a side effect of a correction. An empty string clears a field. Returns the
    names of the fields that changed. Raises InvalidPhone / InvalidEmail / Conflict.
    """
    changed: list[str] = []
    values: dict[str, str | None] = {}
    if phone is not None:
        values["phone"] = normalize_phone(phone, region=region_of(tenant.locale)) if phone \
            else None
    if email is not None:
        values["email"] = normalize_email(email) if email else None
    for column_name, value in values.items():
        if value is None:
            continue
        column = Contact.phone if column_name == "phone" else Contact.email
        other = db.exec(select(Contact.id).where(Contact.tenant_id == tenant.id, column == value,
                                                 Contact.id != contact.id)).first()
        if other is not None:
            raise Conflict(f"That {column_name} belongs to another contact of the business; "
                           "merge or correct that contact first.")
    if name is not None:
        values["name"] = " ".join(name.split())[:200] or None
    for key, value in values.items():
        if getattr(contact, key) != value:
            setattr(contact, key, value)
            changed.append(key)
    if changed:
        contact.updated_at = utcnow()
        db.add(contact)
        db.flush()
    return sorted(changed)
