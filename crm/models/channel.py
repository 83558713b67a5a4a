"""Meta channels: per-tenant connections, raw webhook events, the inbound ledger that
dedupes Meta's at-least-once deliveries, outbound deliveries and Lead Ads intakes.

These are new tables only: no column was added to existing tables, so a database created
before the channels works after `init_db` without a migration.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from crm.models.base import id_field, utc_field


class ChannelKind(StrEnum):
    whatsapp = "whatsapp"
    instagram = "instagram"
    messenger = "messenger"
    lead_ads = "lead_ads"


class ChannelConnection(SQLModel, table=True):
    """A business's account on a Meta product. Secrets are Fernet tokens (crm.crypto).

    `account_id` is what webhooks address: the WhatsApp phone_number_id, the Instagram
    account id, or the Facebook page id (Messenger, Lead Ads). One account belongs to one
    business, hence unique per kind. `app_secret_enc` None means the business connected
    through the platform's own Meta app (MOSTRADOR_META_APP_SECRET).
    """

    __table_args__ = (UniqueConstraint("kind", "account_id"),)
    id: str = id_field()
    tenant_id: str = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")
    kind: ChannelKind
    account_id: str = Field(max_length=64)
    access_token_enc: str = Field(sa_column=Column(Text, nullable=False))
    access_token_last4: str = Field(default="", max_length=4)
    app_secret_enc: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    verify_token_enc: str = Field(sa_column=Column(Text, nullable=False))
    verify_token_hash: str = Field(max_length=64, index=True)
    # WhatsApp: the approved template sent when the 24-hour window is closed.
    template_name: str | None = Field(default=None, max_length=512)
    template_language: str | None = Field(default=None, max_length=16)
    # WhatsApp: the approved authentication (copy-code) template one-time codes go in.
    otp_template_name: str | None = Field(default=None, max_length=512)
    otp_template_language: str | None = Field(default=None, max_length=16)
    # Lead Ads: the sellers leads rotate among (user ids); empty: every active seller.
    seller_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    active: bool = True
    created_at: datetime = utc_field()
    updated_at: datetime = utc_field()


class ChannelConnectionPublic(SQLModel):
    """What the API shows of a connection: never a secret, only whether it is set."""

    id: str
    kind: ChannelKind
    account_id: str
    access_token: str  # masked: "••••" + last 4 characters
    has_app_secret: bool
    uses_platform_app: bool
    has_verify_token: bool
    template_name: str | None
    template_language: str | None
    otp_template_name: str | None = None
    otp_template_language: str | None = None
    seller_ids: list[str]
    active: bool
    created_at: datetime


class WebhookStatus(StrEnum):
    received = "received"      # verified and stored; processing pending
    processed = "processed"
    error = "error"            # an item failed; see the logs by event id


class WebhookEvent(SQLModel, table=True):
    """A verified webhook body, exactly as received (stored only after the signature)."""

    id: int | None = Field(default=None, primary_key=True)
    received_at: datetime = utc_field(index=True)
    object: str = Field(max_length=64)
    body: str = Field(sa_column=Column(Text, nullable=False))
    tenant_id: str | None = Field(default=None, foreign_key="tenant.id", index=True,
                                  ondelete="SET NULL")
    status: WebhookStatus = Field(default=WebhookStatus.received, index=True)
    items_total: int = 0
    items_done: int = 0
    processed_at: datetime | None = utc_field(nullable=True, default_now=False)


class InboundState(StrEnum):
    pending = "pending"
    done = "done"
    error = "error"


class InboundKey(SQLModel, table=True):
    """The ledger of inbound items: one row per Meta id, whatever the retries.

    The unique (channel, external_id) makes the database the dedup authority: of any number
    of concurrent deliveries of one wamid/mid/leadgen_id exactly one inserts its row, and
    only the event that owns the row processes the item.
    """

    __table_args__ = (
        UniqueConstraint("channel", "external_id"),
        Index("ix_inboundkey_thread", "tenant_id", "channel", "sender_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    external_id: str = Field(max_length=255)
    event_id: int = Field(foreign_key="webhookevent.id", index=True, ondelete="CASCADE")
    tenant_id: str = Field(foreign_key="tenant.id", ondelete="CASCADE")
    sender_id: str | None = Field(default=None, max_length=64)
    # When the end user sent it (Meta's timestamp): the 24-hour window counts from here.
    sent_at: datetime | None = utc_field(nullable=True, default_now=False)
    state: InboundState = InboundState.pending
    created_at: datetime = utc_field()


class DeliveryStatus(StrEnum):
    accepted = "accepted"      # the Graph API took it
    sent = "sent"
    delivered = "delivered"
    read = "read"
    failed = "failed"
    not_sent = "not_sent"      # never sent (24-hour window closed, or the send failed)


class OutboundDelivery(SQLModel, table=True):
    """One message part sent to Meta for an assistant message; statuses update it."""

    __table_args__ = (UniqueConstraint("channel", "external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")
    message_id: int | None = Field(default=None, foreign_key="message.id", index=True,
                                   ondelete="CASCADE")
    channel: str = Field(max_length=20)
    external_id: str | None = Field(default=None, max_length=255)  # wamid / mid
    part: int = 0
    kind: str = Field(default="text", max_length=16)  # text | template
    status: DeliveryStatus = DeliveryStatus.accepted
    error_code: str | None = Field(default=None, max_length=32)
    created_at: datetime = utc_field()
    updated_at: datetime = utc_field()


class IntakeState(StrEnum):
    recibido = "recibido"
    registrado = "registrado"
    error = "error"


class LeadAdIntake(SQLModel, table=True):
    """A Meta Lead Ads submission and how its registration went."""

    id: str = id_field()
    tenant_id: str = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")
    connection_id: str | None = Field(default=None, foreign_key="channelconnection.id",
                                      ondelete="SET NULL")
    leadgen_id: str = Field(max_length=64, unique=True, index=True)
    page_id: str = Field(max_length=64)
    form_id: str | None = Field(default=None, max_length=64)
    ad_id: str | None = Field(default=None, max_length=64)
    state: IntakeState = Field(default=IntakeState.recibido, index=True)
    answers: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    lead_id: str | None = Field(default=None, foreign_key="lead.id", ondelete="SET NULL")
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=64)
    next_attempt_at: datetime | None = utc_field(nullable=True, default_now=False)
    received_at: datetime = utc_field()
    registered_at: datetime | None = utc_field(nullable=True, default_now=False)
    updated_at: datetime = utc_field()
