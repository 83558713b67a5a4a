"""Tools for appointments: availability, booking, rescheduling and cancelling.

Days are ISO dates (YYYY-MM-DD) and times HH:MM, both in the business's timezone.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from langchain.tools import ToolRuntime, tool
from sqlmodel import col, select

from crm.errors import PastDate, ToolArgumentError
from crm.models import Appointment, Service
from crm.services import booking
from crm.services.availability import free_starts
from crm.services.catalogue import resolve_service
from crm.weekdays import day_label, weekday_name, weekdays_named
from tools.context import ToolContext
from tools.results import guarded, ok

MAX_RANGE_DAYS = 14


_WEEKDAY = (r"(?:lunes|martes|mi[eé]rcoles|jueves|viernes|s[aá]bados?|domingos?|monday|"
            r"tuesday|wednesday|thursday|friday|saturday|sunday)")
# "no puedo el lunes", "menos el martes", "el lunes no", "not on Monday": not what they want.
_NEGATED = re.compile(rf"\b(?:no|not|menos|salvo|except|excepto|ni)\b\W+(?:\w+\W+){{0,2}}?"
                      rf"(?:el |los |on )?{_WEEKDAY}\b|\b{_WEEKDAY}\W+(?:\w+\W+)?(?:no|not)\b",
                      re.I)


def check_weekday(ctx: ToolContext, first: date, last: date | None = None) -> None:
    """Refuse a day (or range) that is none of the weekdays the customer just named —
    a model computing "el jueves" got the date wrong — saying which date they meant."""
    text = " ".join(ctx.turn_texts)
    named = weekdays_named(_NEGATED.sub(" ", text))
    last = last or first
    span = {(first + timedelta(days=n)).weekday() for n in range(min((last - first).days, 6) + 1)}
    if not named or named & span:
        return
    today = ctx.now.astimezone(ctx.tz).date()
    candidates = []
    for weekday in sorted(named):  # that weekday nearest to the day passed, not past
        candidate = first + timedelta(days=(weekday - first.weekday() + 3) % 7 - 3)
        candidates.append(candidate if candidate >= today else candidate + timedelta(days=7))
    said = " o ".join(weekday_name(d) for d in candidates)
    use = " o ".join(f'day="{d.isoformat()}" ({day_label(d)})' for d in candidates)
    raise ToolArgumentError(
        f"Día equivocado: el {first.isoformat()} es {weekday_name(first)} y el cliente dijo "
        f"{said}. Llamá de nuevo con {use}.")


def appointment_view(ctx: ToolContext, appointment: Appointment) -> dict[str, Any]:
    service = ctx.db.get(Service, appointment.service_id)
    tz = ZoneInfo(ctx.tenant.timezone)
    return {
        "id": appointment.id,
        "service": service.name if service else None,
        "start": appointment.start_at.astimezone(tz).isoformat(),
        "end": appointment.end_at.astimezone(tz).isoformat(),
        "status": appointment.status.value,
    }


def upcoming_views(ctx: ToolContext) -> list[dict[str, Any]]:
    """The current contact's active future appointments, soonest first."""
    rows = ctx.db.exec(select(Appointment).where(
        Appointment.contact_id == ctx.contact.id, col(Appointment.status).in_(booking.ACTIVE),
        col(Appointment.start_at) > ctx.now).order_by(col(Appointment.start_at)).limit(5))
    return [appointment_view(ctx, a) for a in rows]


@tool
@guarded
def check_availability(
    service: str, day: date, runtime: ToolRuntime[ToolContext], until_day: date | None = None
) -> str:
    """Free start times for a service on a day, or on each day from `day` to `until_day`.

    Args:
        service: the service name as listed by list_services.
        day: first day to check, YYYY-MM-DD.
        until_day: optional last day (inclusive, at most 14 days after `day`).
    """
    ctx = runtime.context
    found = resolve_service(ctx.db, tenant=ctx.tenant, name=service)
    today = ctx.now.astimezone(ctx.tz).date()
    last = until_day or day
    if last < today:
        raise PastDate("Ese día ya pasó; consultá desde hoy en adelante.")
    if last < day or (last - day).days > MAX_RANGE_DAYS:
        raise ToolArgumentError(f"El rango debe ir hacia adelante y cubrir a lo sumo "
                                f"{MAX_RANGE_DAYS} días.")
    check_weekday(ctx, day, last)
    days = []
    cursor = max(day, today)
    while cursor <= last:
        starts = free_starts(ctx.db, tenant=ctx.tenant, service=found, day=cursor, now=ctx.now)
        days.append({"date": cursor.isoformat(), "weekday": weekday_name(cursor),
                     "slots": [s.strftime("%H:%M") for s in starts]})
        cursor += timedelta(days=1)
    return ok(service=found.name, duration_minutes=found.duration_minutes, days=days)


@tool
@guarded
def book_appointment(service: str, day: date, time: time, runtime: ToolRuntime[ToolContext]) -> str:
    """Book an appointment for the customer in this conversation.

    The customer's name and phone must be saved first (save_contact_details).

    Args:
        service: the service name as listed by list_services.
        day: YYYY-MM-DD.
        time: start time HH:MM, business's local time.
    """
    ctx = runtime.context
    check_weekday(ctx, day)
    appointment = booking.book(
        ctx.db, tenant=ctx.tenant, contact=ctx.contact, service_name=service, day=day, at=time,
        now=ctx.now, conversation_id=ctx.conversation.id,
    )
    return ok(appointment=appointment_view(ctx, appointment))


@tool
@guarded
def reschedule_appointment(
    day: date, time: time, runtime: ToolRuntime[ToolContext], appointment_id: str | None = None
) -> str:
    """Move the customer's appointment to a new day and time; the old time is freed.

    Args:
        day: new day, YYYY-MM-DD.
        time: new start time HH:MM.
        appointment_id: which of the customer's appointments; omit for their next one.
    """
    ctx = runtime.context
    check_weekday(ctx, day)
    appointment = booking.reschedule(
        ctx.db, tenant=ctx.tenant, contact=ctx.contact, day=day, at=time, now=ctx.now,
        appointment_id=appointment_id,
    )
    return ok(appointment=appointment_view(ctx, appointment))


@tool
@guarded
def cancel_appointment(runtime: ToolRuntime[ToolContext], appointment_id: str | None = None) -> str:
    """Cancel one of the customer's own upcoming appointments.

    Args:
        appointment_id: which appointment; omit for their next one.
    """
    ctx = runtime.context
    appointment = booking.cancel(ctx.db, contact=ctx.contact, now=ctx.now,
                                 appointment_id=appointment_id)
    return ok(appointment=appointment_view(ctx, appointment))


def resolve(ctx: ToolContext, name: str) -> Service:
    """Exposed for callers that validate a service name before booking."""
    return resolve_service(ctx.db, tenant=ctx.tenant, name=name)
