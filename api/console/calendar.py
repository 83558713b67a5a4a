"""The appointments calendar: a day or a week in the business's timezone; book (for a
contact of the business or a new one), move and cancel.

Booking, moving and cancelling call the staff API's route functions (api.routes.
appointments), which use the agent's booking service: the same atomic slot holds and the
same refusals (a taken slot, a closed day, outside hours, a past time), shown in the form.
A new contact is added as a manual lead (POST /v1/leads), so a seller who books for a
walk-in keeps seeing her.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, col, select

from api.console.deps import Console, ConsoleDep
from api.console.inbox import require
from api.console.messages import t
from api.console.pages import back_to, page, reason, refusal
from api.deps import ChannelsDep, ChatEventsDep, SessionDep
from api.routes import appointments as appointments_api
from api.routes import staff as staff_api
from api.schemas import LeadIn
from api.scoping import own_contact, visible_contacts
from api.strict_input import StrictInputRoute
from crm.models import AppointmentStatus, Contact, Scope, utcnow
from crm.services.availability import opening_intervals
from crm.services.catalogue import active_services
from crm.services.leads import matching

router = APIRouter(prefix="/console", include_in_schema=False, route_class=StrictInputRoute)

CHOICES = 10  # contacts offered when a search matches several
DONE = frozenset({"booked", "moved", "cancelled"})
Text = Annotated[str, Form(max_length=200)]


@router.get("/appointments", response_class=HTMLResponse)
def calendar(request: Request, console: ConsoleDep, db: SessionDep,
             view: str = Query("day", pattern="^(day|week)$"),
             day: str | None = Query(None, max_length=10),
             done: str | None = Query(None, max_length=20),
             contact: str | None = Query(None, max_length=32)) -> HTMLResponse:
    """`contact`: the booking form is for that contact (from their page)."""
    shown = _day(day, console) or _today(console)
    try:
        chosen = own_contact(db, console.actor, contact) if contact else None
    except HTTPException as exc:
        return refusal(request, console, exc)
    return _page(request, console, db, view=view, day=shown, chosen=chosen,
                 done=done if done in DONE else None)


def _today(console: Console) -> date:
    return utcnow().astimezone(ZoneInfo(console.staff.tenant.timezone)).date()


def _day(value: str | None, console: Console) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _page(request: Request, console: Console, db: Session, *, view: str, day: date,
          status_code: int = 200, **extra: Any) -> HTMLResponse:
    first = day - timedelta(days=day.weekday()) if view == "week" else day
    days = [first + timedelta(days=n) for n in range(7 if view == "week" else 1)]
    listed = appointments_api.list_appointments(
        db, console.actor, status_=None, from_=days[0], to=days[-1], limit=500, offset=0)
    tenant = console.staff.tenant
    columns = [{"day": d, "hours": opening_intervals(tenant, d),
                "items": [a for a in listed if a.start.date() == d]} for d in days]
    step = timedelta(days=7 if view == "week" else 1)
    return page(request, console, "appointments.html", status_code=status_code,
                section="appointments", view=view, day=day, columns=columns,
                previous=day - step, next=day + step, today=_today(console),
                services=active_services(db, tenant=tenant), **extra)


def _when(day: str, at: str, lang: str) -> datetime:
    """The local date and time of a form; ValueError with the sentence to show."""
    try:
        return datetime.combine(date.fromisoformat(day), time.fromisoformat(at))
    except ValueError:
        raise ValueError(t("appointments.bad_time", lang)) from None


@router.post("/appointments")
def book(request: Request, console: ConsoleDep, db: SessionDep, channels: ChannelsDep,
         events: ChatEventsDep, service_id: Text = "", day: Text = "", at: Text = "",
         contact_id: Text = "", contact_query: Text = "", new_name: Text = "",
         new_phone: Text = "", notify: Text = "", view: Text = "day") -> Response:
    """Book: for the contact chosen, the one a search finds, or a new one."""
    require(console, Scope.crm_write)
    lang, view = console.lang, view if view in ("day", "week") else "day"
    form = {"service_id": service_id, "day": day, "at": at, "contact_query": contact_query,
            "new_name": new_name, "new_phone": new_phone, "notify": notify == "on"}
    shown = _day(day, console) or _today(console)

    def again(message: str, code: int, **extra: Any) -> HTMLResponse:
        db.rollback()
        return _page(request, console, db, view=view, day=shown, status_code=code,
                     form_error=message, form=form, **extra)

    try:
        start = _when(day, at, lang)
    except ValueError as exc:
        return again(str(exc), status.HTTP_422_UNPROCESSABLE_CONTENT)
    if not contact_id and contact_query.strip():
        found = _search(db, console, contact_query)
        if not found:
            return again(t("appointments.no_match", lang), status.HTTP_422_UNPROCESSABLE_CONTENT)
        if len(found) > 1:
            return again(t("appointments.choose", lang), status.HTTP_409_CONFLICT,
                         choices=found)
        contact_id = found[0].id
    if not contact_id:
        if not new_name.strip():
            return again(t("appointments.who", lang), status.HTTP_422_UNPROCESSABLE_CONTENT)
        try:
            lead = staff_api.create_lead(LeadIn(name=new_name.strip(),
                                                phone=new_phone.strip() or None),
                                         db, console.actor)
        except (HTTPException, ValidationError) as exc:
            return again(reason(exc, lang), status.HTTP_422_UNPROCESSABLE_CONTENT)
        contact_id = lead.contact_id
    form["contact_id"] = contact_id  # a retry books for the same person
    try:
        body = appointments_api.AppointmentIn(contact_id=contact_id, service_id=service_id,
                                              start=start, notify=notify == "on")
        booked = appointments_api.create_appointment(body, db, console.actor, channels,
                                                     events)
    except (HTTPException, ValidationError) as exc:
        code = exc.status_code if isinstance(exc, HTTPException) \
            else status.HTTP_422_UNPROCESSABLE_CONTENT
        return again(_for_staff(reason(exc, lang)), code, chosen=db.get(Contact, contact_id))
    return back_to(f"/console/appointments?view={view}&day={booked.start.date()}", "booked")


# The booking service words its refusals for the agent, which gets the free times in a
# separate field; the API route appends them to the sentence ("Libres ese día: ...").
_FOR_THE_MODEL = " Horarios libres más cercanos en alternatives."


def _for_staff(message: str) -> str:
    return message.replace(_FOR_THE_MODEL, "")


def _search(db: Session, console: Console, text: str) -> list[Contact]:
    query = select(Contact).where(Contact.tenant_id == console.actor.tenant_id,
                                  matching(text))
    allowed = visible_contacts(console.actor, Contact.id)
    if allowed is not None:
        query = query.where(allowed)
    return list(db.exec(query.order_by(col(Contact.name)).limit(CHOICES)))


@router.post("/appointments/{appointment_id}/move")
def move(request: Request, appointment_id: str, console: ConsoleDep, db: SessionDep,
         channels: ChannelsDep, events: ChatEventsDep, day: Text = "", at: Text = "",
         notify: Text = "", view: Text = "day", shown: Text = "") -> Response:
    return _change(request, console, db, channels, events, appointment_id, view=view,
                   shown=shown, notify=notify == "on", move_to=(day, at))


@router.post("/appointments/{appointment_id}/cancel")
def cancel(request: Request, appointment_id: str, console: ConsoleDep, db: SessionDep,
           channels: ChannelsDep, events: ChatEventsDep, notify: Text = "",
           view: Text = "day", shown: Text = "") -> Response:
    return _change(request, console, db, channels, events, appointment_id, view=view,
                   shown=shown, notify=notify == "on", move_to=None)


def _change(request: Request, console: Console, db: Session, channels: ChannelsDep,
            events: ChatEventsDep, appointment_id: str, *, view: str, shown: str,
            notify: bool, move_to: tuple[str, str] | None) -> Response:
    """Move (to `move_to`, a local date and time) or cancel; a refusal shows beside that
    appointment, on the day that was shown."""
    require(console, Scope.crm_write)
    view = view if view in ("day", "week") else "day"
    day = _day(shown, console) or _today(console)
    try:
        if move_to is not None:
            start = _when(*move_to, console.lang)
            patch = appointments_api.AppointmentPatch(start=start, notify=notify)
        else:
            patch = appointments_api.AppointmentPatch(status=AppointmentStatus.cancelada,
                                                      notify=notify)
        changed = appointments_api.patch_appointment(appointment_id, patch, db,
                                                     console.actor, channels, events)
    except (HTTPException, ValidationError, ValueError) as exc:
        db.rollback()
        message = str(exc) if isinstance(exc, ValueError) and not isinstance(
            exc, ValidationError) else reason(exc, console.lang)  # type: ignore[arg-type]
        code = exc.status_code if isinstance(exc, HTTPException) \
            else status.HTTP_422_UNPROCESSABLE_CONTENT
        return _page(request, console, db, view=view, day=day, status_code=code,
                     item_error=_for_staff(message), item_id=appointment_id)
    done = "moved" if move_to is not None else "cancelled"
    target = changed.start.date() if move_to is not None else day
    return back_to(f"/console/appointments?view={view}&day={target}", done)
