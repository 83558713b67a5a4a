"""The web chat's public API: messages (contract, validation, UTM capture), sessions,
history, the widget's config and privacy notice, CORS for allowed sites, rate limits."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from agent.runtime import AgentRuntime
from api.app import create_app
from crm.models import Lead, Message
from crm.settings import Settings
from tests.conftest import NOW
from tests.factories import make_tenant
from tests.support.openai_stub import OpenAIStub, text, tool_call

SESSION = "web-session-1-0000000000000000"
UTM_SESSION = "web-session-utm-0000000000000000"


def test_a_message_gets_the_agents_reply(client: TestClient, stub: OpenAIStub,
                                         db: Session) -> None:
    tenant = make_tenant(db)
    stub.push(text("¡Hola! ¿En qué te ayudo?"))
    response = client.post(f"/v1/chat/{tenant.slug}/messages",
                           json={"session_id": SESSION, "text": "hola"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"conversation_id", "reply"}
    assert body["reply"] == "¡Hola! ¿En qué te ayudo?" and len(body["conversation_id"]) == 32


def test_unknown_business_is_404(client: TestClient) -> None:
    response = client.post("/v1/chat/no-such-shop/messages",
                           json={"session_id": SESSION, "text": "hola"})
    assert response.status_code == 404
    assert client.get("/chat/no-such-shop").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"session_id": SESSION, "text": ""},
        {"session_id": SESSION, "text": "   \n"},
        {"session_id": SESSION, "text": "a" * 4001},
        {"session_id": SESSION},
        {"text": "hola"},
        {"session_id": "x", "text": "hola"},
        {"session_id": "bad id with spaces", "text": "hola"},
    ],
)
def test_invalid_bodies_are_422(client: TestClient, db: Session, body: dict[str, str]) -> None:
    tenant = make_tenant(db)
    response = client.post(f"/v1/chat/{tenant.slug}/messages", json=body)
    assert response.status_code == 422


def test_text_of_exactly_4000_characters_is_accepted(client: TestClient, stub: OpenAIStub,
                                                     db: Session) -> None:
    tenant = make_tenant(db)
    stub.push(text("ok"))
    response = client.post(f"/v1/chat/{tenant.slug}/messages",
                           json={"session_id": SESSION, "text": "a" * 4000})
    assert response.status_code == 200


def test_utm_parameters_land_on_the_lead_the_conversation_creates(
    client: TestClient, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    stub.push(tool_call("save_contact_details", {"name": "Lía Soto", "phone": "11 5555-0101"}),
              text("Gracias Lía."))
    utm = {"utm_source": "instagram", "utm_campaign": "blanqueamiento-nov", "other": "x"}
    response = client.post(f"/v1/chat/{tenant.slug}/messages",
                           json={"session_id": UTM_SESSION, "text": "soy Lía Soto, "
                                 "11 5555-0101", "utm": utm})
    assert response.status_code == 200
    lead = db.exec(select(Lead)).one()
    assert (lead.utm_source, lead.utm_campaign, lead.utm_medium) == (
        "instagram", "blanqueamiento-nov", None)


def test_chat_page_is_served_with_the_business_name(client: TestClient, db: Session) -> None:
    tenant = make_tenant(db, name="Estética <Luz>")
    page = client.get(f"/chat/{tenant.slug}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Estética &lt;Luz&gt;" in page.text and "<Luz>" not in page.text
    assert f'"{tenant.slug}"' in page.text


# --- sessions, history, config --------------------------------------------------------

def test_a_new_session_is_a_server_issued_secret(client: TestClient, db: Session) -> None:
    tenant = make_tenant(db)
    ids = set()
    for _ in range(3):
        response = client.post(f"/v1/chat/{tenant.slug}/sessions")
        assert response.status_code == 201
        ids.add(response.json()["session_id"])
    assert len(ids) == 3
    assert all(len(i) >= 22 and len(base64.urlsafe_b64decode(i + "==")) * 8 >= 128
               for i in ids)
    assert client.post("/v1/chat/no-such-shop/sessions").status_code == 404


def test_history_restores_what_the_person_saw_without_tool_data(
        client: TestClient, stub: OpenAIStub, db: Session) -> None:
    tenant = make_tenant(db)
    session = client.post(f"/v1/chat/{tenant.slug}/sessions").json()["session_id"]
    stub.push(tool_call("list_services", {}), text("Tenemos consulta y limpieza."),
              text("¡De nada!"))
    for line in ("¿qué servicios tienen?", "gracias"):
        assert client.post(f"/v1/chat/{tenant.slug}/messages",
                           json={"session_id": session, "text": line}).status_code == 200
    history = client.get(f"/v1/chat/{tenant.slug}/messages",
                         params={"session_id": session}).json()
    assert [(m["role"], m["text"]) for m in history] == [
        ("user", "¿qué servicios tienen?"), ("assistant", "Tenemos consulta y limpieza."),
        ("user", "gracias"), ("assistant", "¡De nada!")]
    assert all(m["at"].endswith("Z") or "+" in m["at"] for m in history)
    other = client.get(f"/v1/chat/{tenant.slug}/messages", params={"session_id": "n" * 32})
    assert other.status_code == 200 and other.json() == []
    assert client.get(f"/v1/chat/{tenant.slug}/messages",
                      params={"session_id": "short"}).status_code == 422
    assert client.get("/v1/chat/no-such-shop/messages",
                      params={"session_id": session}).status_code == 404


def test_the_widget_config_has_the_greeting_and_a_privacy_notice(
        client: TestClient, db: Session) -> None:
    tenant = make_tenant(db, name="Estética <Luz>")
    config = client.get(f"/v1/chat/{tenant.slug}/config").json()
    assert config["name"] == "Estética <Luz>" and config["greeting"]
    assert config["privacy_notice_url"].endswith(f"/privacy/{tenant.slug}")
    notice = client.get(f"/privacy/{tenant.slug}")
    assert notice.status_code == 200 and "Estética &lt;Luz&gt;" in notice.text
    assert "asistente virtual" in notice.text and "180 días" in notice.text
    assert "Privacy notice" in client.get(f"/privacy/{tenant.slug}",
                                          headers={"Accept-Language": "en-US"}).text
    tenant.privacy_notice_url = "https://luz.example/privacidad"
    db.add(tenant)
    db.commit()
    config = client.get(f"/v1/chat/{tenant.slug}/config").json()
    assert config["privacy_notice_url"] == "https://luz.example/privacidad"


def test_widget_js_is_served_as_javascript(client: TestClient) -> None:
    response = client.get("/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert "data-business" in response.text or "business" in response.text


# --- CORS: only the business's own sites --------------------------------------------

def _allow(db: Session, *origins: str) -> str:
    tenant = make_tenant(db, widget_origins=list(origins))
    return tenant.slug


def test_an_allowed_site_gets_cors_headers_and_its_preflight_answered(
        client: TestClient, db: Session, stub: OpenAIStub) -> None:
    slug = _allow(db, "https://shop.example", "http://localhost:*")
    for origin in ("https://shop.example", "http://localhost:5173"):
        preflight = client.options(f"/v1/chat/{slug}/messages", headers={
            "Origin": origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type"})
        assert preflight.status_code == 204
        assert preflight.headers["access-control-allow-origin"] == origin
        assert "POST" in preflight.headers["access-control-allow-methods"]
        assert "access-control-allow-credentials" not in preflight.headers
    stub.push(text("hola"))
    posted = client.post(f"/v1/chat/{slug}/messages", headers={"Origin": "https://shop.example"},
                         json={"session_id": SESSION, "text": "hola"})
    assert posted.status_code == 200
    assert posted.headers["access-control-allow-origin"] == "https://shop.example"
    assert posted.headers["access-control-expose-headers"] == "Retry-After"
    assert posted.headers["vary"] == "Origin"
    unknown = client.get("/v1/chat/no-such-shop/config", headers={"Origin": "https://x.example"})
    assert unknown.status_code == 404
    assert unknown.headers["access-control-allow-origin"] == "https://x.example"


@pytest.mark.parametrize("origin", ["https://evil.example", "http://shop.example",
                                    "https://shop.example.evil.example", "null"])
def test_a_site_not_allowed_is_refused_and_nothing_is_stored(
        client: TestClient, db: Session, origin: str) -> None:
    slug = _allow(db, "https://shop.example")
    preflight = client.options(f"/v1/chat/{slug}/messages", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 403
    assert "access-control-allow-methods" not in preflight.headers
    posted = client.post(f"/v1/chat/{slug}/messages", headers={"Origin": origin},
                         json={"session_id": SESSION, "text": "hola"})
    assert posted.status_code == 403 and "widget_origins" in posted.json()["detail"]
    assert client.get(f"/v1/chat/{slug}/config", headers={"Origin": origin}).status_code == 403
    db.commit()
    assert db.exec(select(Message)).all() == []


def test_mostradors_own_chat_page_and_clients_without_origin_are_not_affected(
        client: TestClient, db: Session) -> None:
    slug = _allow(db)
    assert client.get(f"/v1/chat/{slug}/config",
                      headers={"Origin": "http://testserver"}).status_code == 200
    assert client.get(f"/v1/chat/{slug}/config").status_code == 200


# --- rate limits (embedded mode; the Redis mode is in tests/channels/durable) ------------

@pytest.fixture
def limited(db_url: str, engine: Engine, stub: OpenAIStub) -> Iterator[TestClient]:
    settings = Settings(env="test", database_url=db_url, llm="openai", openai_api_key="sk-test",
                        openai_base_url=stub.base_url, llm_max_retries=0,
                        chat_messages_per_session_per_minute=2, chat_rate_per_ip_per_minute=6,
                        chat_sessions_per_ip_per_hour=2)
    runtime = AgentRuntime(settings, engine, clock=lambda: NOW)
    with TestClient(create_app(settings, runtime)) as test_client:
        yield test_client


def test_over_the_messages_per_session_limit_is_429_with_retry_after(
        limited: TestClient, stub: OpenAIStub, db: Session) -> None:
    tenant = make_tenant(db)
    stub.default = lambda _body: text("ok")
    url = f"/v1/chat/{tenant.slug}/messages"
    codes = [limited.post(url, json={"session_id": SESSION, "text": f"hola {n}"}).status_code
             for n in range(3)]
    assert codes == [200, 200, 429]
    refused = limited.post(url, json={"session_id": SESSION, "text": "otra vez"})
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert "messages in this chat" in refused.json()["detail"]
    # Another session is not affected; the refused messages were not stored.
    assert limited.post(url, json={"session_id": UTM_SESSION, "text": "hola"}).status_code == 200
    db.commit()
    assert len([m for m in db.exec(select(Message)) if m.role == "user"]) == 3


def test_over_the_per_address_limits_is_429(limited: TestClient, db: Session) -> None:
    tenant = make_tenant(db)
    sessions = [limited.post(f"/v1/chat/{tenant.slug}/sessions").status_code for _ in range(3)]
    assert sessions == [201, 201, 429]
    codes = [limited.get(f"/v1/chat/{tenant.slug}/config").status_code for _ in range(4)]
    assert codes[-1] == 429  # 6 requests a minute from one address, whatever the endpoint
    assert int(limited.get(f"/v1/chat/{tenant.slug}/config").headers["retry-after"]) >= 1
