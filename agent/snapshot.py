"""Builds the AgentProfile of a turn from the CRM."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from agent.profile import AgentProfile, ServiceInfo, UpcomingAppointment
from crm.models import AgentConfig, Appointment, Contact, Service, Tenant
from crm.services.booking import ACTIVE
from crm.services.catalogue import active_services, format_price
from tools.catalogue import day_hours_text, hours_text


def build_profile(
    db: Session, *, tenant: Tenant, config: AgentConfig, contact: Contact, now: datetime
) -> AgentProfile:
    tz = ZoneInfo(tenant.timezone)
    services = active_services(db, tenant=tenant)
    names = {s.id: s.name for s in services}
    rows = db.exec(
        select(Appointment)
        .where(Appointment.contact_id == contact.id, col(Appointment.status).in_(ACTIVE),
               col(Appointment.start_at) > now)
        .order_by(col(Appointment.start_at))
        .limit(5)
    )
    upcoming = []
    for a in rows:
        name = names.get(a.service_id)
        if name is None:
            service = db.get(Service, a.service_id)
            name = service.name if service else "?"
        upcoming.append(UpcomingAppointment(id=a.id, service=name,
                                            start_local=a.start_at.astimezone(tz),
                                            status=a.status.value))
    return AgentProfile(
        tenant_name=tenant.name,
        timezone=tenant.timezone,
        locale=tenant.locale,
        currency=tenant.currency,
        now_local=now.astimezone(tz),
        services=tuple(ServiceInfo(s.name, s.duration_minutes,
                                   format_price(s, currency=tenant.currency)) for s in services),
        greeting=config.greeting,
        persona=config.persona,
        address=tenant.address,
        contact_name=contact.name,
        contact_phone=contact.contact_phone,
        contact_email=contact.contact_email,
        upcoming=tuple(upcoming),
        business_hours_text=hours_text(tenant.business_hours),
        hours_by_weekday=tuple(day_hours_text(tenant.business_hours, d) for d in range(7)),
    )
