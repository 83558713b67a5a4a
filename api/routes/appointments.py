"""Appointments as staff work them: list (by date range), book, move and cancel.

Staff book, move and cancel through the same booking service as the agent (crm.services.
booking): the same atomic slot holds, so a slot is never given twice, and the same reasons
for a refusal (a taken slot, a closed day, outside opening hours, a past time: 409 saying
which). `notify` also tells the customer, through the channel of their latest
conversation, as a staff message.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from api.deps import Actor, ChannelsDep, ChatEventsDep, CrmReader, CrmWriter, SessionDep
from api.http_errors import unprocessable
from api.paging import CalendarLimit, Offset
from api.schemas import AppointmentOut, ContactRef
from api.scoping import own_contact, visible_contacts
from api.strict_input import StrictInputRoute
from channels.staff_replies import send_staff_message
from crm.errors import NoAppointment, ToolArgumentError
from crm.models import (
    Appointment,
    AppointmentStatus,
    Channel,
    Contact,
    Conversation,
    Service,
    Tenant,
    utcnow,
)
from crm.services import booking
from crm.services.takeover import add_staff_message
from crm.weekdays import day_label

router = APIRouter(prefix="/v1", tags=["appointments"], route_class=StrictInputRoute)


class AppointmentIn(BaseModel):
    contact_id: str = Field(min_length=1, max_length=32)
    service_id: str = Field(min_length=1, max_length=32)
    start: datetime = Field(description="ISO 8601; without an offset it is the business's "
                                        "local time")
    notify: bool = Field(default=False, description="also tell the customer (their latest "
                                                    "conversation's channel)")


class AppointmentPatch(BaseModel):
    start: datetime | None = Field(default=None, description="move it here (ISO 8601)")
    status: AppointmentStatus | None = Field(default=None, description='"cancelada" cancels')
    notify: bool = False


class AppointmentCreated(AppointmentOut):
    notified: str | None = Field(default=None, description="the notice's delivery status, "
                                                           "when `notify` was asked")


def _out(db: Session, tenant: Tenant, appointment: Appointment,
         notified: str | None = None) -> AppointmentCreated:
    tz = ZoneInfo(tenant.timezone)
    contact = db.get(Contact, appointment.contact_id)
    service = db.get(Service, appointment.service_id)
    return AppointmentCreated(
        id=appointment.id, contact_id=appointment.contact_id,
        service=service.name if service else "?",
        start=appointment.start_at.astimezone(tz), end=appointment.end_at.astimezone(tz),
        status=appointment.status.value,
        contact=ContactRef(name=contact.name if contact else None,
                           phone=contact.contact_phone if contact else None),
        notified=notified)


def _local(start: datetime, tz: ZoneInfo) -> tuple[date, time]:
    local = start.replace(tzinfo=tz) if start.tzinfo is None else start.astimezone(tz)
    return local.date(), local.time().replace(second=0, microsecond=0)


def _refused(exc: ToolArgumentError) -> HTTPException:
    """A booking refusal, with the free times of that day when there are some."""
    more = f" Libres ese día: {', '.join(exc.alternatives)}." if exc.alternatives else ""
    code = status.HTTP_404_NOT_FOUND if isinstance(exc, NoAppointment) else \
        status.HTTP_409_CONFLICT
    return HTTPException(code, f"{exc.message}{more}")


@router.get("/appointments", response_model=list[AppointmentOut])
def list_appointments(db: SessionDep, actor: CrmReader,
                      status_: AppointmentStatus | None = Query(None, alias="status"),
                      from_: date | None = Query(None, alias="from", description=(
                          "first day (YYYY-MM-DD, the business's timezone)")),
                      to: date | None = Query(None, description="last day, inclusive"),
                      limit: CalendarLimit = 500,
                      offset: Offset = 0) -> list[AppointmentOut]:
    """Appointments by start time; every status unless `status`; `from`/`to` a date range."""
    tz = ZoneInfo(actor.tenant.timezone)
    query = (select(Appointment, Contact, Service)
             .join(Contact, col(Contact.id) == Appointment.contact_id)
             .join(Service, col(Service.id) == Appointment.service_id)
             .where(Appointment.tenant_id == actor.tenant_id))
    if status_ is not None:
        query = query.where(Appointment.status == status_)
    if from_ is not None:
        query = query.where(col(Appointment.start_at) >= datetime.combine(from_, time(), tz))
    if to is not None:
        query = query.where(col(Appointment.start_at)
                            < datetime.combine(to + timedelta(days=1), time(), tz))
    allowed = visible_contacts(actor, Appointment.contact_id)
    if allowed is not None:
        query = query.where(allowed)
    rows = db.exec(query.order_by(col(Appointment.start_at)).offset(offset).limit(limit)).all()
    actor.audit(db, action="appointment.list", resource_type="appointment",
                resource_ids=[a.id for a, _, _ in rows],
                details={"status": status_.value if status_ else None, "count": len(rows),
                         "from": str(from_) if from_ else None, "to": str(to) if to else None})
    db.commit()
    return [
        AppointmentOut(id=a.id, contact_id=c.id, service=s.name, start=a.start_at.astimezone(tz),
                       end=a.end_at.astimezone(tz), status=a.status.value,
                       contact=ContactRef(name=c.name, phone=c.contact_phone))
        for a, c, s in rows
    ]


@router.post("/appointments", response_model=AppointmentCreated,
             status_code=status.HTTP_201_CREATED,
             responses={409: {"description": "the slot is taken, the business is closed "
                                             "then, or the time has passed (says which)"}})
def create_appointment(body: AppointmentIn, db: SessionDep, actor: CrmWriter,
                       channels: ChannelsDep, events: ChatEventsDep) -> AppointmentCreated:
    """Book for an existing contact, through the agent's booking service."""
    contact = own_contact(db, actor, body.contact_id)
    service = db.get(Service, body.service_id)
    if service is None or service.tenant_id != actor.tenant_id or not service.active:
        raise unprocessable("service_id is not an active service of this business.",
                            loc=["body", "service_id"])
    day, at = _local(body.start, ZoneInfo(actor.tenant.timezone))
    try:
        appointment = booking.book(db, tenant=actor.tenant, contact=contact,
                                   service_name=service.name, day=day, at=at, now=utcnow(),
                                   require_contact_data=False)
    except ToolArgumentError as exc:
        db.rollback()
        raise _refused(exc) from None
    actor.audit(db, action="appointment.create", resource_type="appointment",
                resource_ids=[appointment.id], details={"notify": body.notify})
    db.commit()
    notified = _notify(db, actor, channels, events, appointment, "booked") \
        if body.notify else None
    return _out(db, actor.tenant, appointment, notified)


