"""Messenger and Instagram Direct: webhook parsing and the Send API bodies.

Both products use the Messenger Platform shape: `entry[].messaging[]` items with `sender`,
`recipient`, `timestamp` and one of `message`, `postback`, `reaction`, `message_edit`,
`read`, `delivery`. For `object: page` the entry id is the Facebook page id; for
`object: instagram` it is the business's Instagram account id. The entry id routes the
item (the recipient of an echo is the end user, so the recipient id cannot).
"""

from __future__ import annotations

from typing import Any

from channels.inbound import InboundKind, InboundMessage, Media, ParsedWebhook, from_unix
from channels.shapes import as_dict, as_list, as_str
from crm.models import ChannelKind

TEXT_LIMITS = {ChannelKind.messenger: 2000, ChannelKind.instagram: 1000}


def parse_entry(entry: dict[str, Any], kind: ChannelKind, parsed: ParsedWebhook) -> None:
    """Add the messaging items of one entry to `parsed`."""
    account = as_str(entry.get("id")) or ""
    events = [as_dict(e) for e in as_list(entry.get("messaging"))]
    if not account or not events:
        return
    parsed.accounts.add((kind, account))
    for event in events:
        item = _event(kind, account, event)
        if item is None:
            parsed.skipped += 1
        else:
            parsed.items.append(item)


def _event(kind: ChannelKind, account: str, event: dict[str, Any]) -> InboundMessage | None:
    sender = as_str(as_dict(event.get("sender")).get("id"))
    if not sender:
        return None
    timestamp = from_unix(event.get("timestamp"))
    base: dict[str, Any] = {"channel": kind, "account_id": account, "sender_id": sender,
                            "timestamp": timestamp}
    if "message" in event:
        return _message(base, as_dict(event.get("message")))
    if "postback" in event:
        postback = as_dict(event.get("postback"))
        mid = as_str(postback.get("mid")) or f"postback:{sender}:{event.get('timestamp')}"
        return InboundMessage(**base, message_id=mid, kind=InboundKind.interactive,
                              text=as_str(postback.get("title")),
                              payload=as_str(postback.get("payload")))
    if "reaction" in event:
        reaction = as_dict(event.get("reaction"))
        target = as_str(reaction.get("mid"))
        action = as_str(reaction.get("action")) or "react"
        # The mid is the reacted-to message's: the key adds who, what and when.
        return InboundMessage(**base, kind=InboundKind.reaction, target_id=target,
                              message_id=f"reaction:{target}:{sender}:{action}:"
                                         f"{event.get('timestamp')}",
                              emoji=(as_str(reaction.get("emoji")) if action == "react"
                                     else None))
    if "message_edit" in event:
        edit = as_dict(event.get("message_edit"))
        mid = as_str(edit.get("mid")) or ""
        return InboundMessage(**base, kind=InboundKind.edit, target_id=mid,
                              message_id=f"edit:{mid}:{edit.get('num_edit')}",
                              text=as_str(edit.get("text")))
    # read receipts, deliveries, optins, referrals without a message ...: nothing to do
    return None


def _message(base: dict[str, Any], message: dict[str, Any]) -> InboundMessage | None:
    mid = as_str(message.get("mid"))
    if not mid:
        return None
    reply_to = as_dict(message.get("reply_to"))
    if message.get("is_echo"):
        return InboundMessage(**base, message_id=mid, kind=InboundKind.echo,
                              reference=as_str(message.get("metadata")))
    if message.get("is_deleted"):
        return InboundMessage(**base, message_id=f"delete:{mid}", kind=InboundKind.delete,
                              target_id=mid)
    if message.get("is_unsupported"):
        return InboundMessage(**base, message_id=mid, kind=InboundKind.unsupported,
                              unsupported_type="unsupported")
    text = as_str(message.get("text"))
    attachments = [as_dict(a) for a in as_list(message.get("attachments"))]
    if attachments:
        first = attachments[0]
        kind = as_str(first.get("type")) or "file"
        url = as_str(as_dict(first.get("payload")).get("url"))
        if kind == "story_mention":
            return InboundMessage(**base, message_id=mid, kind=InboundKind.story_mention)
        if kind == "location":
            coords = as_dict(as_dict(first.get("payload")).get("coordinates"))
            location: dict[str, float | str] = {k: v for k, v in (("latitude", coords.get("lat")),
                                          ("longitude", coords.get("long")))
                        if isinstance(v, int | float)}
            return InboundMessage(**base, message_id=mid, kind=InboundKind.location,
                                  location=location)
        if kind in ("image", "audio", "video", "file", "sticker"):
            return InboundMessage(**base, message_id=mid, kind=InboundKind.media, text=text,
                                  media=Media(type=kind, url=url))
        return InboundMessage(**base, message_id=mid, kind=InboundKind.unsupported,
                              unsupported_type=kind, text=text)
    if as_dict(reply_to.get("story")):
        return InboundMessage(**base, message_id=mid, kind=InboundKind.story_reply, text=text,
                              target_id=as_str(as_dict(reply_to.get("story")).get("id")))
    quick = as_dict(message.get("quick_reply"))
    if quick:
        return InboundMessage(**base, message_id=mid, kind=InboundKind.interactive, text=text,
                              payload=as_str(quick.get("payload")))
    if text is None:
        return InboundMessage(**base, message_id=mid, kind=InboundKind.unsupported,
                              unsupported_type="empty")
    return InboundMessage(**base, message_id=mid, kind=InboundKind.text, text=text,
                          target_id=as_str(reply_to.get("mid")))


def text_body(recipient: str, text: str, reference: str | None = None) -> dict[str, Any]:
    """A text message; `reference` (`message.metadata`) comes back in its echo."""
    message: dict[str, Any] = {"text": text}
    if reference:
        message["metadata"] = reference
    return {"recipient": {"id": recipient}, "messaging_type": "RESPONSE", "message": message}


def sent_id(response: dict[str, Any]) -> str | None:
    """The mid of a send: {"recipient_id": ..., "message_id": "m_..."}."""
    return as_str(response.get("message_id"))
