"""WhatsApp Cloud API: webhook parsing and the outbound message bodies.

A `whatsapp_business_account` update carries entries (one per WhatsApp Business Account),
each with changes whose `value` holds `metadata.phone_number_id` (the business number the
update is for: the routing key), `contacts`, `messages` and `statuses`. Shapes follow
Meta's Cloud API webhook reference; tests run them on real payloads
(tests/data/meta/whatsapp, from pywa's fixtures).
"""

from __future__ import annotations

from typing import Any

from channels.inbound import (
    InboundKind,
    InboundMessage,
    Item,
    Media,
    ParsedWebhook,
    StatusUpdate,
    from_unix,
)
from channels.shapes import as_dict, as_list, as_str
from crm.models import ChannelKind

OBJECT = "whatsapp_business_account"
TEXT_LIMIT = 4096  # characters of a text message body
MEDIA_TYPES = ("image", "audio", "video", "document", "sticker")


def parse(body: dict[str, Any]) -> ParsedWebhook:
    parsed = ParsedWebhook(object=OBJECT)
    for entry in as_list(body.get("entry")):
        for change in as_list(as_dict(entry).get("changes")):
            change = as_dict(change)
            value = as_dict(change.get("value"))
            account = as_str(as_dict(value.get("metadata")).get("phone_number_id")) or ""
            if change.get("field") != "messages" or not account:
                parsed.skipped += 1
                continue
            parsed.accounts.add((ChannelKind.whatsapp, account))
            names = {as_str(c.get("wa_id")) or "": as_str(as_dict(c.get("profile")).get("name"))
                     for c in as_list(value.get("contacts")) if isinstance(c, dict)}
            for raw in as_list(value.get("messages")):
                item = _message(account, as_dict(raw), names)
                if item is None:
                    parsed.skipped += 1
                else:
                    parsed.items.append(item)
            for raw in as_list(value.get("statuses")):
                status = _status(account, as_dict(raw))
                if status is None:
                    parsed.skipped += 1
                else:
                    parsed.items.append(status)
    return parsed


def _message(account: str, raw: dict[str, Any], names: dict[str, Any]) -> Item | None:
    sender, message_id = as_str(raw.get("from")) or "", as_str(raw.get("id")) or ""
    if not sender or not message_id:
        return None
    base: dict[str, Any] = {
        "channel": ChannelKind.whatsapp, "account_id": account, "sender_id": sender,
        "message_id": message_id, "timestamp": from_unix(raw.get("timestamp")),
        "sender_name": names.get(sender),
    }
    kind = str(raw.get("type") or "unsupported")
    if kind == "edit":
        edit = as_dict(raw.get("edit"))
        inner = _content(as_dict(edit.get("message")))
        return InboundMessage(**base, **{**inner, "kind": InboundKind.edit},
                              target_id=as_str(edit.get("original_message_id")))
    if kind == "revoke":
        return InboundMessage(**base, kind=InboundKind.delete, target_id=as_str(
            as_dict(raw.get("revoke")).get("original_message_id")))
    return InboundMessage(**base, **_content(raw))


def _content(raw: dict[str, Any]) -> dict[str, Any]:
    """The kind-specific fields of a message (or of an edit's new message)."""
    kind = str(raw.get("type") or "unsupported")
    if kind == "text":
        return {"kind": InboundKind.text, "text": as_str(as_dict(raw.get("text")).get("body"))}
    if kind == "interactive":
        interactive = as_dict(raw.get("interactive"))
        reply = as_dict(interactive.get(str(interactive.get("type") or "")))
        if not reply:
            return {"kind": InboundKind.unsupported, "unsupported_type": "interactive"}
        return {"kind": InboundKind.interactive, "text": as_str(reply.get("title")),
                "payload": as_str(reply.get("id"))}
    if kind == "button":
        button = as_dict(raw.get("button"))
        return {"kind": InboundKind.interactive, "text": as_str(button.get("text")),
                "payload": as_str(button.get("payload"))}
    if kind in MEDIA_TYPES:
        media = as_dict(raw.get(kind))
        return {"kind": InboundKind.media, "text": as_str(media.get("caption")),
                "media": Media(type=kind, id=as_str(media.get("id")),
                               caption=as_str(media.get("caption")),
                               mime_type=as_str(media.get("mime_type")))}
    if kind == "reaction":
        reaction = as_dict(raw.get("reaction"))
        return {"kind": InboundKind.reaction, "emoji": as_str(reaction.get("emoji")) or None,
                "target_id": as_str(reaction.get("message_id"))}
    if kind == "location":
        location = {k: v for k, v in as_dict(raw.get("location")).items()
                    if k in ("latitude", "longitude", "name", "address")
                    and isinstance(v, int | float | str)}
        return {"kind": InboundKind.location, "location": location}
    if kind == "contacts":
        return {"kind": InboundKind.contacts, "contacts_count": len(as_list(raw.get("contacts")))}
    if kind == "order":
        order = as_dict(raw.get("order"))
        items = len(as_list(order.get("product_items")))
        return {"kind": InboundKind.order,
                "text": (as_str(order.get("text")) or "") + f" ({items} productos)"}
    if kind == "system":
        return {"kind": InboundKind.system,
                "unsupported_type": as_str(as_dict(raw.get("system")).get("type"))}
    unsupported = as_dict(raw.get("unsupported")).get("type")
    return {"kind": InboundKind.unsupported,
            "unsupported_type": as_str(unsupported) or kind}


def _status(account: str, raw: dict[str, Any]) -> StatusUpdate | None:
    message_id, status = as_str(raw.get("id")), as_str(raw.get("status"))
    if not message_id or not status:
        return None
    errors = [e for e in as_list(raw.get("errors")) if isinstance(e, dict)]
    code = as_str(errors[0].get("code")) if errors else None
    return StatusUpdate(channel=ChannelKind.whatsapp, account_id=account,
                        message_id=message_id, status=status,
                        timestamp=from_unix(raw.get("timestamp")), error_code=code,
                        reference=as_str(raw.get("biz_opaque_callback_data")))


def text_body(to: str, text: str, reference: str | None = None) -> dict[str, Any]:
    """A text message; `reference` comes back in each of its status webhooks."""
    return _with_reference({"messaging_product": "whatsapp", "recipient_type": "individual",
                            "to": to, "type": "text",
                            "text": {"preview_url": False, "body": text}}, reference)


def template_body(to: str, name: str, language: str,
                  reference: str | None = None) -> dict[str, Any]:
    return _with_reference({"messaging_product": "whatsapp", "recipient_type": "individual",
                            "to": to, "type": "template",
                            "template": {"name": name, "language": {"code": language}}},
                           reference)


def _with_reference(body: dict[str, Any], reference: str | None) -> dict[str, Any]:
    # Meta echoes `biz_opaque_callback_data` (up to 512 characters) in the message's
    # `statuses` webhooks: our receipt of the send (channels.receipts).
    if reference:
        body["biz_opaque_callback_data"] = reference
    return body


def sent_id(response: dict[str, Any]) -> str | None:
    """The wamid of a send: {"messages": [{"id": "wamid..."}]}."""
    messages = as_list(response.get("messages"))
    return as_str(as_dict(messages[0]).get("id")) if messages else None

