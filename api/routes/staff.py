"""The staff API: leads, contacts, appointments, conversations and the agent's configuration.

Admins (and operators) see the whole business; a seller sees only the leads assigned to
them and what hangs off them (api.scoping). A row of another business, or one a seller may
not see, is a 404. Every read of personal data is written to the audit log (who, which
ids, from where; never the values).
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query, status
from sqlmodel import Session, col, select

from api.deps import Actor, ConfigWriter, CrmReader, CrmWriter, SessionDep, SettingsDep
from api.http_errors import unprocessable
from api.paging import Limit, Offset
from api.schemas import (
    AgentConfigIn,
    AgentConfigOut,
    ContactOut,
    ContactPatch,
    ContactRef,
    ConversationOut,
    ConversationSummary,
    LeadIn,
    LeadOut,
    LeadPatch,
    LinkIn,
    MessageOut,
    SharedValue,
    TrainingObjectionIn,
    TrainingObjectionOut,
)
from api.scoping import (
    own_contact,
    own_conversation,
    own_lead,
    visible_contact_ids,
    visible_contacts,
)
from api.strict_input import StrictInputRoute
from crm.errors import Conflict, InvalidEmail, InvalidPhone
from crm.models import (
    Contact,
    ContactPreference,
    Conversation,
    Lead,
    LeadSource,
    LeadStage,
    Role,
    Tenant,
    User,
    utcnow,
)
from crm.services.contacts import merge_contacts, rectify_contact, shared_values
from crm.services.conversations import transcript
from crm.services.leads import add_manual_lead, matching
from crm.services.privacy import consents_of
from crm.services.tenants import agent_config
from crm.services.training import set_training_objection
from training_data import erase_contact

router = APIRouter(prefix="/v1", tags=["staff"], route_class=StrictInputRoute)


def _lead_out(lead: Lead, contact: Contact, emails: dict[str, str]) -> LeadOut:
    return LeadOut(
        id=lead.id, contact_id=contact.id, name=contact.name, phone=contact.contact_phone,
        email=contact.contact_email, source=lead.source.value, stage=lead.stage.value,
        assigned_to=lead.assigned_to, assigned_to_email=emails.get(lead.assigned_to or ""),
        temperature=lead.temperature.value, notes=lead.notes,
        utm_source=lead.utm_source, utm_medium=lead.utm_medium,
        utm_campaign=lead.utm_campaign, utm_term=lead.utm_term,
        utm_content=lead.utm_content, created_at=lead.created_at, updated_at=lead.updated_at,
    )


def _staff_emails(db: Session, tenant_id: str) -> dict[str, str]:
    return {u.id: u.email for u in db.exec(select(User).where(User.tenant_id == tenant_id))}


@router.get("/leads", response_model=list[LeadOut])
def list_leads(db: SessionDep, actor: CrmReader,
               stage: LeadStage | None = None,
               q: str | None = Query(None, max_length=100, description=(
                   "search: part of the name, email or phone (digits)")),
               source: LeadSource | None = None,
               assigned_to: str | None = Query(None, max_length=32, description=(
                   "a seller's user id (admins)")),
               limit: Limit = 200, offset: Offset = 0) -> list[LeadOut]:
    query = (select(Lead, Contact).join(Contact, col(Contact.id) == Lead.contact_id)
             .where(Lead.tenant_id == actor.tenant_id))
    if not actor.sees_every_lead:
        query = query.where(Lead.assigned_to == actor.user.id)
    elif assigned_to:
        query = query.where(Lead.assigned_to == assigned_to)
    if stage:
        query = query.where(Lead.stage == stage)
    if source is not None:
        query = query.where(Lead.source == source)
    if q and q.strip():
        query = query.where(matching(q))
    rows = db.exec(query.order_by(col(Lead.created_at).desc()).offset(offset).limit(limit)).all()
    emails = _staff_emails(db, actor.tenant_id)
    actor.audit(db, action="lead.list", resource_type="lead",
                resource_ids=[lead.id for lead, _ in rows],
                details={"stage": stage.value if stage else None, "count": len(rows),
                         "offset": offset, "search": bool(q),
                         "source": source.value if source else None})
    db.commit()
    return [_lead_out(lead, contact, emails) for lead, contact in rows]


@router.post("/leads", response_model=LeadOut, status_code=status.HTTP_201_CREATED)
def create_lead(body: LeadIn, db: SessionDep, actor: CrmWriter) -> LeadOut:
    """Add a lead by hand (source `manual`): a walk-in, a phone call. A phone or email that
    a contact already has finds that contact (staff know who they talk to); a seller's
    lead is theirs."""
    assigned = body.assigned_to if actor.sees_every_lead else actor.user.id
    if assigned is not None and actor.sees_every_lead:
        seller = db.get(User, assigned)
        if seller is None or seller.tenant_id != actor.tenant_id \
                or seller.role != Role.seller or not seller.active:
            raise unprocessable("assigned_to must be an active seller of this business.",
                                loc=["body", "assigned_to"])
    try:
        lead = add_manual_lead(db, tenant=actor.tenant, name=body.name, phone=body.phone,
                               email=body.email, notes=body.notes, assigned_to=assigned)
    except (InvalidPhone, InvalidEmail) as exc:
        db.rollback()
        field = "phone" if isinstance(exc, InvalidPhone) else "email"
        raise unprocessable(exc.message, loc=["body", field]) from None
    actor.audit(db, action="lead.create", resource_type="lead", resource_ids=[lead.id],
                details={"source": "manual"})
    db.commit()
    contact = db.get(Contact, lead.contact_id)
    assert contact is not None
    return _lead_out(lead, contact, _staff_emails(db, actor.tenant_id))


@router.get("/leads/{lead_id}", response_model=LeadOut)
def get_lead(lead_id: str, db: SessionDep, actor: CrmReader) -> LeadOut:
    lead = own_lead(db, actor, lead_id)
    contact = db.get(Contact, lead.contact_id)
    assert contact is not None  # FK
    actor.audit(db, action="lead.read", resource_type="lead", resource_ids=[lead.id])
    db.commit()
    return _lead_out(lead, contact, _staff_emails(db, actor.tenant_id))


@router.patch("/leads/{lead_id}", response_model=LeadOut)
def patch_lead(lead_id: str, body: LeadPatch, db: SessionDep, actor: CrmWriter) -> LeadOut:
    """Work a lead: stage, temperature, notes; admins also (re)assign it (`assigned_to`, a
    seller's user id, or null)."""
    lead = own_lead(db, actor, lead_id)
    changes = body.model_dump(exclude_unset=True)
    if "assigned_to" in changes:
        if not actor.sees_every_lead:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "Only admins reassign leads.")
        seller = db.get(User, changes["assigned_to"]) if changes["assigned_to"] else None
        if changes["assigned_to"] and (seller is None or seller.tenant_id != actor.tenant_id
                                       or seller.role != Role.seller or not seller.active):
            raise unprocessable("assigned_to must be the id of an active seller of this "
                                "business (GET /v1/users), or null.",
                                loc=("body", "assigned_to"))
    for key, value in changes.items():
        if value is not None or key in ("notes", "assigned_to"):
            setattr(lead, key, value)
    lead.updated_at = utcnow()
    db.add(lead)
    actor.audit(db, action="lead.update", resource_type="lead", resource_ids=[lead.id],
                details={"fields": sorted(changes)})
    db.commit()
    contact = db.get(Contact, lead.contact_id)
    assert contact is not None
    return _lead_out(lead, contact, _staff_emails(db, actor.tenant_id))


