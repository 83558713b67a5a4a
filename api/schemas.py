"""Request and response bodies of the HTTP API (the public shapes; tables never leak)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, field_validator

from crm.models import ALL_TOOLS, LeadStage, Temperature

MAX_TEXT = 4000


class ChatIn(BaseModel):
    session_id: str = Field(min_length=8, max_length=128, pattern=r"^[A-Za-z0-9_\-:.]+$")
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    utm: dict[str, str] | None = Field(
        default=None, description="utm_* parameters of the page URL; kept on the lead"
    )

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
        return {k: v[:200] for k, v in value.items() if k.startswith("utm_") and v}


class ChatOut(BaseModel):
    conversation_id: str
    reply: str


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
            raise ValueError(f"unknown tools {unknown}; choose among {list(ALL_TOOLS)}")
        return [t for t in ALL_TOOLS if t in value]


class TrainingObjectionIn(BaseModel):
    objected: bool = Field(True, description="true: the contact objects to training use")


class TrainingObjectionOut(BaseModel):
    contact_id: str
    objected_to_training: bool
    records_removed: int = Field(description="corpus records removed now")


class LeadPatch(BaseModel):
    stage: LeadStage | None = None
    temperature: Temperature | None = None
    notes: str | None = Field(default=None, max_length=4000)
    assigned_to: str | None = Field(default=None, max_length=32,
                                    description="a seller's user id (admins only); null unassigns")


class ContactPatch(BaseModel):
    name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254)


class ContactOut(BaseModel):
    id: str
    name: str | None
    phone: str | None
    email: str | None
    created_at: datetime
    updated_at: datetime
    objected_to_training: bool
    processing_restricted: bool
    minor_flagged: bool
    consents: dict[str, bool] = Field(description="purpose → granted, where recorded")
    lead_ids: list[str]
    conversation_ids: list[str]


class ConversationSummary(BaseModel):
    id: str
    contact_id: str
    channel: str
    status: str
    needs_human: bool
    human_reason: str | None
    created_at: datetime
    last_message_at: datetime
