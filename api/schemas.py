"""Request and response bodies of the HTTP API (the public shapes; tables never leak)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, field_validator

from crm.models import ALL_TOOLS, LeadStage, Temperature
from crm.text import storable

MAX_TEXT = 4000
# A web chat session id is the secret that opens a conversation's history: server-issued
# ids carry 192 bits; ids chosen by a client must be at least 22 URL-safe characters.
SESSION_ID_PATTERN = r"^[A-Za-z0-9_-]{22,128}$"


class ChatIn(BaseModel):
    session_id: str = Field(min_length=22, max_length=128, pattern=SESSION_ID_PATTERN,
                            description="from POST /v1/chat/{slug}/sessions, or at least 22 "
                                        "URL-safe characters chosen by the client")
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    utm: dict[str, str] | None = Field(
        default=None, description="utm_* parameters of the page URL; kept on the lead"
    )

    @field_validator("text", mode="before")
    @classmethod
    def _storable(cls, value: object) -> object:
        # NUL and lone surrogates (JSON escapes allow them) are replaced, so the message is
        # stored and answered rather than refused (crm.text).
        return storable(value) if isinstance(value, str) else value

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text must not be blank")
        return value

    @field_validator("utm")
    @classmethod
    def _only_utm(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        if value is None:
            return None
        return {storable(k): storable(v[:200]) for k, v in value.items()
                if k.startswith("utm_") and v}


class ChatOut(BaseModel):
    conversation_id: str
    reply: str | None = Field(description="null while a person of the business holds the "
                                          "conversation: their reply comes by the events "
                                          "stream and the history")


class ChatSessionOut(BaseModel):
    session_id: str


class ChatMessageOut(BaseModel):
    role: str = Field(description='"user", "assistant" or "staff"')
    text: str
    at: datetime


class ChatConfigOut(BaseModel):
    """What the widget shows before the first message."""

    name: str
    greeting: str
    privacy_notice_url: str = Field(description="the business's privacy notice (Mostrador's "
                                                "generated one when the business set none)")


class ContactRef(BaseModel):
    name: str | None
    phone: str | None


class LeadOut(BaseModel):
    id: str
    contact_id: str
    name: str | None
    phone: str | None
    email: str | None
    source: str
    stage: str
    assigned_to: str | None
    assigned_to_email: str | None
    temperature: str
    notes: str | None
    utm_source: str | None
    utm_medium: str | None
    utm_campaign: str | None
    utm_term: str | None
    utm_content: str | None
    created_at: datetime
    updated_at: datetime


class AppointmentOut(BaseModel):
    id: str
    contact_id: str
    service: str
    start: datetime
    end: datetime
    status: str
    contact: ContactRef


class MessageOut(BaseModel):
    role: str
    text: str
    author_id: str | None = Field(default=None, description="staff messages: who wrote it")
    tool_calls: list[dict[str, object]] | None
    tool_call_id: str | None
    tool_name: str | None
    channel_message_id: str | None
    created_at: datetime


class ConversationOut(BaseModel):
    id: str
    contact_id: str
    channel: str
    status: str
    needs_human: bool
    human_reason: str | None
    held_by: str | None = Field(default=None, description="the user holding it (the agent "
                                                          "is silent), or null")
    contact: ContactRef
    created_at: datetime
    last_message_at: datetime
    messages: list[MessageOut]


class AgentConfigOut(BaseModel):
    persona: str
    greeting: str
    enabled_tools: list[str]
    model: str | None
    updated_at: datetime


class AgentConfigIn(BaseModel):
    persona: str | None = Field(default=None, min_length=1, max_length=8000)
    greeting: str | None = Field(default=None, min_length=1, max_length=500)
    enabled_tools: list[str] | None = None
    model: str | None = Field(default=None, max_length=120)

    @field_validator("enabled_tools")
    @classmethod
    def _known_tools(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        unknown = sorted(set(value) - set(ALL_TOOLS))
        if unknown:
            raise ValueError(f"unknown tools; choose among {list(ALL_TOOLS)}")
        return [t for t in ALL_TOOLS if t in value]


class TrainingObjectionIn(BaseModel):
    objected: bool = Field(True, description="true: the contact objects to training use")


class TrainingObjectionOut(BaseModel):
    contact_id: str
    objected_to_training: bool
    records_removed: int = Field(description="corpus records removed now")


class LeadIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254)
    notes: str | None = Field(default=None, max_length=4000)
    assigned_to: str | None = Field(default=None, max_length=32, description=(
        "a seller's user id (admins; a seller's own leads are theirs); null: the rotation"))


class LeadPatch(BaseModel):
    stage: LeadStage | None = None
    temperature: Temperature | None = None
    notes: str | None = Field(default=None, max_length=4000)
    assigned_to: str | None = Field(default=None, min_length=1, max_length=32,
                                    description="a seller's user id (admins only); null unassigns")


class ContactPatch(BaseModel):
    name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254)


class SharedValue(BaseModel):
    """Another contact sharing a phone or email with this one ("same phone as ...")."""

    field: str = Field(description='"phone" or "email"')
    contact_id: str
    name: str | None = Field(description="null when the caller may not see that contact")


class ContactOut(BaseModel):
    id: str
    name: str | None
    phone: str | None
    email: str | None
    phone_verified: bool = Field(description="a channel, a one-time code or staff vouched "
                                             "for the phone; else it was typed in a chat")
    email_verified: bool
    claimed_phone: str | None = Field(description="a phone this person typed that another "
                                                  "contact holds (see same_as)")
    claimed_email: str | None
    same_as: list[SharedValue] = Field(description="contacts sharing a phone or email: link "
                                                   "them when they are one person")
    created_at: datetime
    updated_at: datetime
    objected_to_training: bool
    processing_restricted: bool
    minor_flagged: bool
    consents: dict[str, bool] = Field(description="purpose → granted, where recorded")
    lead_ids: list[str]
    conversation_ids: list[str]


class LinkIn(BaseModel):
    contact_id: str = Field(min_length=1, max_length=32,
                            description="the contact this conversation's person is")


class ConversationSummary(BaseModel):
    id: str
    contact_id: str
    channel: str
    status: str
    needs_human: bool
    human_reason: str | None
    held_by: str | None = Field(default=None, description="the user holding it (the agent "
                                                          "is silent), or null")
    created_at: datetime
    last_message_at: datetime