@router.patch("/appointments/{appointment_id}", response_model=AppointmentCreated,
              responses={409: {"description": "the new slot is taken, or closed"}})
def patch_appointment(appointment_id: str, body: AppointmentPatch, db: SessionDep,
                      actor: CrmWriter, channels: ChannelsDep,
                      events: ChatEventsDep) -> AppointmentCreated:
    """Move it (`start`) or cancel it (`status: "cancelada"`); the old slot is freed."""
    appointment = db.get(Appointment, appointment_id)
    if appointment is None or appointment.tenant_id != actor.tenant_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such appointment.")
    contact = own_contact(db, actor, appointment.contact_id)  # sellers: 404 if not theirs
    if (body.start is None) == (body.status is None):
        raise unprocessable("Give either `start` (to move it) or `status` (to cancel it).")
    if body.status is not None and body.status != AppointmentStatus.cancelada:
        raise unprocessable('Only `status: "cancelada"` can be set; move it with `start`.',
                            loc=["body", "status"])
    try:
        if body.start is not None:
            day, at = _local(body.start, ZoneInfo(actor.tenant.timezone))
            appointment = booking.reschedule(db, tenant=actor.tenant, contact=contact,
                                             day=day, at=at, now=utcnow(),
                                             appointment_id=appointment.id)
            action, what = "appointment.move", "moved"
        else:
            appointment = booking.cancel(db, contact=contact, now=utcnow(),
                                         appointment_id=appointment.id)
            action, what = "appointment.cancel", "cancelled"
    except ToolArgumentError as exc:
        db.rollback()
        raise _refused(exc) from None
    actor.audit(db, action=action, resource_type="appointment", resource_ids=[appointment.id],
                details={"notify": body.notify})
    db.commit()
    notified = _notify(db, actor, channels, events, appointment, what) if body.notify else None
    return _out(db, actor.tenant, appointment, notified)


def _notify(db: Session, actor: Actor, channels: ChannelsDep, events: ChatEventsDep,
            appointment: Appointment, what: str) -> str:
    """Tell the customer, as a staff message in their latest conversation; its status
    ("no_conversation" when they never wrote)."""
    conversation = db.exec(select(Conversation).where(
        Conversation.contact_id == appointment.contact_id)
        .order_by(col(Conversation.last_message_at).desc())).first()
    if conversation is None:
        return "no_conversation"
    service = db.get(Service, appointment.service_id)
    local = appointment.start_at.astimezone(ZoneInfo(actor.tenant.timezone))
    when = f"el {day_label(local.date())} a las {local:%H:%M}"
    name = service.name if service else "tu turno"
    text = {"booked": f"Te reservamos un turno de {name} {when}. ¡Te esperamos!",
            "moved": f"Tu turno de {name} quedó para {when}.",
            "cancelled": f"Cancelamos tu turno de {name} de {when}. Si querés otro, "
                         "escribinos."}[what]
    message = add_staff_message(db, conversation=conversation, user=actor.user, text=text)
    db.commit()
    assert message.id is not None
    if conversation.channel == Channel.web:
        events.publish(actor.tenant.slug, conversation.external_id, {
            "conversation_id": conversation.id, "reply": text, "message_id": message.id,
            "role": "staff"})
        return "sent"
    return send_staff_message(channels, conversation_id=conversation.id, message_id=message.id,
                              text=text)
