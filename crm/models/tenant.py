"""The business (tenant): its profile, services, FAQ and agent configuration."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Numeric, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from crm.models.base import id_field, utc_field

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Tools the agent may call; AgentConfig.enabled_tools is a subset of these.
ALL_TOOLS = (
    "list_services",
    "check_availability",
    "book_appointment",
    "reschedule_appointment",
    "cancel_appointment",
    "save_contact_details",
    "business_info",
    "request_human",
    "record_training_objection",
    "send_verification_code",
    "verify_code",
)


class TenantBase(SQLModel):
    name: str = Field(max_length=200)
    slug: str = Field(max_length=64, index=True, unique=True, regex=r"^[a-z0-9][a-z0-9-]*$")
    timezone: str = Field(default="America/Argentina/Buenos_Aires", max_length=64)
    locale: str = Field(default="es-AR", max_length=16)
    currency: str = Field(default="ARS", max_length=3)
    address: str | None = Field(default=None, max_length=300)
    phone: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=200)
    # {"mon": [["09:00", "18:00"]], ..., "sun": []} in the tenant's timezone.
    business_hours: dict[str, list[list[str]]] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    slot_step_minutes: int = Field(default=30, ge=15, le=240)
    # The business's privacy notice, linked from the web chat before the first message.
    privacy_notice_url: str | None = Field(default=None, max_length=500)
    # Web pages allowed to embed the chat widget (CORS): "https://shop.example",
    # "http://localhost:*" (any port), "https://*.shop.example" (any subdomain).
    widget_origins: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Holidays and other closed dates ("2026-12-25"), in the tenant's timezone: no opening
    # hours that day, whatever the weekday's hours say.
    closed_dates: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default=text("'[]'"))
    )


class Tenant(TenantBase, table=True):
    id: str = id_field()
    created_at: datetime = utc_field()


class ServiceBase(SQLModel):
    name: str = Field(max_length=120)
    description: str | None = Field(default=None, max_length=500)
    duration_minutes: int = Field(ge=15, le=480)
    price: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    active: bool = True


class Service(ServiceBase, table=True):
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)
    id: str = id_field()
    tenant_id: str = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")


class FaqEntry(SQLModel, table=True):
    id: str = id_field()
    tenant_id: str = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")
    question: str = Field(max_length=300)
    answer: str = Field(max_length=2000)


class AgentConfigBase(SQLModel):
    persona: str = Field(
        default="Sos el asistente virtual del negocio. Respondés en español rioplatense, "
        "con calidez y en pocas palabras.",
        max_length=8000,
    )
    greeting: str = Field(default="¡Hola! ¿En qué te puedo ayudar?", max_length=500)
    enabled_tools: list[str] = Field(
        default_factory=lambda: list(ALL_TOOLS), sa_column=Column(JSON, nullable=False)
    )
    model: str | None = Field(default=None, max_length=120)


class AgentConfig(AgentConfigBase, table=True):
    id: str = id_field()
    tenant_id: str = Field(foreign_key="tenant.id", unique=True, ondelete="CASCADE")
    updated_at: datetime = utc_field()


def hours_for(business_hours: dict[str, Any], weekday: int) -> list[tuple[str, str]]:
    """Opening intervals ("HH:MM", "HH:MM") of a weekday (0 = Monday)."""
    return [(a, b) for a, b in business_hours.get(WEEKDAYS[weekday], [])]
