"""Plain factory functions for test rows (synthetic data only)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from crm.models import AgentConfig, Contact, Role, Service, Tenant, User
from crm.seed import seed_demo
from crm.services.tokens import issue_token

HOURS = {
    "mon": [["09:00", "18:00"]], "tue": [["09:00", "18:00"]], "wed": [["09:00", "18:00"]],
    "thu": [["09:00", "18:00"]], "fri": [["09:00", "18:00"]], "sat": [["09:00", "13:00"]],
    "sun": [],
}


def make_tenant(db: Session, **overrides: Any) -> Tenant:
    """A business like the demo one, with its own slug and services."""
    values: dict[str, Any] = {
        "name": "Estética Prueba", "slug": f"t-{uuid.uuid4().hex[:8]}",
        "timezone": "America/Argentina/Buenos_Aires", "locale": "es-AR", "currency": "ARS",
        "business_hours": HOURS, "address": "Av. Siempreviva 742, CABA",
    }
    values.update(overrides)
    tenant = Tenant(**values)
    db.add(tenant)
    db.flush()
    for name, minutes, price in (("Consulta general", 30, "25000"),
                                 ("Limpieza dental", 45, "35000"),
                                 ("Blanqueamiento", 60, "120000")):
        db.add(Service(tenant_id=tenant.id, name=name, duration_minutes=minutes,
                       price=Decimal(price)))
    db.add(AgentConfig(tenant_id=tenant.id))
    db.commit()
    return tenant


def make_demo(db: Session) -> Tenant:
    tenant = seed_demo(db)
    db.commit()
    return tenant


def make_user(db: Session, tenant: Tenant, *, role: Role = Role.seller,
              email: str | None = None) -> User:
    user = User(tenant_id=tenant.id, email=email or f"{uuid.uuid4().hex[:6]}@staff.test",
                name="Staff", role=role)
    db.add(user)
    db.commit()
    return user


def make_token(db: Session, user: User) -> str:
    token = issue_token(db, user=user)
    db.commit()
    return token


def make_contact(db: Session, tenant: Tenant, **overrides: Any) -> Contact:
    contact = Contact(tenant_id=tenant.id, **overrides)
    db.add(contact)
    db.commit()
    return contact
