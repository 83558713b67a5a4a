"""Staff take a conversation over, reply through its channel, hand it back (issue 14).

On the real app, database, offline model and the Graph stand-in; web chat replies reach
the open page through the events stream in the embedded mode (the Redis mode is in
tests/channels/durable/test_api.py).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from agent.runtime import AgentRuntime
from api.app import create_app
from crm.models import (
    AuditEvent,
    ChannelConnection,
    ChannelKind,
    Conversation,
    Message,
    MessageRole,
    OutboundDelivery,
    Role,
    Tenant,
)
from crm.settings import Settings
from tests.channels.conftest import NOW_TS, TEST_SECRET_KEY, WA_PHONE_ID, Poster, connect
from tests.channels.payloads import wa_text
from tests.conftest import NOW
from tests.factories import make_demo, make_token, make_user
from tests.support.graph_standin import GraphStandIn
from tests.support.live_server import live_server

SESSION = "inbox-session-000000000000000"
CUSTOMER = "5491155550199"


@pytest.fixture
def inbox_settings(db_url: str, graph: GraphStandIn) -> Settings:
    return Settings(env="test", database_url=db_url, llm="offline", openai_api_key=None,
                    secret_key=TEST_SECRET_KEY, graph_api_url=graph.url,
                    graph_backoff_seconds=0.001, meta_app_secret=None)


@pytest.fixture
def runtime(inbox_settings: Settings, engine: Engine) -> AgentRuntime:
    return AgentRuntime(inbox_settings, engine, clock=lambda: NOW)


@pytest.fixture
def app_client(inbox_settings: Settings, runtime: AgentRuntime) -> Iterator[TestClient]:
    with TestClient(create_app(inbox_settings, runtime)) as client:
        yield client


@pytest.fixture
def demo(db: Session) -> Tenant:
    return make_demo(db)


@pytest.fixture
def admin(db: Session, demo: Tenant) -> dict[str, str]:
    user = make_user(db, demo, role=Role.admin)
    return {"Authorization": f"Bearer {make_token(db, user)}"}


@pytest.fixture
def wa(db: Session, inbox_settings: Settings, demo: Tenant) -> ChannelConnection:
    return connect(db, inbox_settings, demo, ChannelKind.whatsapp, WA_PHONE_ID,
                   template_name="seguimos_en_contacto", template_language="es_AR")


def _chat(client: TestClient, text: str) -> dict[str, object]:
    response = client.post("/v1/chat/demo/messages", json={"session_id": SESSION, "text": text})
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_a_held_web_chat_gets_no_agent_reply_and_the_staff_reply_reaches_the_page(
        app_client: TestClient, admin: dict[str, str], db: Session) -> None:
    first = _chat(app_client, "Hola, quiero hablar con una persona")
    conversation_id = str(first["conversation_id"])
    held = app_client.post(f"/v1/conversations/{conversation_id}/takeover", headers=admin)
    assert held.status_code == 200 and held.json()["held_by"]
    silent = _chat(app_client, "¿Hay alguien?")
    assert silent == {"conversation_id": conversation_id, "reply": None}
    sent = app_client.post(f"/v1/conversations/{conversation_id}/messages", headers=admin,
                           json={"text": "Hola, soy Lucía de la clínica. ¿En qué te ayudo?"})
    assert sent.status_code == 201 and sent.json()["status"] == "sent"
    history = app_client.get("/v1/chat/demo/messages", params={"session_id": SESSION}).json()
    assert [m["role"] for m in history] == ["user", "assistant", "user", "staff"]
    assert history[-1]["text"] == "Hola, soy Lucía de la clínica. ¿En qué te ayudo?"
    read = app_client.get(f"/v1/conversations/{conversation_id}", headers=admin).json()
    assert read["held_by"] and read["messages"][-1]["author_id"] == read["held_by"]
    back = app_client.post(f"/v1/conversations/{conversation_id}/release", headers=admin)
    assert back.json()["held_by"] is None
    assert _chat(app_client, "¿qué servicios tienen?")["reply"]
    db.commit()
    actions = [e.action for e in db.exec(select(AuditEvent).where(
        AuditEvent.resource_type == "conversation")) if e.action.startswith("conversation.")]
    assert {"conversation.takeover", "conversation.reply", "conversation.release"} <= set(
        actions)


def test_the_staff_reply_is_pushed_to_the_open_page_in_the_embedded_mode(
        inbox_settings: Settings, runtime: AgentRuntime, admin: dict[str, str],
        demo: Tenant) -> None:
    with live_server(create_app(inbox_settings, runtime)) as base:
        chat = httpx.post(f"{base}/v1/chat/demo/messages", timeout=10,
                          json={"session_id": SESSION, "text": "Hola"}).json()
        got: list[dict[str, object]] = []
        connected = threading.Event()

        def listen() -> None:
            url = f"{base}/v1/chat/demo/events?session_id={SESSION}"
            with httpx.stream("GET", url, timeout=10) as stream:
                for line in stream.iter_lines():
                    if line.startswith(": connected"):
                        connected.set()
                    if line.startswith("data: "):
                        got.append(json.loads(line[6:]))
                        return

        reader = threading.Thread(target=listen, daemon=True)
        reader.start()
        assert connected.wait(10)
        sent = httpx.post(f"{base}/v1/conversations/{chat['conversation_id']}/messages",
                          headers=admin, json={"text": "Te escribe el equipo"}, timeout=10)
        assert sent.status_code == 201
        reader.join(10)
    assert got == [{"conversation_id": chat["conversation_id"], "reply": "Te escribe el equipo",
                    "message_id": sent.json()["id"], "role": "staff"}]


def test_a_whatsapp_staff_reply_goes_out_once_and_a_held_conversation_stays_silent(
        app_client: TestClient, admin: dict[str, str], wa: ChannelConnection,
        graph: GraphStandIn, db: Session) -> None:
    meta = Poster(app_client)
    assert meta.post(wa_text(WA_PHONE_ID, CUSTOMER, "wamid.i1", "Hola, quiero hablar con "
                             "una persona", NOW_TS)).status_code == 200
    meta.drain()
    assert len(graph.sends()) == 1  # the agent's answer
    db.commit()
    conversation = db.exec(select(Conversation)).one()
    sent = app_client.post(f"/v1/conversations/{conversation.id}/messages", headers=admin,
                           json={"text": "Hola, soy Lucía. ¿Te llamo?"})
    assert sent.json()["status"] == "sent"
    [staff_send] = graph.sends()[1:]
    assert staff_send.body is not None and staff_send.body["to"] == CUSTOMER
    assert staff_send.body["text"]["body"] == "Hola, soy Lucía. ¿Te llamo?"
    db.commit()
    delivery = db.exec(select(OutboundDelivery).where(
        OutboundDelivery.message_id == sent.json()["id"])).one()
    assert delivery.external_id  # recorded: a retry would not send it again
    # Replying took the conversation over: the customer writes, the agent stays silent.
    assert meta.post(wa_text(WA_PHONE_ID, CUSTOMER, "wamid.i2", "dale, llamame",
                             NOW_TS + 60)).status_code == 200
    meta.drain()
    assert len(graph.sends()) == 2
    db.commit()  # a fresh snapshot
    roles = [m.role for m in db.exec(select(Message).where(
        Message.conversation_id == conversation.id).order_by(Message.id))]  # type: ignore[arg-type]
    assert roles[-2:] == [MessageRole.staff, MessageRole.user]


def test_outside_the_24_hour_window_only_the_template_can_go(
        inbox_settings: Settings, engine: Engine, admin: dict[str, str],
        wa: ChannelConnection, graph: GraphStandIn, db: Session) -> None:
    later = AgentRuntime(inbox_settings, engine, clock=lambda: NOW + timedelta(days=2))
    with TestClient(create_app(inbox_settings, later)) as client:
        meta = Poster(client)
        meta.post(wa_text(WA_PHONE_ID, CUSTOMER, "wamid.w1", "Hola", NOW_TS))
        meta.drain()
        db.commit()
        conversation = db.exec(select(Conversation)).one()
        url = f"/v1/conversations/{conversation.id}/messages"
        refused = client.post(url, headers=admin, json={"text": "¿Seguís ahí?"})
        assert refused.status_code == 409 and "template" in refused.json()["detail"]
        template = client.post(url, headers=admin, json={"text": "¿Seguís ahí?",
                                                          "template": True})
        assert template.status_code == 201 and template.json()["status"] == "template_sent"
    assert graph.sends()[-1].body["type"] == "template"  # type: ignore[index]


def test_an_idle_hold_goes_back_to_the_agent(
        inbox_settings: Settings, engine: Engine, admin: dict[str, str], db: Session,
        demo: Tenant) -> None:
    with TestClient(create_app(inbox_settings, AgentRuntime(
            inbox_settings, engine, clock=lambda: NOW))) as client:
        conversation_id = _chat(client, "Hola")["conversation_id"]
        client.post(f"/v1/conversations/{conversation_id}/takeover", headers=admin)
        assert _chat(client, "¿hola?")["reply"] is None
    after = NOW + timedelta(hours=inbox_settings.takeover_idle_hours + 1)
    with TestClient(create_app(inbox_settings, AgentRuntime(
            inbox_settings, engine, clock=lambda: after))) as client:
        db.commit()
        conversation = db.get(Conversation, conversation_id)
        assert conversation is not None
        conversation.staff_activity_at = NOW  # the hold's last activity
        db.add(conversation)
        db.commit()
        assert _chat(client, "¿qué servicios tienen?")["reply"]
    db.commit()
    db.refresh(conversation)
    assert conversation.held_by is None


def test_sellers_work_only_conversations_of_their_leads(
        app_client: TestClient, db: Session, demo: Tenant) -> None:
    conversation_id = _chat(app_client, "Hola")["conversation_id"]
    seller = make_user(db, demo, role=Role.seller)
    headers = {"Authorization": f"Bearer {make_token(db, seller)}"}
    for path in ("takeover", "release"):
        assert app_client.post(f"/v1/conversations/{conversation_id}/{path}",
                               headers=headers).status_code == 404
    assert app_client.post(f"/v1/conversations/{conversation_id}/messages", headers=headers,
                           json={"text": "hola"}).status_code == 404
    assert app_client.delete(f"/v1/conversations/{conversation_id}",
                             headers=headers).status_code == 403