def _contact_out(db: Session, actor: Actor, contact: Contact) -> ContactOut:
    pref = db.get(ContactPreference, contact.id)
    consents = {c.purpose.value: c.granted for c in consents_of(db, contact_id=contact.id)}
    visible = visible_contact_ids(db, actor)
    same_as = [SharedValue(field=field, contact_id=other.id,
                           name=other.name if visible is None or other.id in visible else None)
               for field, other in shared_values(db, contact=contact)]
    return ContactOut(
        id=contact.id, name=contact.name, phone=contact.phone, email=contact.email,
        phone_verified=contact.phone_verified, email_verified=contact.email_verified,
        claimed_phone=contact.claimed_phone, claimed_email=contact.claimed_email,
        same_as=same_as, created_at=contact.created_at, updated_at=contact.updated_at,
        objected_to_training=bool(pref and pref.objected_to_training),
        processing_restricted=bool(pref and pref.processing_restricted),
        minor_flagged=bool(pref and pref.minor_flagged_at),
        consents=consents,
        lead_ids=list(db.exec(select(Lead.id).where(Lead.contact_id == contact.id))),
        conversation_ids=list(db.exec(select(Conversation.id)
                                      .where(Conversation.contact_id == contact.id))),
    )


@router.get("/contacts/{contact_id}", response_model=ContactOut)
def get_contact(contact_id: str, db: SessionDep, actor: CrmReader) -> ContactOut:
    contact = own_contact(db, actor, contact_id)
    actor.audit(db, action="contact.read", resource_type="contact", resource_ids=[contact.id])
    db.commit()
    return _contact_out(db, actor, contact)


