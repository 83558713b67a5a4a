"""Leads: one open lead per contact, assigned round-robin to the tenant's active sellers."""

from __future__ import annotations

from sqlmodel import Session, col, select

from crm.models import Contact, Lead, LeadSource, LeadStage, Role, Tenant, User, utcnow

OPEN_STAGES = (
    LeadStage.nuevo,
    LeadStage.contactado,
    LeadStage.calificado,
    LeadStage.propuesta,
)


def next_seller(db: Session, *, tenant: Tenant) -> User | None:
    """The active seller assigned least recently (never-assigned first), or None.

    The row is locked (FOR UPDATE on PostgreSQL) so concurrent intakes rotate, not collide.
    """
    query = (
        select(User)
        .where(User.tenant_id == tenant.id, User.role == Role.seller, User.active)
        .order_by(col(User.last_assigned_at).asc().nulls_first(), col(User.email))
        .limit(1)
        .with_for_update()
    )
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
