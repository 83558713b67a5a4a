"""Setting up a scenario's world: its business (the demo or one the file describes) and
what the CRM already holds before the first turn (`given`).

Each scenario run gets a business of its own under a fresh slug in the eval's throw-away
database, so runs never see each other's bookings, contacts or leads.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from sqlmodel import Session

from crm.errors import CrmError
from crm.models import (
    AgentConfig,
    AppointmentStatus,
    Channel,
    Contact,
    FaqEntry,
    Service,
    Tenant,
)
from crm.models.privacy import TenantPrivacySettings
from crm.seed import seed_demo
from crm.services import booking
from crm.services.contacts import contact_for_identity, update_contact_details
from evals.errors import SuiteError
from evals.suite import BusinessSpec, Given, Person

_PERSONA = ("Sos el asistente virtual de {name}. Respondés en el idioma del cliente, con "
            "calidez y en pocas palabras. Ayudás a sacar, mover y cancelar turnos, informás "
            "servicios, precios y horarios, y si la persona lo pide la derivás con alguien "
            "del equipo.")


def seed_business(db: Session, business: Literal["demo"] | BusinessSpec, *, slug: str) -> Tenant:
    """The scenario's business under `slug` (flushed, not committed)."""
    if business == "demo":
        return seed_demo(db, slug=slug)
    spec = business
    tenant = Tenant(name=spec.name, slug=slug, timezone=spec.timezone, locale=spec.locale,
                    currency=spec.currency, address=spec.address, phone=spec.phone,
                    email=spec.email,
                    business_hours={day: [list(span) for span in spans]
                                    for day, spans in spec.hours.items()})
    db.add(tenant)
    db.flush()
    for service in spec.services:
        db.add(Service(tenant_id=tenant.id, name=service.name,
                       duration_minutes=service.minutes, price=Decimal(str(service.price)),
                       description=service.description))
    for entry in spec.faq:
        db.add(FaqEntry(tenant_id=tenant.id, question=entry.question, answer=entry.answer))
    config = AgentConfig(tenant_id=tenant.id, persona=spec.persona or _PERSONA.format(
        name=spec.name))
    if spec.greeting:
        config.greeting = spec.greeting
    db.add(config)
    if spec.minor_age is not None:
        db.add(TenantPrivacySettings(tenant_id=tenant.id, minor_age=spec.minor_age))
    db.flush()
    return tenant


def seed_given(db: Session, given: Given, *, tenant: Tenant, thread_id: str, now: datetime,
               label: str) -> None:
    """What the CRM holds before the first turn: the chat's own contact (`me`, known as
    if it had written before) and appointments of it or of other people (created as
    WhatsApp contacts would be: their phone verified). Raises SuiteError naming `label`
    when the file asks for something the CRM refuses (a closed day, a taken slot)."""
    me = contact_for_identity(db, tenant=tenant, channel=Channel.web.value,
                              external_id=thread_id)
    others: dict[Person, Contact] = {}
    try:
        if given.me is not None:
            update_contact_details(db, tenant=tenant, contact=me, name=given.me.name,
                                   phone=given.me.phone, email=given.me.email)
        for index, spec in enumerate(given.appointments):
            where = f"{label}, given.appointments[{index}]"
            if spec.who == "me":
                contact = me
            else:
                contact = others.get(spec.who) or _other(db, tenant=tenant, person=spec.who)
                others[spec.who] = contact
            day, _, clock = spec.start.partition(" ")
            try:
                appointment = booking.book(
                    db, tenant=tenant, contact=contact, service_name=spec.service,
                    day=datetime.strptime(day, "%Y-%m-%d").date(),
                    at=datetime.strptime(clock, "%H:%M").time(), now=now,
                    require_contact_data=False)
            except CrmError as exc:
                raise SuiteError(f"{where}: the CRM refused it: {_message(exc)}") from None
            if spec.status == AppointmentStatus.cancelada.value:
                booking.cancel(db, contact=contact, now=now, appointment_id=appointment.id)
            elif spec.status != appointment.status.value:
                appointment.status = AppointmentStatus(spec.status)
                db.add(appointment)
        db.flush()
    except CrmError as exc:
        raise SuiteError(f"{label}, given: the CRM refused it: {_message(exc)}") from None


def _other(db: Session, *, tenant: Tenant, person: Person) -> Contact:
    contact = Contact(tenant_id=tenant.id)
    db.add(contact)
    db.flush()
    contact = update_contact_details(db, tenant=tenant, contact=contact, name=person.name,
                                     phone=person.phone, email=person.email)
    contact.phone_verified = contact.phone is not None
    contact.email_verified = contact.email is not None
    db.add(contact)
    db.flush()
    return contact


def _message(exc: CrmError) -> str:
    return str(getattr(exc, "message", None) or exc)