@router.patch("/contacts/{contact_id}", response_model=ContactOut)
def patch_contact(contact_id: str, body: ContactPatch, db: SessionDep,
                  actor: CrmWriter) -> ContactOut:
    """Correct a contact's name, phone or email ("" clears one). The old value is
    overwritten; a phone or email of another contact is a 409."""
    contact = own_contact(db, actor, contact_id)
    try:
        changed = rectify_contact(db, tenant=actor.tenant, contact=contact,
                                  **body.model_dump(exclude_unset=True))
    except (InvalidPhone, InvalidEmail) as exc:
        db.rollback()
        field = "phone" if isinstance(exc, InvalidPhone) else "email"
        raise unprocessable(exc.message, loc=("body", field)) from None
    except Conflict as exc:
        db.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    actor.audit(db, action="contact.update", resource_type="contact",
                resource_ids=[contact.id], details={"fields": changed})
    db.commit()
    return _contact_out(db, actor, contact)


@router.get("/conversations", response_model=list[ConversationSummary])
def list_conversations(db: SessionDep, actor: CrmReader, needs_human: bool | None = None,
                       limit: Limit = 100,
                       offset: Offset = 0) -> list[ConversationSummary]:
    """Conversations, most recent first (no messages; `GET /v1/conversations/{id}` has them)."""
    query = select(Conversation).where(Conversation.tenant_id == actor.tenant_id)
    if needs_human is not None:
        query = query.where(Conversation.needs_human == needs_human)
    allowed = visible_contacts(actor, Conversation.contact_id)
    if allowed is not None:
        query = query.where(allowed)
    rows = db.exec(query.order_by(col(Conversation.last_message_at).desc())
                   .offset(offset).limit(limit)).all()
    actor.audit(db, action="conversation.list", resource_type="conversation",
                resource_ids=[c.id for c in rows], details={"count": len(rows)})
    db.commit()
    return [ConversationSummary.model_validate(c, from_attributes=True) for c in rows]


