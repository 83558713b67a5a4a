"""Tools for appointments: availability, booking, rescheduling and cancelling.

Days are ISO dates (YYYY-MM-DD) and times HH:MM, both in the business's timezone.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from langchain.tools import ToolRuntime, tool
from sqlmodel import col, select

from crm.errors import NoAppointment, PastDate, ToolArgumentError
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


def appointment_ref(start: datetime | str) -> str:
    """How a tool call names one of the customer's appointments: its local start,
    "YYYY-MM-DD HH:MM" (from an aware datetime or the ISO string a tool result gave)."""
    when = datetime.fromisoformat(start) if isinstance(start, str) else start
    return f"{when:%Y-%m-%d %H:%M}"


def appointment_view(ctx: ToolContext, appointment: Appointment) -> dict[str, Any]:
    """An appointment as tools show it to the model: no id it could copy into another call
    (it refers to the customer's appointments by number or date instead)."""
    service = ctx.db.get(Service, appointment.service_id)
    tz = ZoneInfo(ctx.tenant.timezone)
    return {
        "service": service.name if service else None,
        "start": appointment.start_at.astimezone(tz).isoformat(),
        "end": appointment.end_at.astimezone(tz).isoformat(),
        "status": appointment.status.value,
    }


def _upcoming(ctx: ToolContext) -> list[Appointment]:
    """The current contact's active future appointments, soonest first (the numbering the
    prompt's note and `which` use)."""
    return list(ctx.db.exec(select(Appointment).where(
        Appointment.contact_id == ctx.contact.id, col(Appointment.status).in_(booking.ACTIVE),
        col(Appointment.start_at) > ctx.now).order_by(col(Appointment.start_at)).limit(5)))


def upcoming_views(ctx: ToolContext) -> list[dict[str, Any]]:
    """The current contact's upcoming appointments, numbered as `which` takes them."""
    return [{"number": n, **appointment_view(ctx, a)}
            for n, a in enumerate(_upcoming(ctx), start=1)]


_NEXT = {"", "null", "none", "next", "1st", "first", "proximo", "próximo", "el proximo",
         "el próximo", "primero", "el primero"}


def chosen_appointment(ctx: ToolContext, which: str | None) -> Appointment:
    """The customer's upcoming appointment `which` names: omitted or "1" for the next one,
    "2" for the one after, or its day "YYYY-MM-DD" (with " HH:MM" when two fall on that
    day). Anything else is refused with the list to choose from."""
    upcoming = _upcoming(ctx)
    if not upcoming:
        raise NoAppointment("El cliente no tiene turnos próximos para cambiar.")
    key = (which or "").strip().strip('"').lower()
    if key in _NEXT:
        return upcoming[0]
    if key.isdigit() and 1 <= int(key) <= len(upcoming):
        return upcoming[int(key) - 1]
    matches = [a for a in upcoming
               if appointment_ref(a.start_at.astimezone(ctx.tz)).startswith(key[:16])] \
        if len(key) >= 10 else []
    if len(matches) == 1:
        return matches[0]
    listed = "; ".join(f"{n}. {v['service']}, {day_label(datetime.fromisoformat(v['start']))} "
                       f"{datetime.fromisoformat(v['start']):%H:%M}"
                       for n, v in enumerate((appointment_view(ctx, a) for a in upcoming), 1))
    raise ToolArgumentError(f"No sé a qué turno se refiere which={which!r}. Turnos del "
                            f"cliente: {listed}. Pasá el número (which=\"1\") o la fecha "
                            f"(which=\"AAAA-MM-DD\").")


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
    if last < day or (last - day).days > MAX_RANGE_DAYS:
        raise ToolArgumentError(f"El rango debe ir hacia adelante y cubrir a lo sumo "
                                f"{MAX_RANGE_DAYS} días.")
    check_weekday(ctx, day, last)  # before "ya pasó": it says which date the customer meant
    if last < today:
        ahead = day + timedelta(days=7 * -(-(today - day).days // 7))  # same weekday, not past
        raise PastDate(f"Ese día ya pasó (hoy es {day_label(today)}). Llamá de nuevo con "
                       f'day="{ahead.isoformat()}" ({day_label(ahead)}) si el cliente habla '
                       f"del próximo {weekday_name(ahead)}.")
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
    day: date, time: time, runtime: ToolRuntime[ToolContext], which: str | None = None
) -> str:
    """Move one of the customer's appointments to a new day and time.

    Args:
        day: new day, YYYY-MM-DD.
        time: new start time HH:MM.
        which: its number in the customer's list ("1" = next) or its date; omit for the next.
    """
    ctx = runtime.context
    check_weekday(ctx, day)
    appointment = booking.reschedule(
        ctx.db, tenant=ctx.tenant, contact=ctx.contact, day=day, at=time, now=ctx.now,
        appointment_id=chosen_appointment(ctx, which).id,
    )
    return ok(appointment=appointment_view(ctx, appointment))


@tool
@guarded
def cancel_appointment(runtime: ToolRuntime[ToolContext], which: str | None = None) -> str:
    """Cancel one of the customer's upcoming appointments.

    Args:
        which: its number in the customer's list ("1" = next) or its date; omit for the next.
    """
    ctx = runtime.context
    appointment = booking.cancel(ctx.db, contact=ctx.contact, now=ctx.now,
                                 appointment_id=chosen_appointment(ctx, which).id)
    return ok(appointment=appointment_view(ctx, appointment))


def resolve(ctx: ToolContext, name: str) -> Service:
    """Exposed for callers that validate a service name before booking."""
    return resolve_service(ctx.db, tenant=ctx.tenant, name=name)
