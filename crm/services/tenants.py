"""Tenants (businesses): creating one, finding it, its agent configuration."""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, select

from crm.errors import AlreadyExists, InvalidInput, NotFound
from crm.models import AgentConfig, Role, Tenant, User
from crm.services.invitations import Issued, issue_invitation

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
LOCALE = re.compile(r"^[a-z]{2}-[A-Z]{2}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A new business opens Monday to Friday, 9 to 18 (the admin changes it in the console).
DEFAULT_HOURS = {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")} | {
    "sat": [], "sun": []}


class InvalidBusiness(InvalidInput):
    """A business field that is not valid; the message says which and why (422)."""


@dataclass(frozen=True)
class NewBusiness:
    tenant: Tenant
    admin: User
    invitation: Issued


def create_tenant(db: Session, *, slug: str, name: str, timezone: str, admin_email: str,
                  locale: str = "es-AR", currency: str = "ARS", admin_name: str | None = None,
                  invitation_hours: float = 72, created_by: str | None = None) -> NewBusiness:
    """A business with sensible defaults (opening hours, agent configuration, no services)
    and its first admin, with an invitation to set a password (flushed, not committed).

    Raises InvalidBusiness (a field that is not valid) or AlreadyExists (the slug).
    """
    slug, email = slug.strip().lower(), admin_email.strip().lower()
    if not SLUG.match(slug):
        raise InvalidBusiness("The slug is 2 to 63 lower-case letters, digits and dashes, "
                              "starting with a letter or digit (it goes in the chat's URL).")
    if not name.strip() or len(name) > 200:
        raise InvalidBusiness("The name is required (at most 200 characters).")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidBusiness("Unknown timezone; use an IANA name such as "
                              "America/Argentina/Buenos_Aires.") from None
    if not LOCALE.match(locale):
        raise InvalidBusiness("The locale is language-COUNTRY, such as es-AR or es-MX.")
    if not CURRENCY.match(currency):
        raise InvalidBusiness("The currency is a 3-letter ISO code, such as ARS or MXN.")
    if not EMAIL.match(email) or len(email) > 200:
        raise InvalidBusiness("The admin's email is not a valid address.")
    if db.exec(select(Tenant.id).where(Tenant.slug == slug)).first() is not None:
        raise AlreadyExists(f"A business with the slug {slug!r} already exists.")
    tenant = Tenant(name=name.strip(), slug=slug, timezone=timezone, locale=locale,
                    currency=currency, business_hours=DEFAULT_HOURS)
    db.add(tenant)
    db.flush()
    db.add(AgentConfig(
        tenant_id=tenant.id,
        persona=(f"Sos el asistente virtual de {tenant.name}. Respondés en español, con "
                 "calidez y en pocas palabras. Ayudás a sacar, mover y cancelar turnos, "
                 "informás servicios, precios y horarios, y si la persona lo pide la derivás "
                 "con alguien del equipo."),
        greeting=f"¡Hola! Soy el asistente de {tenant.name}. ¿En qué te ayudo?"))
    admin = User(tenant_id=tenant.id, email=email, name=(admin_name or email.split("@")[0]),
                 role=Role.admin)
    db.add(admin)
    db.flush()
    invitation = issue_invitation(db, user=admin, hours=invitation_hours,
                                  created_by=created_by)
    return NewBusiness(tenant, admin, invitation)


def tenant_by_slug(db: Session, *, slug: str) -> Tenant:
    tenant = db.exec(select(Tenant).where(Tenant.slug == slug)).first()
    if tenant is None:
        raise NotFound(f"No business with slug {slug!r}.")
    return tenant


def agent_config(db: Session, *, tenant: Tenant) -> AgentConfig:
    """The tenant's agent configuration, created with defaults when missing."""
    config = db.exec(select(AgentConfig).where(AgentConfig.tenant_id == tenant.id)).first()
    if config is None:
        config = AgentConfig(tenant_id=tenant.id)
        db.add(config)
        db.flush()
    return config
