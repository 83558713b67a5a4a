"""A read-only snapshot of what the agent knows at the start of a turn.

Built once per turn from the CRM; the system prompt is assembled from it, and the offline
model reads it (through the LangGraph runtime context) the way an LLM reads the prompt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class UpcomingAppointment:
    id: str
    service: str
    start_local: datetime  # aware, in the tenant's timezone
    status: str


@dataclass(frozen=True)
class ServiceInfo:
    name: str
    duration_minutes: int
    price: str  # formatted, e.g. "$ 15.000"


@dataclass(frozen=True)
class AgentProfile:
    tenant_name: str
    timezone: str
    locale: str  # "es-AR"
    currency: str
    now_local: datetime  # aware, in the tenant's timezone
    services: tuple[ServiceInfo, ...]
    greeting: str
    persona: str
    address: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    upcoming: tuple[UpcomingAppointment, ...] = field(default=())
    business_hours_text: str = ""
    # Opening hours of each weekday, Monday first: "09:00 a 18:00", "cerrado"; () unknown.
    hours_by_weekday: tuple[str, ...] = field(default=())

    @property
    def service_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.services)
