"""The webhook contract: handshake, signature before anything is kept, 401/400/200, dedup."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from crm.models import (
    ChannelConnection,
    ChannelKind,
    InboundKey,
    Message,
    MessageRole,
    Tenant,
    WebhookEvent,
)
from tests.channels.conftest import (
    APP_SECRET,
    NOW_TS,
    VERIFY,
    WA_PHONE_ID,
    Poster,
    connect,
)
from tests.channels.payloads import encode, signed, wa_text, wa_update, wa_value
from tests.factories import make_tenant
from tests.support.graph_standin import GraphStandIn


def _events(db: Session) -> list[WebhookEvent]:
    db.commit()
    return list(db.exec(select(WebhookEvent)))


def _user_messages(db: Session) -> list[Message]:
    db.commit()
    return list(db.exec(select(Message).where(Message.role == MessageRole.user)))


# --- GET handshake -------------------------------------------------------------------------

def test_handshake_echoes_the_challenge_for_a_known_verify_token(
        client: TestClient, wa: ChannelConnection) -> None:
    response = client.get("/webhooks/meta", params={
        "hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"})
    assert response.status_code == 200
    assert response.text == "1158201444"
    assert response.headers["content-type"].startswith("text/plain")


def test_handshake_refuses_unknown_token_wrong_mode_or_missing_fields(
        client: TestClient, wa: ChannelConnection) -> None:
    for params in ({"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"},
                   {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY, "hub.challenge": "1"},
                   {"hub.mode": "subscribe", "hub.challenge": "1"},
                   {"hub.mode": "subscribe", "hub.verify_token": VERIFY}, {}):
        assert client.get("/webhooks/meta", params=params).status_code == 403, params


# --- POST: signature -----------------------------------------------------------------------

def test_valid_signature_is_acknowledged_and_the_raw_body_kept(
        meta: Poster, wa: ChannelConnection, db: Session) -> None:
    body = wa_text(WA_PHONE_ID, "5491155550001", "wamid.ok1", "Hola", NOW_TS)
    response = meta.post(body)
    assert response.status_code == 200
    meta.drain()
    [event] = _events(db)
    assert event.body.encode() == encode(body)
    assert event.object == "whatsapp_business_account" and event.tenant_id == wa.tenant_id


def test_missing_or_wrong_signature_is_401_and_nothing_is_kept(
        client: TestClient, meta: Poster, wa: ChannelConnection, db: Session,
        graph: GraphStandIn) -> None:
    body = wa_text(WA_PHONE_ID, "5491155550001", "wamid.bad1", "Hola", NOW_TS)
    raw = encode(body)
    assert client.post("/webhooks/meta", content=raw).status_code == 401
    for header in ("sha256=" + "0" * 64, "sha1=abc", "garbage", ""):
        response = client.post("/webhooks/meta", content=raw,
                               headers={"X-Hub-Signature-256": header})
        assert response.status_code == 401, header
    assert meta.post(body, secret="another-apps-secret").status_code == 401
    meta.drain()
    assert _events(db) == [] and _user_messages(db) == [] and graph.requests == []
    assert list(db.exec(select(InboundKey))) == []


def test_a_reserialized_body_fails_the_signature(
        client: TestClient, wa: ChannelConnection, db: Session) -> None:
    body = wa_text(WA_PHONE_ID, "5491155550001", "wamid.re1", "¿Atienden el 15/12? 😀", NOW_TS)
    raw, headers = signed(body, APP_SECRET)
    for again in (json.dumps(json.loads(raw)).encode(),               # spaces after separators
                  json.dumps(json.loads(raw), ensure_ascii=False,
                             separators=(",", ":")).encode(),          # UTF-8, not \\u escapes
                  json.dumps(json.loads(raw), separators=(",", ":")).encode()):  # "/" unescaped
        assert again != raw
        assert client.post("/webhooks/meta", content=again,
                           headers=headers).status_code == 401
    assert client.post("/webhooks/meta", content=raw, headers=headers).status_code == 200


def test_unicode_bodies_verify_on_their_exact_bytes(
        meta: Poster, wa: ChannelConnection, db: Session) -> None:
    text = "Hola, ¿tienen turno el sábado? Soy Begoña 🦷 — gracias"
    escaped = wa_text(WA_PHONE_ID, "5491155550001", "wamid.uni1", text, NOW_TS)
    raw_utf8 = json.dumps(wa_text(WA_PHONE_ID, "5491155550001", "wamid.uni2", text, NOW_TS),
                          ensure_ascii=False).encode("utf-8")
    assert meta.post(escaped).status_code == 200
    assert meta.post(raw_utf8).status_code == 200
    meta.drain()
    assert sorted(m.text for m in _user_messages(db)) == [text, text]


def test_platform_app_secret_signs_for_businesses_connected_through_it(
        client: TestClient, channel_settings, db: Session, demo: Tenant) -> None:  # type: ignore[no-untyped-def]
    from agent.runtime import AgentRuntime
    from api.app import create_app

    settings = channel_settings.model_copy(update={"meta_app_secret": _secret("platform-1")})
    connect(db, settings, demo, ChannelKind.whatsapp, "2000001", app_secret=None)
    body = wa_text("2000001", "5491155550001", "wamid.pl1", "Hola", NOW_TS)
    with TestClient(create_app(settings, AgentRuntime(settings, client.app.state.engine))) as c:  # type: ignore[attr-defined]
        poster = Poster(c)
        assert poster.post(body, secret="platform-1").status_code == 200
        assert poster.post(body, secret=APP_SECRET).status_code == 401
        poster.drain()


# --- POST: malformed, unknown account ------------------------------------------------------

def test_malformed_json_with_a_valid_signature_is_400_and_nothing_kept(
        meta: Poster, wa: ChannelConnection, db: Session) -> None:
    for raw in (b'{"object": "whatsapp_business_account", "entry": [', b"\xff\xfe not utf8",
                b"[1, 2, 3]", b""):
        assert meta.post(raw).status_code == 400, raw
        assert meta.post(raw, secret="unknown-secret").status_code == 401, raw
    assert _events(db) == []


def test_unknown_account_is_200_logged_and_dropped(
        meta: Poster, wa: ChannelConnection, db: Session, caplog) -> None:  # type: ignore[no-untyped-def]
    body = wa_text("999999999", "5491155550001", "wamid.unk1", "Hola", NOW_TS)
    with caplog.at_level("INFO", logger="mostrador.channels.webhooks"):
        assert meta.post(body, secret="whatever").status_code == 200
    assert "unknown-account" in caplog.text
    meta.drain()
    assert _events(db) == [] and _user_messages(db) == []


# --- POST: batches and dedup ---------------------------------------------------------------

def test_every_entry_and_change_is_processed_and_retries_are_dropped(
        meta: Poster, wa: ChannelConnection, db: Session, graph: GraphStandIn) -> None:
    values = [wa_value(WA_PHONE_ID, messages=[
        {"from": f"54911555500{n:02d}", "id": f"wamid.batch{n}", "timestamp": str(NOW_TS),
         "type": "text", "text": {"body": "Hola"}}]) for n in range(3)]
    body = wa_update(*values)
    body["entry"].append(wa_update(wa_value(WA_PHONE_ID, messages=[
        {"from": "5491155550099", "id": "wamid.batch99", "timestamp": str(NOW_TS),
         "type": "text", "text": {"body": "Buenas"}}]))["entry"][0])
    for _ in range(3):  # Meta retries
        assert meta.post(body).status_code == 200
    meta.drain()
    assert len(_user_messages(db)) == 4
    assert len(_events(db)) == 1
    assert sorted(r.body["to"] for r in graph.sends()) == [  # type: ignore[index]
        "5491155550000", "5491155550001", "5491155550002", "5491155550099"]


def test_a_batch_for_two_businesses_needs_each_ones_secret(
        meta: Poster, wa: ChannelConnection, db: Session, channel_settings) -> None:  # type: ignore[no-untyped-def]
    other = make_tenant(db)
    connect(db, channel_settings, other, ChannelKind.whatsapp, "3000001",
            app_secret="other-business-secret", verify_token="other-verify")
    body = wa_update(
        wa_value(WA_PHONE_ID, messages=[{"from": "5491155550001", "id": "wamid.two1",
                                         "timestamp": str(NOW_TS), "type": "text",
                                         "text": {"body": "Hola"}}]),
        wa_value("3000001", messages=[{"from": "5491155550002", "id": "wamid.two2",
                                       "timestamp": str(NOW_TS), "type": "text",
                                       "text": {"body": "Hola"}}]))
    assert meta.post(body, secret=APP_SECRET).status_code == 401
    assert meta.post(body, secret="other-business-secret").status_code == 401
    meta.drain()
    assert _events(db) == []


def test_the_same_message_in_two_different_deliveries_runs_one_turn(
        meta: Poster, wa: ChannelConnection, db: Session, graph: GraphStandIn) -> None:
    first = wa_text(WA_PHONE_ID, "5491155550001", "wamid.same", "Hola", NOW_TS)
    second = wa_update(first["entry"][0]["changes"][0]["value"], waba="another-envelope")
    assert encode(first) != encode(second)
    assert meta.post(first).status_code == 200
    assert meta.post(second).status_code == 200
    meta.drain()
    assert len(_user_messages(db)) == 1 and len(graph.sends()) == 1


def _secret(value: str):  # type: ignore[no-untyped-def]
    from pydantic import SecretStr

    return SecretStr(value)
