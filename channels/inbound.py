"""The normalized shapes every Meta channel parser produces.

A webhook body becomes a `ParsedWebhook`: the accounts it addresses (for routing and the
signature check) and an ordered list of items, each an `InboundMessage`, a `StatusUpdate`
or a `LeadgenChange`. Parsers never raise on unknown shapes: what they do not understand
becomes an `unsupported` message or is skipped, and is still kept in the raw event.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from enum import StrEnum

from crm.models import ChannelKind
from crm.text import storable, storable_id

# Fields that are ids: bounded to the narrowest column they are stored in (crm.text).
_ID_FIELDS = frozenset({"account_id", "sender_id", "message_id", "target_id", "leadgen_id",
                        "form_id", "ad_id", "reference"})


class _Storable:
    """Items are built from untrusted JSON: every string field is made storable, and ids
    bounded, once, here (the parsers read strings through channels.shapes as well)."""

    def __post_init__(self) -> None:
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, str) and not isinstance(value, StrEnum):
                clean = storable_id(value) if f.name in _ID_FIELDS else storable(value)
                if clean is not value:
                    object.__setattr__(self, f.name, clean)


class InboundKind(StrEnum):
    text = "text"
    interactive = "interactive"      # button / list replies, quick replies, postbacks
    reaction = "reaction"
    location = "location"
    contacts = "contacts"
    media = "media"                  # image, audio, video, document, sticker, file
    order = "order"
    edit = "edit"
    delete = "delete"
    echo = "echo"                    # the business's own message, echoed back (ignored)
    story_reply = "story_reply"
    story_mention = "story_mention"
    system = "system"
    unsupported = "unsupported"


# What the agent is told instead of media it cannot see.
MEDIA_LABELS = {
    "image": "[imagen]", "audio": "[audio]", "video": "[video]", "document": "[documento]",
    "sticker": "[sticker]", "file": "[archivo]", "gif": "[gif]",
}


@dataclass(frozen=True)
class Media:
    type: str                 # image | audio | video | document | sticker | file ...
    id: str | None = None     # WhatsApp media id (fetch it with the token); None on Messenger
    caption: str | None = None
    mime_type: str | None = None
    url: str | None = None    # Messenger/Instagram attachment URL


@dataclass(frozen=True)
class InboundMessage(_Storable):
    """One thing an end user did, on any channel."""

    channel: ChannelKind
    account_id: str           # phone_number_id / Instagram account id / page id
    sender_id: str            # wa_id / IGSID / PSID
    message_id: str           # wamid / mid: the dedup key
    kind: InboundKind
    timestamp: datetime
    text: str | None = None   # the user's words: body, caption, button title, new text
    payload: str | None = None  # button/list/postback id
    media: Media | None = None
    target_id: str | None = None  # the message replied to, reacted to, edited or deleted
    emoji: str | None = None
    location: dict[str, float | str] | None = None
    contacts_count: int = 0
    unsupported_type: str | None = None
    sender_name: str | None = None  # WhatsApp profile name (user-set; not stored)
    reference: str | None = None  # an echo's `metadata`: our send reference (channels.receipts)

    @property
    def runs_turn(self) -> bool:
        """Whether the agent answers this item (see agent_text)."""
        return self.kind not in (InboundKind.reaction, InboundKind.delete, InboundKind.echo,
                                 InboundKind.story_mention, InboundKind.system)

    def agent_text(self) -> str:
        """The short text the agent gets for this item."""
        text = (self.text or "").strip()
        if self.kind == InboundKind.media and self.media is not None:
            label = MEDIA_LABELS.get(self.media.type, f"[{self.media.type}]")
            return f"{label} {text}".strip()
        if self.kind == InboundKind.location and self.location:
            where = ", ".join(str(self.location[k]) for k in ("name", "address")
                              if self.location.get(k))
            return f"[ubicación] {where}".strip()
        if self.kind == InboundKind.contacts:
            return f"[contactos compartidos: {self.contacts_count}]"
        if self.kind == InboundKind.order:
            return f"[pedido] {text}".strip()
        if self.kind == InboundKind.edit:
            return f"[mensaje editado] {text}".strip()
        if self.kind == InboundKind.story_reply:
            return f"[respuesta a una historia] {text}".strip()
        if self.kind == InboundKind.unsupported:
            return "[mensaje de un tipo no soportado]"
        return text or "[mensaje vacío]"


@dataclass(frozen=True)
class StatusUpdate(_Storable):
    """WhatsApp's news about a message the business sent."""

    channel: ChannelKind
    account_id: str
    message_id: str           # the outbound wamid
    status: str               # sent | delivered | read | played | failed | ...
    timestamp: datetime
    error_code: str | None = None
    reference: str | None = None  # `biz_opaque_callback_data`: our send reference, if any


@dataclass(frozen=True)
class LeadgenChange(_Storable):
    """A Lead Ads form submission announced on a page (the answers are fetched later)."""

    channel: ChannelKind      # always lead_ads
    account_id: str           # page id
    leadgen_id: str
    form_id: str | None
    ad_id: str | None
    timestamp: datetime


Item = InboundMessage | StatusUpdate | LeadgenChange


@dataclass
class ParsedWebhook:
    object: str
    accounts: set[tuple[ChannelKind, str]] = field(default_factory=set)
    items: list[Item] = field(default_factory=list)
    skipped: int = 0          # entries/changes of a shape we do not handle


def dedup_key(item: Item) -> tuple[str, str] | None:
    """(channel, external id) of an item processed at most once; None: idempotent item."""
    if isinstance(item, StatusUpdate):
        return None
    if isinstance(item, LeadgenChange):
        return (item.channel.value, item.leadgen_id)
    return (item.channel.value, item.message_id)


def thread_key(item: Item) -> str:
    """Items with one key are processed in arrival order (one conversation; the Lead Ads
    submissions of one page, so that two forms one person sent register in the order they
    came: the first creates or finds the contact, the second finds it)."""
    if isinstance(item, InboundMessage):
        return f"{item.channel.value}:{item.account_id}:{item.sender_id}"
    if isinstance(item, LeadgenChange):
        return f"{item.channel.value}:{item.account_id}"
    return f"{item.channel.value}:status:{item.message_id}"


def from_unix(value: object) -> datetime:
    """Meta's timestamps: seconds as a string (WhatsApp) or milliseconds (Messenger)."""
    try:
        number = float(str(value))
    except (TypeError, ValueError):
        return datetime.now(UTC)
    if number > 10_000_000_000:  # milliseconds
        number /= 1000
    try:
        return datetime.fromtimestamp(number, UTC)
    except (OverflowError, OSError, ValueError):
        return datetime.now(UTC)
