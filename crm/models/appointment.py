"""Appointments, and the slot holds that make double booking impossible in the database."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from crm.models.base import id_field, utc_field

# Holds are taken on this grid; service durations and opening hours are multiples of it.
HOLD_MINUTES = 15


class AppointmentStatus(StrEnum):
    confirmada = "confirmada"
    cancelada = "cancelada"
    reprogramada = "reprogramada"


class Appointment(SQLModel, table=True):
    id: str = id_field()
    tenant_id: str = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")
    contact_id: str = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    service_id: str = Field(foreign_key="service.id", index=True)
    conversation_id: str | None = Field(
        default=None, foreign_key="conversation.id", ondelete="SET NULL"
    )
    start_at: datetime = utc_field(default_now=False, index=True)
    end_at: datetime = utc_field(default_now=False)
    status: AppointmentStatus = AppointmentStatus.confirmada
    created_at: datetime = utc_field()
    updated_at: datetime = utc_field()


class SlotHold(SQLModel, table=True):
    """One row per HOLD_MINUTES cell an active appointment occupies.

    The unique constraint is the lock: two transactions booking overlapping times insert the
    same (tenant, cell) and one of them fails, on SQLite and PostgreSQL alike.
    """

    __table_args__ = (UniqueConstraint("tenant_id", "slot_start"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")
    appointment_id: str = Field(foreign_key="appointment.id", index=True, ondelete="CASCADE")
    slot_start: datetime = utc_field(default_now=False)
