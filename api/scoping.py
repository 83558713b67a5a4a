"""What a staff member may see: admins and operators the whole business, sellers only the
leads assigned to them and what hangs off those leads (their contacts, and the contacts'
appointments and conversations).

A row of another business, or one a seller may not see, is a 404 — never a 403 — so ids
do not reveal what exists.
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, status
from sqlmodel import Session, col, select

from api.deps import Actor
from crm.models import Contact, Conversation, Lead


def visible_contact_ids(db: Session, actor: Actor) -> set[str] | None:
    """Contacts the actor may see; None means every contact of the business."""
    if actor.sees_every_lead:
        return None
    return set(db.exec(select(Lead.contact_id).where(Lead.tenant_id == actor.tenant_id,
                                                      Lead.assigned_to == actor.user.id)))


def visible_contacts(actor: Actor, column: Any) -> Any | None:
    """A WHERE condition keeping rows whose `column` (a contact id) the actor may see, as a
    subquery — a seller with thousands of leads does not become thousands of parameters;
    None when the actor sees every contact."""
    if actor.sees_every_lead:
        return None
    mine = select(Lead.contact_id).where(Lead.tenant_id == actor.tenant_id,
                                         Lead.assigned_to == actor.user.id)
    return col(column).in_(mine)


def may_see_contact(db: Session, actor: Actor, contact_id: str) -> bool:
    allowed = visible_contact_ids(db, actor)
    return allowed is None or contact_id in allowed


def own_lead(db: Session, actor: Actor, lead_id: str) -> Lead:
    lead = db.get(Lead, lead_id)
    if (lead is None or lead.tenant_id != actor.tenant_id
            or (not actor.sees_every_lead and lead.assigned_to != actor.user.id)):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such lead.")
    return lead


def own_contact(db: Session, actor: Actor, contact_id: str) -> Contact:
    contact = db.get(Contact, contact_id)
    if (contact is None or contact.tenant_id != actor.tenant_id
            or not may_see_contact(db, actor, contact.id)):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such contact.")
    return contact


def own_conversation(db: Session, actor: Actor, conversation_id: str) -> Conversation:
    conversation = db.get(Conversation, conversation_id)
    if (conversation is None or conversation.tenant_id != actor.tenant_id
            or not may_see_contact(db, actor, conversation.contact_id)):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such conversation.")
    return conversation
