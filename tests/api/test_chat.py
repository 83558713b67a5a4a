"""POST /v1/chat/{tenant}/messages and the chat page: contract, validation, UTM capture."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from crm.models import Lead
from tests.factories import make_tenant
from tests.support.openai_stub import OpenAIStub, text, tool_call


def test_a_message_gets_the_agents_reply(client: TestClient, stub: OpenAIStub,
                                         db: Session) -> None:
    tenant = make_tenant(db)
    stub.push(text("¡Hola! ¿En qué te ayudo?"))
    response = client.post(f"/v1/chat/{tenant.slug}/messages",
                           json={"session_id": "web-session-1", "text": "hola"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"conversation_id", "reply"}
    assert body["reply"] == "¡Hola! ¿En qué te ayudo?" and len(body["conversation_id"]) == 32


def test_unknown_business_is_404(client: TestClient) -> None:
    response = client.post("/v1/chat/no-such-shop/messages",
                           json={"session_id": "web-session-1", "text": "hola"})
    assert response.status_code == 404
    assert client.get("/chat/no-such-shop").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"session_id": "web-session-1", "text": ""},
        {"session_id": "web-session-1", "text": "   \n"},
        {"session_id": "web-session-1", "text": "a" * 4001},
        {"session_id": "web-session-1"},
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
                           json={"session_id": "web-session-1", "text": "a" * 4000})
    assert response.status_code == 200


def test_utm_parameters_land_on_the_lead_the_conversation_creates(
    client: TestClient, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    stub.push(tool_call("save_contact_details", {"name": "Lía Soto", "phone": "11 5555-0101"}),
              text("Gracias Lía."))
    utm = {"utm_source": "instagram", "utm_campaign": "blanqueamiento-nov", "other": "x"}
    response = client.post(f"/v1/chat/{tenant.slug}/messages",
                           json={"session_id": "web-session-utm", "text": "soy Lía Soto, "
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
