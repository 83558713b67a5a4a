"""Leads: one open lead per contact, assigned round-robin to the tenant's active sellers."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select

from crm.models import Contact, Lead, LeadSource, LeadStage, Role, Tenant, User, utcnow
from crm.services.normalize import (
    normalize_email,
    normalize_phone,
    phone_variants,
    region_of,
)

OPEN_STAGES = (
    LeadStage.nuevo,
    LeadStage.contactado,
    LeadStage.calificado,
    LeadStage.propuesta,
)


def next_seller(db: Session, *, tenant: Tenant, among: list[str] | None = None) -> User | None:
    """The active seller assigned least recently (never-assigned first), or None; with
    `among`, only those users are candidates. Their `last_assigned_at` becomes now.

    Concurrent assignments take turns: the tenant's rotation lock (crm.locks, held until
    the caller's transaction ends) comes before the read, so the next one sees this one's
    choice. (`ORDER BY … LIMIT 1 FOR UPDATE` alone is not enough on PostgreSQL: a waiter
    gets the row it first chose, re-read but not re-sorted, and one seller gets both.)
    """
    from crm.locks import lock_name

    lock_name(db, f"mostrador.seller-rotation:{tenant.id}")
    query = (
        select(User)
        .where(User.tenant_id == tenant.id, User.role == Role.seller, User.active)
        .order_by(col(User.last_assigned_at).asc().nulls_first(), col(User.email))
        .limit(1)
        .execution_options(populate_existing=True)
    )
    if among is not None:
        query = query.where(col(User.id).in_(among))
    seller = db.exec(query).first()
    if seller is not None:
        seller.last_assigned_at = utcnow()
        db.add(seller)
    return seller


def open_lead(db: Session, *, contact: Contact) -> Lead | None:
    return db.exec(
        select(Lead)
        .where(Lead.contact_id == contact.id, col(Lead.stage).in_(OPEN_STAGES))
        .order_by(col(Lead.created_at).desc())
    ).first()


def ensure_lead(
    db: Session,
    *,
    tenant: Tenant,
    contact: Contact,
    source: LeadSource,
    utm: dict[str, str] | None = None,
    notes: str | None = None,
) -> Lead:
    """The contact's open lead, created (and assigned to a seller) when there is none."""
    lead = open_lead(db, contact=contact)
    if lead is None:
        seller = next_seller(db, tenant=tenant)
        lead = Lead(
            tenant_id=tenant.id,
            contact_id=contact.id,
            source=source,
            assigned_to=seller.id if seller else None,
        )
    for key, value in (utm or {}).items():
        if hasattr(lead, key) and value and not getattr(lead, key):
            setattr(lead, key, value[:200])
    if notes:
        lead.notes = ((lead.notes + "\n") if lead.notes else "") + notes[:1000]
    lead.updated_at = utcnow()
    db.add(lead)
    db.flush()
    return lead


def add_manual_lead(db: Session, *, tenant: Tenant, name: str, phone: str | None = None,
                    email: str | None = None, notes: str | None = None,
                    assigned_to: str | None = None) -> Lead:
    """A lead staff add by hand (source `manual`). A phone or email a contact already
    holds finds that contact (staff know who they talk to); otherwise a new contact.
    Unassigned leads go to the rotation. Raises InvalidPhone / InvalidEmail."""
    e164 = normalize_phone(phone, region=region_of(tenant.locale)) if phone else None
    mail = normalize_email(email) if email else None
    contact = None
    if e164:
        contact = db.exec(select(Contact).where(
            Contact.tenant_id == tenant.id,
            col(Contact.phone).in_(phone_variants(e164)))).first()
    if mail and contact is None:
        contact = db.exec(select(Contact).where(Contact.tenant_id == tenant.id,
                                                Contact.email == mail)).first()
    if contact is None:
        contact = Contact(tenant_id=tenant.id, phone=e164, email=mail)
        db.add(contact)
    contact.name = contact.name or " ".join(name.split())[:200]
    contact.updated_at = utcnow()
    db.add(contact)
    db.flush()
    seller = db.get(User, assigned_to) if assigned_to else next_seller(db, tenant=tenant)
    lead = Lead(tenant_id=tenant.id, contact_id=contact.id, source=LeadSource.manual,
                assigned_to=seller.id if seller else None, notes=notes)
    db.add(lead)
    db.flush()
    return lead


def matching(text: str) -> ColumnElement[bool]:
    """A condition on Contact for a staff search: part of the name or email, or the digits
    of the phone (accents and case aside on the name where the database allows)."""
    term = text.strip().lower()
    digits = "".join(ch for ch in term if ch.isdigit())
    conditions = [func.lower(col(Contact.name)).contains(term, autoescape=True),
                  func.lower(col(Contact.email)).contains(term, autoescape=True)]
    if len(digits) >= 4:
        conditions += [col(Contact.phone).contains(digits, autoescape=True),
                       col(Contact.claimed_phone).contains(digits, autoescape=True)]
    return or_(*conditions)


def stage_counts(db: Session, *, tenant_id: str, seller_id: str | None = None,
                 source: LeadSource | None = None, search: str | None = None
                 ) -> dict[LeadStage, int]:
    """How many leads each stage has (the board's column heads), with the board's filters:
    a seller's own (`seller_id`), a source, a search (see `matching`)."""
    query = select(Lead.stage, func.count()).where(Lead.tenant_id == tenant_id)
    if seller_id is not None:
        query = query.where(Lead.assigned_to == seller_id)
    if source is not None:
        query = query.where(Lead.source == source)
    if search and search.strip():
        query = query.join(Contact, col(Contact.id) == Lead.contact_id).where(matching(search))
    counts = dict.fromkeys(LeadStage, 0)
    for stage, count in db.exec(query.group_by(col(Lead.stage))):
        counts[LeadStage(stage)] = count
    return counts
