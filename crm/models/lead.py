"""Leads: a contact's commercial opportunity, worked by a seller."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from crm.models.base import id_field, utc_field


class LeadSource(StrEnum):
    web = "web"
    whatsapp = "whatsapp"
    instagram = "instagram"
    messenger = "messenger"
    meta_lead_ads = "meta_lead_ads"
    manual = "manual"


class LeadStage(StrEnum):
    nuevo = "nuevo"
    contactado = "contactado"
    calificado = "calificado"
    propuesta = "propuesta"
    ganado = "ganado"
    perdido = "perdido"


class Temperature(StrEnum):
    frio = "frio"
    tibio = "tibio"
    caliente = "caliente"


UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


class Lead(SQLModel, table=True):
    id: str = id_field()
    tenant_id: str = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")
    contact_id: str = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    source: LeadSource
    stage: LeadStage = LeadStage.nuevo
    assigned_to: str | None = Field(
        default=None, foreign_key="user.id", index=True, ondelete="SET NULL"
    )
    temperature: Temperature = Temperature.tibio
    notes: str | None = Field(default=None, max_length=4000)
    utm_source: str | None = Field(default=None, max_length=200)
    utm_medium: str | None = Field(default=None, max_length=200)
    utm_campaign: str | None = Field(default=None, max_length=200)
    utm_term: str | None = Field(default=None, max_length=200)
    utm_content: str | None = Field(default=None, max_length=200)
    created_at: datetime = utc_field()
    updated_at: datetime = utc_field()
