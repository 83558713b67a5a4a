"""A Meta webhook body, whatever the product, as a ParsedWebhook (routed by `object`).

`whatsapp_business_account` → WhatsApp; `instagram` → Instagram Direct; `page` → Messenger
(`messaging`) and Lead Ads (`leadgen` changes). Every entry and every change/messaging item
is read: Meta batches several, possibly for different businesses.
"""

from __future__ import annotations

from typing import Any

from channels import lead_ads, messenger, whatsapp
from channels.inbound import ParsedWebhook
from channels.shapes import as_dict, as_list, as_str
from crm.models import ChannelKind

OBJECTS = ("whatsapp_business_account", "instagram", "page")


def parse_webhook(body: Any) -> ParsedWebhook:
    """Never raises on a JSON value: unknown objects parse to no accounts and no items."""
    body = as_dict(body)
    obj = as_str(body.get("object")) or ""
    if obj == whatsapp.OBJECT:
        return whatsapp.parse(body)
    parsed = ParsedWebhook(object=obj)
    if obj not in OBJECTS:
        return parsed
    for entry in as_list(body.get("entry")):
        entry = as_dict(entry)
        if obj == "instagram":
            messenger.parse_entry(entry, ChannelKind.instagram, parsed)
        else:
            messenger.parse_entry(entry, ChannelKind.messenger, parsed)
            lead_ads.parse_entry(entry, parsed)
    return parsed