@router.get("/conversations/{conversation_id}", response_model=ConversationOut)
def get_conversation(conversation_id: str, db: SessionDep, actor: CrmReader) -> ConversationOut:
    conversation = own_conversation(db, actor, conversation_id)
    contact = db.get(Contact, conversation.contact_id)
    messages = transcript(db, conversation_id=conversation.id)
    actor.audit(db, action="conversation.read", resource_type="conversation",
                resource_ids=[conversation.id], details={"messages": len(messages)})
    db.commit()
    return ConversationOut(
        id=conversation.id, contact_id=conversation.contact_id,
        channel=conversation.channel.value,
        status=conversation.status.value, needs_human=conversation.needs_human,
        human_reason=conversation.human_reason, held_by=conversation.held_by,
        contact=ContactRef(name=contact.name if contact else None,
                           phone=contact.contact_phone if contact else None),
        created_at=conversation.created_at, last_message_at=conversation.last_message_at,
        messages=[MessageOut.model_validate(m, from_attributes=True) for m in messages],
    )


@router.post("/conversations/{conversation_id}/link", response_model=ContactOut)
def link_conversation(conversation_id: str, body: LinkIn, db: SessionDep,
                      actor: CrmWriter) -> ContactOut:
    """Staff vouch that this conversation's person is the contact `contact_id`: the
    conversation's contact (its channel identities, conversations, leads and
    appointments) is merged into it. What a one-time code does for the person themselves;
    use it for "same phone as ..." contacts that are one person. Returns the contact."""
    conversation = own_conversation(db, actor, conversation_id)
    target = own_contact(db, actor, body.contact_id)
    source = db.get(Contact, conversation.contact_id)
    assert source is not None  # FK
    if source.id != target.id:
        merge_contacts(db, keep=target, drop=source)
    actor.audit(db, action="contact.link", resource_type="contact",
                resource_ids=[target.id, source.id],
                details={"conversation_id": conversation.id})
    db.commit()
    return _contact_out(db, actor, target)


@router.put("/contacts/{contact_id}/training-objection", response_model=TrainingObjectionOut)
def put_training_objection(contact_id: str, body: TrainingObjectionIn, db: SessionDep,
                           actor: CrmWriter, settings: SettingsDep) -> TrainingObjectionOut:
    """Record whether a contact objects to the use of their conversations for training;
    an objection removes their corpus records at once. Admins: any contact of the business;
    sellers: contacts of their leads."""
    contact = own_contact(db, actor, contact_id)
    set_training_objection(db, contact=contact, objected=body.objected, source="staff")
    removed = erase_contact(db, contact.id, settings=settings) if body.objected else 0
    if body.objected:
        pref_applied = db.get(ContactPreference, contact.id)
        if pref_applied is not None:
            pref_applied.applied_at = utcnow()
            db.add(pref_applied)
    actor.audit(db, action="contact.training_objection", resource_type="contact",
                resource_ids=[contact.id],
                details={"objected": body.objected, "records_removed": removed})
    db.commit()
    return TrainingObjectionOut(contact_id=contact.id, objected_to_training=body.objected,
                                records_removed=removed)


def _config_out(db: Session, tenant: Tenant) -> AgentConfigOut:
    config = agent_config(db, tenant=tenant)
    return AgentConfigOut(persona=config.persona, greeting=config.greeting,
                          enabled_tools=list(config.enabled_tools), model=config.model,
                          updated_at=config.updated_at)


@router.get("/agent-config", response_model=AgentConfigOut)
def get_agent_config(db: SessionDep, actor: ConfigWriter) -> AgentConfigOut:
    return _config_out(db, actor.tenant)


@router.put("/agent-config", response_model=AgentConfigOut)
def put_agent_config(body: AgentConfigIn, db: SessionDep, actor: ConfigWriter) -> AgentConfigOut:
    """Change the agent's persona, greeting, enabled tools or model (fields left out stay)."""
    config = agent_config(db, tenant=actor.tenant)
    changes = body.model_dump(exclude_unset=True)
    for key, value in changes.items():
        if value is not None or key == "model":
            setattr(config, key, value)
    config.updated_at = utcnow()
    db.add(config)
    actor.audit(db, action="agent_config.update", resource_type="agent_config",
                resource_ids=[config.id], details={"fields": sorted(changes)})
    db.commit()
    return _config_out(db, actor.tenant)
