"""Booking, rescheduling and cancelling appointments, atomically.

Every active appointment holds its HOLD_MINUTES cells in SlotHold, whose unique constraint
on (tenant, cell) makes overlapping bookings impossible in the database itself: of two
concurrent transactions booking one slot, exactly one commits.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from crm.errors import (
    ClosedDay,
    MissingContactData,
    NoAppointment,
    OutsideBusinessHours,
    PastDate,
    SlotTaken,
)
from crm.models import (
    HOLD_MINUTES,
    Appointment,
    AppointmentStatus,
    Contact,
    Service,
    SlotHold,
    Tenant,
    utcnow,
)
from crm.services.availability import cells, free_starts, local_dt, opening_intervals, within_hours
from crm.services.catalogue import resolve_service
from crm.weekdays import day_label

ACTIVE = (AppointmentStatus.confirmada, AppointmentStatus.reprogramada)


MAX_ALTERNATIVES = 6


def _alternatives(
    db: Session, *, tenant: Tenant, service: Service, day: date, now: datetime, near: time
) -> list[str]:
    """The free start times of `day` nearest to `near` (at most MAX_ALTERNATIVES), in
    order of the day: asking for 20:00 offers the evening, not the morning."""
    starts = free_starts(db, tenant=tenant, service=service, day=day, now=now)
    wanted = near.hour * 60 + near.minute
    nearest = sorted(starts, key=lambda s: (abs(s.hour * 60 + s.minute - wanted), s))
    return [s.strftime("%H:%M") for s in sorted(nearest[:MAX_ALTERNATIVES])]


def _open_days_after(tenant: Tenant, day: date, count: int = 3) -> list[date]:
    """The next open days after ``day`` (within 90 days: a business may close for weeks)."""
    found, cursor = [], day
    for _ in range(90):
        cursor += timedelta(days=1)
        if opening_intervals(tenant, cursor):
            found.append(cursor)
            if len(found) == count:
                break
    return found


def _hours(tenant: Tenant, day: date) -> str:
    return " y ".join(f"{a:%H:%M} a {b:%H:%M}" for a, b in opening_intervals(tenant, day))


def _validate_time(
    db: Session, *, tenant: Tenant, service: Service, day: date, at: time, now: datetime
) -> tuple[datetime, datetime]:
    """Raise what is wrong with starting `service` at `day` `at`, saying what to change."""
    start = local_dt(tenant, day, at)
    end = start + timedelta(minutes=service.duration_minutes)
    if start <= now:
        local_now = now.astimezone(start.tzinfo)
        raise PastDate(f"El {day_label(day)} a las {at:%H:%M} ya pasó: hoy es "
                       f"{day_label(local_now.date())} ({local_now.date().isoformat()}) y son "
                       f"las {local_now:%H:%M}. Elegí un día y horario futuros.")
    if not opening_intervals(tenant, day):
        days = ", ".join(f"{day_label(d)} ({d.isoformat()})"
                         for d in _open_days_after(tenant, day))
        raise ClosedDay(f"El {day_label(day)} ({day.isoformat()}) el negocio está cerrado. "
                        f"Próximos días abiertos: {days}.")
    if at.minute % HOLD_MINUTES or not within_hours(tenant, start, end):
        alternatives = _alternatives(db, tenant=tenant, service=service, day=day, now=now,
                                     near=at)
        step = (f" Los turnos empiezan cada {HOLD_MINUTES} minutos."
                if at.minute % HOLD_MINUTES else "")
        raise OutsideBusinessHours(
            f"El {day_label(day)} se atiende de {_hours(tenant, day)}: {service.name} "
            f"({service.duration_minutes} min) a las {at:%H:%M} queda afuera.{step} "
            + ("Horarios libres más cercanos en alternatives." if alternatives
               else "Ese día no quedan horarios libres: consultá otro día."),
            alternatives=alternatives,
        )
    return start, end


def _taken(db: Session, *, tenant: Tenant, service: Service, day: date, at: time,
           now: datetime) -> SlotTaken:
    alternatives = _alternatives(db, tenant=tenant, service=service, day=day, now=now, near=at)
    return SlotTaken(
        f"El {day_label(day)} a las {at:%H:%M} ya está ocupado. "
        + ("Horarios libres más cercanos en alternatives." if alternatives
           else "Ese día no quedan horarios libres: consultá otro día."),
        alternatives=alternatives)


def _hold(db: Session, *, appointment: Appointment) -> None:
    for cell in cells(appointment.start_at, appointment.end_at):
        db.add(SlotHold(tenant_id=appointment.tenant_id, appointment_id=appointment.id,
                        slot_start=cell))


def _release(db: Session, *, appointment: Appointment) -> None:
    db.exec(delete(SlotHold).where(col(SlotHold.appointment_id) == appointment.id))  # type: ignore[call-overload]


def book(
    db: Session,
    *,
    tenant: Tenant,
    contact: Contact,
    service_name: str,
    day: date,
    at: time,
    now: datetime,
    conversation_id: str | None = None,
    require_contact_data: bool = True,
) -> Appointment:
    """Book `service_name` at `day` `at` (tenant's local time) for `contact`.

    Raises UnknownService, PastDate, ClosedDay, OutsideBusinessHours, MissingContactData
    (the agent needs name and phone first; staff booking for a person they know passes
    `require_contact_data=False`) or SlotTaken (with free alternatives that day).
    """
    service = resolve_service(db, tenant=tenant, name=service_name)
    start, end = _validate_time(db, tenant=tenant, service=service, day=day, at=at, now=now)
    if require_contact_data and (not contact.name or not contact.contact_phone):
        raise MissingContactData(
            "Antes de reservar hacen falta el nombre y el teléfono del cliente: pedíselos y "
            "guardalos con save_contact_details."
        )
    appointment = Appointment(
        tenant_id=tenant.id, contact_id=contact.id, service_id=service.id,
        conversation_id=conversation_id, start_at=start, end_at=end,
    )
    try:
        with db.begin_nested():
            db.add(appointment)
            db.flush()
            _hold(db, appointment=appointment)
            db.flush()
    except IntegrityError:
        raise _taken(db, tenant=tenant, service=service, day=day, at=at, now=now) from None
    return appointment


def find_own_appointment(
    db: Session, *, contact: Contact, appointment_id: str | None, now: datetime
) -> Appointment:
    """The contact's own active future appointment (the next one when no id is given)."""
    query = select(Appointment).where(
        Appointment.contact_id == contact.id,
        col(Appointment.status).in_(ACTIVE),
        col(Appointment.start_at) > now,
    )
    if appointment_id:
        query = query.where(Appointment.id == appointment_id)
    appointment = db.exec(query.order_by(col(Appointment.start_at))).first()
    if appointment is None:
        raise NoAppointment("El cliente no tiene un turno próximo con ese dato.")
    return appointment


def reschedule(
    db: Session,
    *,
    tenant: Tenant,
    contact: Contact,
    day: date,
    at: time,
    now: datetime,
    appointment_id: str | None = None,
) -> Appointment:
    """Move the contact's appointment; the old time is freed in the same transaction."""
    appointment = find_own_appointment(db, contact=contact, appointment_id=appointment_id, now=now)
    service = db.get(Service, appointment.service_id)
    assert service is not None
    start, end = _validate_time(db, tenant=tenant, service=service, day=day, at=at, now=now)
    old = (appointment.start_at, appointment.end_at, appointment.status)
    try:
        with db.begin_nested():
            _release(db, appointment=appointment)
            appointment.start_at, appointment.end_at = start, end
            appointment.status = AppointmentStatus.reprogramada
            appointment.updated_at = utcnow()
            db.add(appointment)
            db.flush()
            _hold(db, appointment=appointment)
            db.flush()
    except IntegrityError:
        appointment.start_at, appointment.end_at, appointment.status = old
        db.refresh(appointment)
        raise _taken(db, tenant=tenant, service=service, day=day, at=at, now=now) from None
    return appointment


def cancel(
    db: Session, *, contact: Contact, now: datetime, appointment_id: str | None = None
) -> Appointment:
    appointment = find_own_appointment(db, contact=contact, appointment_id=appointment_id, now=now)
    _release(db, appointment=appointment)
    appointment.status = AppointmentStatus.cancelada
    appointment.updated_at = utcnow()
    db.add(appointment)
    db.flush()
    return appointment
