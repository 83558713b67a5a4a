"""Training-use preferences: a contact's objection and a business's training settings.

The corpus itself is ``training_data/``; this is the CRM side it reads, which the agent's
tool and the staff API write.
"""

from __future__ import annotations

from sqlmodel import Session, select

from crm.models import Contact, ContactPreference, Tenant, TenantTrainingSettings, utcnow


def contact_preference(db: Session, *, contact: Contact) -> ContactPreference | None:
    return db.get(ContactPreference, contact.id)


def has_objected(db: Session, *, contact_id: str) -> bool:
    pref = db.get(ContactPreference, contact_id)
    return bool(pref and pref.objected_to_training)


def set_training_objection(db: Session, *, contact: Contact, objected: bool = True,
                           source: str) -> ContactPreference:
    """Record whether the contact objects to the use of their conversations for training.

    ``source`` is "chat" (the end user said so) or "staff". An objection takes effect at the
    next intake run (existing corpus records are removed then) or at once when the caller
    also erases them (the staff API does).
    """
    pref = db.get(ContactPreference, contact.id)
    if pref is None:
        pref = ContactPreference(contact_id=contact.id, tenant_id=contact.tenant_id)
    now = utcnow()
    if objected and not pref.objected_to_training:
        pref.objected_at = now
        pref.applied_at = None
    pref.objected_to_training = objected
    pref.objection_source = source
    pref.updated_at = now
    db.add(pref)
    db.flush()
    return pref


def training_settings(db: Session, *, tenant: Tenant) -> TenantTrainingSettings | None:
    """The business's training settings, or None (training off)."""
    return db.exec(select(TenantTrainingSettings)
                   .where(TenantTrainingSettings.tenant_id == tenant.id)).first()


def enable_training(db: Session, *, tenant: Tenant, enabled: bool = True,
                    **values: object) -> TenantTrainingSettings:
    """Create or update the business's training settings (fields of
    ``TenantTrainingSettingsBase`` as keyword arguments)."""
    row = training_settings(db, tenant=tenant)
    if row is None:
        row = TenantTrainingSettings(tenant_id=tenant.id)
    row.training_enabled = enabled
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_at = utcnow()
    db.add(row)
    db.flush()
    return row
