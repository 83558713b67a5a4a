"""Staff work a conversation: take it over, reply, hand it back, delete it (and contacts).

While a person of the staff holds a conversation the agent stays silent (inbound messages
are stored and shown). A staff reply goes out through the conversation's own channel: to
the open web chat page (events stream, both modes), or through Meta with the agent's rules
(channels.staff_replies). Replying takes the conversation over when nobody holds it.
Deleting a conversation or a contact goes through the erasure machinery. Every action is
audited with who did it.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field, field_validator
from sqlmodel import Session

from api.deps import (
    Actor,
    ChannelsDep,
    ChatEventsDep,
    CrmWriter,
    PrivacyDep,
    PrivacyManager,
    SessionDep,
)
from api.schemas import MAX_TEXT, ConversationSummary
from api.scoping import own_contact, own_conversation
from api.strict_input import StrictInputRoute
from channels.staff_replies import send_staff_message, window_state
from crm.models import Channel, Conversation, Tenant, utcnow
from crm.services.takeover import add_staff_message, hand_back, take_over
from crm.text import storable
from privacy.conversation_erasure import erase_conversation
from privacy.erasure import erase_contacts

router = APIRouter(prefix="/v1", tags=["inbox"], route_class=StrictInputRoute)


class StaffMessageIn(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    template: bool = Field(default=False, description=(
        "WhatsApp, outside the 24-hour window: send the business's approved template "
        "instead (free text cannot go then)"))

    @field_validator("text", mode="before")
    @classmethod
    def _storable(cls, value: object) -> object:
        return storable(value) if isinstance(value, str) else value

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text must not be blank")
        return value


class StaffMessageOut(BaseModel):
    id: int
    status: str = Field(description='"sent"; "template_sent" (the window was closed: the '
                                    'template went); "not_sent" (the channel is gone); '
                                    '"failed" (Meta refused it or did not answer)')


def summary(conversation: Conversation) -> ConversationSummary:
    return ConversationSummary.model_validate(conversation, from_attributes=True)


@router.post("/conversations/{conversation_id}/takeover", response_model=ConversationSummary)
def takeover(conversation_id: str, db: SessionDep, actor: CrmWriter) -> ConversationSummary:
    """Pause the agent in this conversation: the caller holds it until handing it back (or
    `MOSTRADOR_TAKEOVER_IDLE_HOURS` without staff activity in it)."""
    conversation = own_conversation(db, actor, conversation_id)
    take_over(db, conversation=conversation, user=actor.user)
    actor.audit(db, action="conversation.takeover", resource_type="conversation",
                resource_ids=[conversation.id])
    db.commit()
    return summary(conversation)


@router.post("/conversations/{conversation_id}/release", response_model=ConversationSummary)
def release(conversation_id: str, db: SessionDep, actor: CrmWriter) -> ConversationSummary:
    """Hand the conversation back to the agent: it answers the customer's next message."""
    conversation = own_conversation(db, actor, conversation_id)
    hand_back(db, conversation=conversation)
    actor.audit(db, action="conversation.release", resource_type="conversation",
                resource_ids=[conversation.id])
    db.commit()
    return summary(conversation)


@router.post("/conversations/{conversation_id}/messages", response_model=StaffMessageOut,
             status_code=status.HTTP_201_CREATED,
             responses={409: {"description": "WhatsApp's 24-hour window is closed: only the "
                                             "template can go (`template: true`), if any"}})
def reply(conversation_id: str, body: StaffMessageIn, db: SessionDep, actor: CrmWriter,
          channels: ChannelsDep, events: ChatEventsDep) -> StaffMessageOut:
    """Reply as a person of the business, through the conversation's own channel. The
    reply is stored (role `staff`), audited and delivered; see `status`."""
    conversation = own_conversation(db, actor, conversation_id)
    if conversation.channel != Channel.web:
        state = window_state(channels, db, conversation)
        if state.connection is not None and not state.open:
            if not body.template:
                raise HTTPException(status.HTTP_409_CONFLICT, (
                    "The customer wrote more than 24 hours ago: WhatsApp and Meta accept "
                    "only an approved template now. Send it with `template: true`, or wait "
                    "until the customer writes again." if state.has_template else
                    "The customer wrote more than 24 hours ago and this business has no "
                    "approved template: nothing can be sent until the customer writes "
                    "again."))
            if not state.has_template:
                raise HTTPException(status.HTTP_409_CONFLICT,
                                    "This business has no approved WhatsApp template.")
    if conversation.held_by is None:
        take_over(db, conversation=conversation, user=actor.user)
    message = add_staff_message(db, conversation=conversation, user=actor.user, text=body.text)
    actor.audit(db, action="conversation.reply", resource_type="conversation",
                resource_ids=[conversation.id],
                details={"channel": conversation.channel.value, "template": body.template})
    db.commit()
    assert message.id is not None
    if conversation.channel == Channel.web:
        tenant = db.get(Tenant, conversation.tenant_id)
        assert tenant is not None  # FK
        events.publish(tenant.slug, conversation.external_id, {
            "conversation_id": conversation.id, "reply": message.text,
            "message_id": message.id, "role": "staff"})
        outcome = "sent"
    else:
        db.close()  # the Graph calls take their time: hold no connection meanwhile
        outcome = send_staff_message(channels, conversation_id=conversation.id,
                                     message_id=message.id, text=message.text)
    return StaffMessageOut(id=message.id, status=outcome)


@router.delete("/conversations/{conversation_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_conversation(conversation_id: str, db: SessionDep, actor: PrivacyManager,
                        privacy: PrivacyDep) -> None:
    """Delete the conversation and everything of it (messages, raw copies, corpus record,
    queue state); the contact, its leads and appointments stay."""
    conversation = own_conversation(db, actor, conversation_id)
    _erase_audited(db, actor, "conversation.delete", "conversation", conversation.id)
    report = erase_conversation(privacy, tenant_id=actor.tenant_id,
                                conversation_id=conversation.id,
                                request_id=f"staff:{utcnow():%Y%m%d%H%M%S}")
    actor.audit(db, action="conversation.deleted", resource_type="conversation",
                resource_ids=[conversation_id], details=report.as_dict())
    db.commit()


@router.delete("/contacts/{contact_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_contact(contact_id: str, db: SessionDep, actor: PrivacyManager,
                   privacy: PrivacyDep) -> None:
    """Erase the contact everywhere (as an erasure request does, with tombstones)."""
    contact = own_contact(db, actor, contact_id)
    request_id = f"staff:{utcnow():%Y%m%d%H%M%S}"
    _erase_audited(db, actor, "contact.delete", "contact", contact.id)
    report = erase_contacts(privacy, tenant_id=actor.tenant_id, contact_ids=[contact.id],
                            request_id=request_id)
    actor.audit(db, action="contact.deleted", resource_type="contact",
                resource_ids=[contact_id], details=report.as_dict())
    db.commit()


def _erase_audited(db: Session, actor: Actor, action: str, kind: str, row_id: str) -> None:
    """The intent goes on record before anything is deleted (a crash midway leaves it)."""
    actor.audit(db, action=action, resource_type=kind, resource_ids=[row_id])
    db.commit()
