"""The staff API: leads, appointments, conversations and the agent's configuration.

An admin sees the whole tenant; a seller sees only what hangs off leads assigned to them.
A row of another tenant is a 404, never a 403, so ids do not leak across tenants.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Query, Request, status
from sqlmodel import Session, col, select

from api.deps import AdminUser, CurrentUser, SessionDep, SettingsDep, TenantDep
from api.schemas import (
    AgentConfigIn,
    AgentConfigOut,
    AppointmentOut,
    ContactRef,
    ConversationOut,
    LeadOut,
    MessageOut,
    TrainingObjectionIn,
    TrainingObjectionOut,
)
from crm.models import (
    Appointment,
    AppointmentStatus,
    Contact,
    ContactPreference,
    Conversation,
    Lead,
    Role,
    Service,
    User,
    utcnow,
)
from crm.services.audit import record_event
from crm.services.conversations import transcript
from crm.services.tenants import agent_config
from crm.services.training import set_training_objection
from training_data import erase_contact

router = APIRouter(prefix="/v1", tags=["staff"])


def _seller_contact_ids(db: Session, user: User) -> set[str] | None:
    """Contacts a seller may see (None: all of the tenant's, for admins)."""
    if user.role == Role.admin:
        return None
    return set(db.exec(select(Lead.contact_id).where(Lead.tenant_id == user.tenant_id,
                                                      Lead.assigned_to == user.id)))


@router.get("/leads", response_model=list[LeadOut])
def list_leads(db: SessionDep, user: CurrentUser,
               stage: str | None = None, limit: int = Query(200, ge=1, le=1000),
               offset: int = Query(0, ge=0)) -> list[LeadOut]:
    query = (select(Lead, Contact).join(Contact, col(Contact.id) == Lead.contact_id)
             .where(Lead.tenant_id == user.tenant_id))
    if user.role != Role.admin:
        query = query.where(Lead.assigned_to == user.id)
    if stage:
        query = query.where(Lead.stage == stage)
    rows = db.exec(query.order_by(col(Lead.created_at).desc()).offset(offset).limit(limit)).all()
    emails = {u.id: u.email for u in db.exec(select(User).where(User.tenant_id == user.tenant_id))}
    return [
        LeadOut(
            id=lead.id, name=contact.name, phone=contact.phone, email=contact.email,
            source=lead.source.value, stage=lead.stage.value, assigned_to=lead.assigned_to,
            assigned_to_email=emails.get(lead.assigned_to or ""),
            temperature=lead.temperature.value, notes=lead.notes,
            utm_source=lead.utm_source, utm_medium=lead.utm_medium,
            utm_campaign=lead.utm_campaign, utm_term=lead.utm_term,
            utm_content=lead.utm_content, created_at=lead.created_at, updated_at=lead.updated_at,
        )
        for lead, contact in rows
    ]


@router.get("/appointments", response_model=list[AppointmentOut])
def list_appointments(db: SessionDep, user: CurrentUser, tenant: TenantDep,
                      status_: AppointmentStatus | None = Query(None, alias="status"),
                      limit: int = Query(500, ge=1, le=2000),
                      offset: int = Query(0, ge=0)) -> list[AppointmentOut]:
    query = (select(Appointment, Contact, Service)
             .join(Contact, col(Contact.id) == Appointment.contact_id)
             .join(Service, col(Service.id) == Appointment.service_id)
             .where(Appointment.tenant_id == user.tenant_id))
    if status_ is not None:
        query = query.where(Appointment.status == status_)
    allowed = _seller_contact_ids(db, user)
    if allowed is not None:
        query = query.where(col(Appointment.contact_id).in_(allowed))
    tz = ZoneInfo(tenant.timezone)
    rows = db.exec(query.order_by(col(Appointment.start_at)).offset(offset).limit(limit)).all()
    return [
        AppointmentOut(id=a.id, service=s.name, start=a.start_at.astimezone(tz),
                       end=a.end_at.astimezone(tz), status=a.status.value,
                       contact=ContactRef(name=c.name, phone=c.phone))
        for a, c, s in rows
    ]


@router.get("/conversations/{conversation_id}", response_model=ConversationOut)
def get_conversation(conversation_id: str, db: SessionDep, user: CurrentUser) -> ConversationOut:
    conversation = db.get(Conversation, conversation_id)
    allowed = _seller_contact_ids(db, user)
    if (conversation is None or conversation.tenant_id != user.tenant_id
            or (allowed is not None and conversation.contact_id not in allowed)):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such conversation.")
    contact = db.get(Contact, conversation.contact_id)
    messages = transcript(db, conversation_id=conversation.id)
    return ConversationOut(
        id=conversation.id, channel=conversation.channel.value,
        status=conversation.status.value, needs_human=conversation.needs_human,
        human_reason=conversation.human_reason,
        contact=ContactRef(name=contact.name if contact else None,
                           phone=contact.phone if contact else None),
        created_at=conversation.created_at, last_message_at=conversation.last_message_at,
        messages=[MessageOut(role=m.role.value, text=m.text, tool_calls=m.tool_calls,
                             tool_call_id=m.tool_call_id, tool_name=m.tool_name,
                             channel_message_id=m.channel_message_id, created_at=m.created_at)
                  for m in messages],
    )


@router.put("/contacts/{contact_id}/training-objection", response_model=TrainingObjectionOut)
def put_training_objection(contact_id: str, body: TrainingObjectionIn, db: SessionDep,
                           user: CurrentUser, settings: SettingsDep,
                           request: Request) -> TrainingObjectionOut:
    """Record whether a contact objects to the use of their conversations for training;
    an objection removes their corpus records at once. Admins: any contact of the business;
    sellers: contacts of their leads."""
    contact = db.get(Contact, contact_id)
    allowed = _seller_contact_ids(db, user)
    if (contact is None or contact.tenant_id != user.tenant_id
            or (allowed is not None and contact.id not in allowed)):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such contact.")
    set_training_objection(db, contact=contact, objected=body.objected, source="staff")
    removed = erase_contact(db, contact.id, settings=settings) if body.objected else 0
    if body.objected:
        pref_applied = db.get(ContactPreference, contact.id)
        if pref_applied is not None:
            pref_applied.applied_at = utcnow()
            db.add(pref_applied)
    record_event(db, action="contact.training_objection", actor_kind="user",
                 actor_id=user.id, tenant_id=user.tenant_id, resource_type="contact",
                 resource_ids=[contact.id],
                 details={"objected": body.objected, "records_removed": removed},
                 source=request.client.host if request.client else None)
    db.commit()
    return TrainingObjectionOut(contact_id=contact.id, objected_to_training=body.objected,
                                records_removed=removed)


def _config_out(db: Session, tenant: TenantDep) -> AgentConfigOut:
    config = agent_config(db, tenant=tenant)
    return AgentConfigOut(persona=config.persona, greeting=config.greeting,
                          enabled_tools=list(config.enabled_tools), model=config.model,
                          updated_at=config.updated_at)


@router.get("/agent-config", response_model=AgentConfigOut)
def get_agent_config(db: SessionDep, _admin: AdminUser, tenant: TenantDep) -> AgentConfigOut:
    return _config_out(db, tenant)


@router.put("/agent-config", response_model=AgentConfigOut)
def put_agent_config(body: AgentConfigIn, db: SessionDep, _admin: AdminUser,
                     tenant: TenantDep) -> AgentConfigOut:
    """Change the agent's persona, greeting, enabled tools or model (fields left out stay)."""
    config = agent_config(db, tenant=tenant)
    for key, value in body.model_dump(exclude_unset=True).items():
        if value is not None or key == "model":
            setattr(config, key, value)
    config.updated_at = utcnow()
    db.add(config)
    db.commit()
    return _config_out(db, tenant)
