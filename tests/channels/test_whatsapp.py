"""WhatsApp Cloud API parsing on real payloads (tests/data/meta/whatsapp, pywa's fixtures)."""

from __future__ import annotations

import pytest

from channels.inbound import InboundKind, InboundMessage, StatusUpdate, dedup_key
from channels.payload import parse_webhook
from crm.models import ChannelKind
from tests.channels.payloads import all_fixtures, fixture


@pytest.mark.parametrize(("file", "name", "body"), all_fixtures(),
                         ids=[f"{f}-{n}" for f, n, _ in all_fixtures()])
def test_every_fixture_parses_without_crashing_and_routes_by_phone_number_id(
        file: str, name: str, body: dict[str, object]) -> None:
    parsed = parse_webhook(body)
    assert parsed.object == "whatsapp_business_account"
    assert len(parsed.items) == 1
    item = parsed.items[0]
    assert {a for a in parsed.accounts} == {(ChannelKind.whatsapp, item.account_id)}
    if isinstance(item, InboundMessage):
        assert item.agent_text().strip()


def _one(file: str, name: str) -> InboundMessage:
    item = parse_webhook(fixture(file, name)).items[0]
    assert isinstance(item, InboundMessage)
    return item


@pytest.mark.parametrize(("file", "name", "kind", "agent_text"), [
    # text, replies, forwards, ads
    ("message", "text", InboundKind.text, "Body Text"),
    ("message", "reply", InboundKind.text, None),
    ("message", "referral", InboundKind.text, "BODY"),
    # buttons and lists
    ("callback_button", "button", InboundKind.interactive, "title"),
    ("callback_button", "quick_reply", InboundKind.interactive, "title"),
    ("callback_selection", "callback", InboundKind.interactive, "title"),
    # media: the agent gets a label and the caption
    ("message", "image", InboundKind.media, "[imagen]"),
    ("message", "video", InboundKind.media, "[video] caption"),
    ("message", "document", InboundKind.media, "[documento] caption"),
    ("message", "audio", InboundKind.media, "[audio]"),
    ("message", "voice", InboundKind.media, "[audio]"),
    ("message", "static_sticker", InboundKind.media, "[sticker]"),
    # everything else
    ("message", "reaction", InboundKind.reaction, None),
    ("message", "unreaction_empty", InboundKind.reaction, None),
    ("message", "chosen_location", InboundKind.location,
     "[ubicación] Facebook HQ, 1 Hacker Way, Menlo Park, CA 94025"),
    ("message", "current_location", InboundKind.location, "[ubicación]"),
    ("message", "contacts", InboundKind.contacts, "[contactos compartidos: 3]"),
    ("message", "order", InboundKind.order, None),
    ("message", "unsupported", InboundKind.unsupported, "[mensaje de un tipo no soportado]"),
    ("message", "unsupported_with_type", InboundKind.unsupported, None),
    ("message", "interactive_message_with_err", InboundKind.unsupported, None),
    ("edited_message", "image", InboundKind.edit, "[mensaje editado] Updated image caption"),
    ("deleted_message", "revoke", InboundKind.delete, None),
    ("system", "phone_number_change", InboundKind.system, None),
])
def test_message_types_normalize(file: str, name: str, kind: InboundKind,
                                 agent_text: str | None) -> None:
    item = _one(file, name)
    assert item.kind == kind
    if agent_text is not None:
        assert item.agent_text() == agent_text


def test_media_keeps_type_id_and_caption() -> None:
    item = _one("message", "video")
    assert item.media is not None
    assert (item.media.type, item.media.id, item.media.caption) == ("video", "765756756",
                                                                     "caption")


def test_reactions_edits_and_deletes_point_at_their_message() -> None:
    assert _one("message", "reaction").target_id == "wamid.yzxyzx="
    assert _one("message", "reaction").emoji == "😮"
    assert _one("message", "unreaction_no_emoji").emoji is None
    edit = _one("edited_message", "image")
    assert edit.target_id and edit.target_id.startswith("wamid.HBgLMTQxMjU1NTA4Mjk")
    assert _one("deleted_message", "revoke").target_id == "<ORIGINAL_WHATSAPP_MESSAGE_ID>"


def test_which_items_run_an_agent_turn() -> None:
    assert _one("message", "text").runs_turn and _one("message", "audio").runs_turn
    assert not _one("message", "reaction").runs_turn
    assert not _one("deleted_message", "revoke").runs_turn
    assert not _one("system", "identity_change").runs_turn


@pytest.mark.parametrize(("name", "status", "code"), [
    ("sent", "sent", None), ("delivered", "delivered", None), ("read", "read", None),
    ("played", "played", None), ("failed", "failed", "130472"),
])
def test_statuses(name: str, status: str, code: str | None) -> None:
    [item] = parse_webhook(fixture("message_status", name)).items
    assert isinstance(item, StatusUpdate)
    assert (item.message_id, item.status, item.error_code) == ("wamid.xyzxyz", status, code)
    assert dedup_key(item) is None  # statuses are idempotent updates, not deduped


@pytest.mark.parametrize("body", [
    {}, {"object": "whatsapp_business_account"}, {"object": "whatsapp_business_account",
                                                   "entry": "nope"},
    {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": None}]}]},
    {"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages",
     "value": {"metadata": {"phone_number_id": "1"}, "messages": [{"id": "x"}, 3, None]}}]}]},
    {"object": "something_else", "entry": []}, {"object": ["not", "a", "string"]},
])
def test_odd_shapes_never_raise(body: dict[str, object]) -> None:
    parsed = parse_webhook(body)
    assert all(isinstance(i, InboundMessage | StatusUpdate) for i in parsed.items)
