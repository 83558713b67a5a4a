"""Contacts: find them by channel identity, record what they type, link proven identities.

See crm.models.contact for the identity levels: a value a channel vouches for is
verified, a value typed into a chat is a claim, and only a proof (a verified channel, a
one-time code, a staff decision) ever joins two contacts.
"""

from __future__ import annotations

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from crm.errors import Conflict, InvalidPhone
from crm.models import (
    Appointment,
    ChannelIdentity,
    Contact,
    ContactPreference,
    Conversation,
    Lead,
    Tenant,
    VerificationCode,
    utcnow,
)
from crm.services.normalize import normalize_email, normalize_phone, region_of


def contact_for_identity(
    db: Session, *, tenant: Tenant, channel: str, external_id: str, phone: str | None = None
) -> Contact:
    """The contact a channel identity belongs to, created on first sight.

    `phone` is a number the channel vouches for (WhatsApp's wa_id). A contact that holds
    it verified is the same person and is reused. A contact that holds it only as a claim
    (typed into a chat) is not: the verified holder gets a contact of its own, which takes
    over the number and what was booked under it (take_over_claimed); the claimant keeps
    its conversations, and the number as a claim, so staff see both.
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
    e164 = _vouched_phone(tenant, phone)
    holder = _holder(db, tenant=tenant, field="phone", value=e164) if e164 else None
    if holder is not None and holder.phone_verified:
        contact = holder
    else:
        contact = Contact(tenant_id=tenant.id)
        db.add(contact)
        db.flush()
        if e164:
            take_over_claimed(db, prover=contact, field="phone", value=e164)
    db.add(
        ChannelIdentity(
            tenant_id=tenant.id, contact_id=contact.id, channel=channel, external_id=external_id
        )
    )
    db.flush()
    return contact


def _vouched_phone(tenant: Tenant, phone: str | None) -> str | None:
    """The E.164 form of a number a channel gave, or None when it is not a phone number
    (a channel's id format may change; the identity still works without a phone)."""
    if not phone:
        return None
    try:
        return normalize_phone(phone, region=region_of(tenant.locale))
    except InvalidPhone:
        return None


def update_contact_details(
    db: Session,
    *,
    tenant: Tenant,
    contact: Contact,
    name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
) -> Contact:
    """Set the details a person typed on their own contact (validated), and return it.

    A typed phone or email is a claim: it never merges this contact with another and never
    reaches another contact's data. A value another contact holds (or, for a contact whose
    own value is verified, any other value) is kept in `claimed_phone`/`claimed_email`;
    otherwise it becomes the contact's own, unverified. Raises InvalidPhone / InvalidEmail.
    """
    e164 = normalize_phone(phone, region=region_of(tenant.locale)) if phone else None
    mail = normalize_email(email) if email else None
    for field, value in (("phone", e164), ("email", mail)):
        if value is None or getattr(contact, field) == value:
            continue
        holder = _holder(db, tenant=tenant, field=field, value=value)
        if holder is not None or getattr(contact, f"{field}_verified"):
            setattr(contact, f"claimed_{field}", value)
        else:
            setattr(contact, field, value)
            setattr(contact, f"{field}_verified", False)
            setattr(contact, f"claimed_{field}", None)
    if name:
        contact.name = " ".join(name.split())[:200]
    contact.updated_at = utcnow()
    db.add(contact)
    db.flush()
    return contact


def _holder(db: Session, *, tenant: Tenant, field: str, value: str | None,
            excluding: str | None = None) -> Contact | None:
    """The contact of `tenant` whose own phone/email is `value`."""
    if value is None:
        return None
    column = Contact.phone if field == "phone" else Contact.email
    query = select(Contact).where(Contact.tenant_id == tenant.id, column == value)
    if excluding is not None:
        query = query.where(Contact.id != excluding)
    return db.exec(query).first()


def holder_of(db: Session, *, tenant: Tenant, field: str, value: str,
              excluding: str | None = None) -> Contact | None:
    """The contact whose own `field` ("phone" or "email", normalized) is `value`."""
    return _holder(db, tenant=tenant, field=field, value=value, excluding=excluding)


def take_over_claimed(db: Session, *, prover: Contact, field: str, value: str) -> Contact:
    """`prover` proved it holds `value` (a channel vouched for it, or a one-time code).

    Data keyed to a value follows whoever proves they hold it: when another contact held
    `value` only as a claim, its leads and appointments move to `prover`, and the value
    stays on it as a claim (so staff see the two). A contact holding `value` verified is
    not touched: call link_verified for that. Returns `prover`, which holds `value`
    verified.
    """
    tenant = db.get(Tenant, prover.tenant_id)
    assert tenant is not None
    claimant = _holder(db, tenant=tenant, field=field, value=value, excluding=prover.id)
    if claimant is not None:
        assert not getattr(claimant, f"{field}_verified"), "use link_verified"
        for model in (Lead, Appointment):
            db.exec(  # type: ignore[call-overload]
                update(model).where(col(model.contact_id) == claimant.id)
                .values(contact_id=prover.id))
        setattr(claimant, field, None)
        setattr(claimant, f"claimed_{field}", value)
        claimant.updated_at = utcnow()
        db.add(claimant)
        db.flush()  # the unique value is free before the prover takes it
        if not prover.name and claimant.name:
            prover.name = claimant.name
    if getattr(prover, f"claimed_{field}") == value:
        setattr(prover, f"claimed_{field}", None)
    setattr(prover, field, value)
    setattr(prover, f"{field}_verified", True)
    prover.updated_at = utcnow()
    db.add(prover)
    db.flush()
    return prover


def link_verified(db: Session, *, prover: Contact, field: str, value: str) -> Contact:
    """`prover` proved it holds `value`: it becomes the contact that holds it.

    When another contact holds `value` verified, they are one person: `prover` is merged
    into it, which is returned. Otherwise `prover` takes the value over
    (take_over_claimed) and is returned.
    """
    tenant = db.get(Tenant, prover.tenant_id)
    assert tenant is not None
    holder = _holder(db, tenant=tenant, field=field, value=value, excluding=prover.id)
    if holder is not None and getattr(holder, f"{field}_verified"):
        return merge_contacts(db, keep=holder, drop=prover)
    return take_over_claimed(db, prover=prover, field=field, value=value)


def shared_values(db: Session, *, contact: Contact) -> list[tuple[str, Contact]]:
    """Other contacts that share a phone or email with `contact`, one way or the other:
    ("phone" | "email", the other contact). What staff see as "same phone as ..."."""
    found: list[tuple[str, Contact]] = []
    for field in ("phone", "email"):
        own, claimed = getattr(contact, field), getattr(contact, f"claimed_{field}")
        column = Contact.phone if field == "phone" else Contact.email
        claim_column = Contact.claimed_phone if field == "phone" else Contact.claimed_email
        conditions = []
        if claimed:
            conditions.append(column == claimed)
        if own:
            conditions.append(claim_column == own)
        if not conditions:
            continue
        rows = db.exec(select(Contact).where(
            Contact.tenant_id == contact.tenant_id, Contact.id != contact.id,
            or_(*conditions)).order_by(col(Contact.created_at)))
        found += [(field, other) for other in rows]
    return found


def merge_contacts(db: Session, *, keep: Contact, drop: Contact) -> Contact:
    """Move everything of `drop` to `keep`, fill `keep`'s gaps from `drop`, delete `drop`.

    Only for two records proven to be one person: a one-time code, or staff deciding so.
    """
    for model in (ChannelIdentity, Conversation, Lead, Appointment):
        db.exec(  # type: ignore[call-overload]
            update(model).where(col(model.contact_id) == drop.id).values(contact_id=keep.id)
        )
    db.exec(  # type: ignore[call-overload]
        update(VerificationCode).where(col(VerificationCode.target_contact_id) == drop.id)
        .values(target_contact_id=keep.id))
    merged: dict[str, object] = {"name": keep.name or drop.name}
    for field in ("phone", "email"):
        own = getattr(keep, field)
        if own is None and getattr(drop, field) is not None:
            merged[field] = getattr(drop, field)
            merged[f"{field}_verified"] = getattr(drop, f"{field}_verified")
        claimed = getattr(keep, f"claimed_{field}") or getattr(drop, f"claimed_{field}")
        merged[f"claimed_{field}"] = None if claimed == merged.get(field, own) else claimed
    _merge_objection(db, keep=keep, drop=drop)
    db.delete(drop)
    db.flush()
    for key, value in merged.items():
        setattr(keep, key, value)
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

    A phone or email that belongs to another contact is refused (Conflict): joining two
    people is a decision for staff (link them), not a side effect of a correction. A
    changed phone or email is no longer verified. An empty string clears a field. Returns
    the names of the fields that changed. Raises InvalidPhone / InvalidEmail / Conflict.
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
            if key in ("phone", "email"):
                setattr(contact, f"{key}_verified", False)
            changed.append(key)
    if changed:
        contact.updated_at = utcnow()
        db.add(contact)
        db.flush()
    return sorted(changed)
