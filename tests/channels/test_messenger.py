"""Messenger and Instagram Direct parsing, on Meta's documented webhook shapes."""

from __future__ import annotations

from typing import Any

import pytest

from channels.inbound import InboundKind, InboundMessage, LeadgenChange
from channels.payload import parse_webhook
from crm.models import ChannelKind
from tests.channels.payloads import leadgen, messaging

PAGE, IG, PSID = "1122334455", "17841400000000001", "6612345678901234"
TS = 1795957200000


def _event(**kind: Any) -> dict[str, Any]:
    return {"sender": {"id": PSID}, "recipient": {"id": PAGE}, "timestamp": TS, **kind}


def _one(obj: str, event: dict[str, Any]) -> InboundMessage:
    parsed = parse_webhook(messaging(obj, IG if obj == "instagram" else PAGE, event))
    [item] = parsed.items
    assert isinstance(item, InboundMessage)
    return item


@pytest.mark.parametrize(("obj", "event", "kind", "agent_text"), [
    ("page", _event(message={"mid": "m_1", "text": "Hola"}), InboundKind.text, "Hola"),
    ("page", _event(message={"mid": "m_2", "text": "Sí", "quick_reply": {"payload": "YES"}}),
     InboundKind.interactive, "Sí"),
    ("page", _event(postback={"mid": "m_3", "title": "Ver precios", "payload": "PRICES"}),
     InboundKind.interactive, "Ver precios"),
    ("page", _event(message={"mid": "m_4", "attachments": [
        {"type": "image", "payload": {"url": "https://cdn.test/x.jpg"}}]}),
     InboundKind.media, "[imagen]"),
    ("page", _event(message={"mid": "m_5", "attachments": [
        {"type": "audio", "payload": {"url": "https://cdn.test/x.mp4"}}]}),
     InboundKind.media, "[audio]"),
    ("page", _event(message={"mid": "m_6", "attachments": [
        {"type": "location", "payload": {"coordinates": {"lat": -34.6, "long": -58.4}}}]}),
     InboundKind.location, "[ubicación]"),
    ("page", _event(reaction={"mid": "m_1", "action": "react", "reaction": "love",
                              "emoji": "❤"}), InboundKind.reaction, None),
    ("page", _event(message_edit={"mid": "m_1", "text": "Hola de nuevo", "num_edit": 1}),
     InboundKind.edit, "[mensaje editado] Hola de nuevo"),
    ("instagram", _event(message={"mid": "ig_1", "text": "¡Qué lindo!",
                                  "reply_to": {"story": {"url": "https://cdn.test/s",
                                                         "id": "st_1"}}}),
     InboundKind.story_reply, "[respuesta a una historia] ¡Qué lindo!"),
    ("instagram", _event(message={"mid": "ig_2", "attachments": [
        {"type": "story_mention", "payload": {"url": "https://cdn.test/s"}}]}),
     InboundKind.story_mention, None),
    ("instagram", _event(message={"mid": "ig_3", "is_echo": True, "text": "nuestra"}),
     InboundKind.echo, None),
    ("instagram", _event(message={"mid": "ig_4", "is_deleted": True}), InboundKind.delete, None),
    ("instagram", _event(message={"mid": "ig_5", "is_unsupported": True}),
     InboundKind.unsupported, None),
    ("page", _event(message={"mid": "m_7", "attachments": [{"type": "fallback"}]}),
     InboundKind.unsupported, None),
])
def test_messaging_events_normalize(obj: str, event: dict[str, Any], kind: InboundKind,
                                    agent_text: str | None) -> None:
    item = _one(obj, event)
    assert item.kind == kind
    assert item.channel == (ChannelKind.instagram if obj == "instagram" else ChannelKind.messenger)
    assert item.sender_id == PSID
    if agent_text is not None:
        assert item.agent_text() == agent_text


def test_items_route_by_entry_id_even_for_echoes() -> None:
    echo = {"sender": {"id": IG}, "recipient": {"id": PSID}, "timestamp": TS,
            "message": {"mid": "ig_e", "is_echo": True, "text": "x"}}
    parsed = parse_webhook(messaging("instagram", IG, echo))
    assert parsed.accounts == {(ChannelKind.instagram, IG)}


def test_reads_and_deliveries_are_skipped() -> None:
    parsed = parse_webhook(messaging("page", PAGE, _event(read={"watermark": TS}),
                                     _event(delivery={"mids": ["m_1"], "watermark": TS})))
    assert parsed.items == [] and parsed.skipped == 2


def test_reactions_to_one_message_get_distinct_keys() -> None:
    react = _one("page", _event(reaction={"mid": "m_1", "action": "react", "emoji": "❤"}))
    unreact = _one("page", _event(reaction={"mid": "m_1", "action": "unreact"}))
    assert react.message_id != unreact.message_id != "m_1"


def test_a_page_entry_with_a_leadgen_change() -> None:
    parsed = parse_webhook(leadgen(PAGE, "900001"))
    [item] = parsed.items
    assert isinstance(item, LeadgenChange)
    assert (item.leadgen_id, item.form_id, item.ad_id) == ("900001", "444555666", "777888999")
    assert parsed.accounts == {(ChannelKind.lead_ads, PAGE)}


def test_batches_of_several_entries_keep_every_item_in_order() -> None:
    body = messaging("page", PAGE, _event(message={"mid": "m_a", "text": "uno"}),
                     _event(message={"mid": "m_b", "text": "dos"}))
    body["entry"].append(messaging("page", "99", _event(message={"mid": "m_c", "text": "tres"}))
                         ["entry"][0])
    parsed = parse_webhook(body)
    assert [i.message_id for i in parsed.items if isinstance(i, InboundMessage)] == [
        "m_a", "m_b", "m_c"]
    assert parsed.accounts == {(ChannelKind.messenger, PAGE), (ChannelKind.messenger, "99")}
