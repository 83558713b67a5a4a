"""The staff API: authentication, shapes, roles and tenant isolation."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from crm.models import (
    ApiToken,
    AuditEvent,
    Channel,
    Conversation,
    Lead,
    LeadSource,
    Role,
)
from crm.services import booking
from crm.services.tokens import hash_token
from tests.conftest import NOW
from tests.factories import make_contact, make_tenant, make_token, make_user


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _world(db: Session) -> dict[str, object]:
    """Two tenants; in A an admin, two sellers, a lead for each seller, an appointment each."""
    a, b = make_tenant(db), make_tenant(db)
    admin = make_user(db, a, role=Role.admin)
    lucia, martin = make_user(db, a), make_user(db, a)
    rows = {}
    for n, seller in enumerate((lucia, martin)):
        contact = make_contact(db, a, name=f"Cliente {n}", phone=f"+54911555500{n:02d}")
        db.add(Lead(tenant_id=a.id, contact_id=contact.id, source=LeadSource.web,
                    assigned_to=seller.id))
        conversation = Conversation(tenant_id=a.id, contact_id=contact.id, channel=Channel.web,
                                    external_id=f"s-{n}")
        db.add(conversation)
        db.commit()
        booking.book(db, tenant=a, contact=contact, service_name="Consulta general",
                     day=date(2026, 11, 24), at=time(10 + n), now=NOW)
        db.commit()
        rows[seller.id] = (contact, conversation)
    b_contact = make_contact(db, b, name="Cliente B", phone="+5491155559999")
    db.add(Lead(tenant_id=b.id, contact_id=b_contact.id, source=LeadSource.manual))
    b_conv = Conversation(tenant_id=b.id, contact_id=b_contact.id, channel=Channel.web,
                          external_id="s-b")
    db.add(b_conv)
    db.commit()
    b_admin = make_user(db, b, role=Role.admin)
    return {"a": a, "b": b, "admin": make_token(db, admin), "lucia": make_token(db, lucia),
            "lucia_id": lucia.id, "rows": rows, "b_admin": make_token(db, b_admin),
            "b_conversation": b_conv}


@pytest.mark.parametrize("path", ["/v1/leads", "/v1/appointments", "/v1/agent-config",
                                  "/v1/conversations/abc"])
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer mst_nope"},
                                     {"Authorization": "Basic Zm9vOmJhcg=="}])
def test_missing_or_invalid_token_is_401(client: TestClient, path: str,
                                         headers: dict[str, str]) -> None:
    assert client.get(path, headers=headers).status_code == 401


def test_a_revoked_token_is_401(client: TestClient, db: Session) -> None:
    tenant = make_tenant(db)
    token = make_token(db, make_user(db, tenant, role=Role.admin))
    assert client.get("/v1/leads", headers=_auth(token)).status_code == 200
    row = db.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).one()
    row.revoked_at = datetime.now(UTC)
    db.add(row)
    db.commit()
    assert client.get("/v1/leads", headers=_auth(token)).status_code == 401


def test_tokens_are_stored_only_as_hashes(db: Session) -> None:
    tenant = make_tenant(db)
    token = make_token(db, make_user(db, tenant))
    stored = [r.token_hash for r in db.exec(select(ApiToken))]
    assert token not in stored and hash_token(token) in stored


def test_admin_sees_all_leads_with_e164_phones(client: TestClient, db: Session) -> None:
    world = _world(db)
    leads = client.get("/v1/leads", headers=_auth(world["admin"])).json()
    assert len(leads) == 2
    assert {"id", "name", "phone", "email", "source", "stage", "assigned_to"} <= set(leads[0])
    assert all(lead["phone"].startswith("+549") for lead in leads)


def test_seller_sees_only_their_leads_appointments_and_conversations(
    client: TestClient, db: Session
) -> None:
    world = _world(db)
    token = world["lucia"]
    leads = client.get("/v1/leads", headers=_auth(token)).json()
    assert [lead["assigned_to"] for lead in leads] == [world["lucia_id"]]
    appointments = client.get("/v1/appointments", headers=_auth(token)).json()
    own_contact, own_conv = world["rows"][world["lucia_id"]]
    assert [a["contact"]["name"] for a in appointments] == [own_contact.name]
    others = [conv for seller, (_, conv) in world["rows"].items() if seller != world["lucia_id"]]
    assert client.get(f"/v1/conversations/{own_conv.id}", headers=_auth(token)).status_code == 200
    assert client.get(f"/v1/conversations/{others[0].id}",
                      headers=_auth(token)).status_code == 404


def test_a_tenant_never_sees_another_tenants_rows(client: TestClient, db: Session) -> None:
    world = _world(db)
    b_leads = client.get("/v1/leads", headers=_auth(world["b_admin"])).json()
    assert [lead["name"] for lead in b_leads] == ["Cliente B"]
    assert client.get("/v1/appointments", headers=_auth(world["b_admin"])).json() == []
    for _, conversation in world["rows"].values():
        response = client.get(f"/v1/conversations/{conversation.id}",
                              headers=_auth(world["b_admin"]))
        assert response.status_code == 404
    response = client.get(f"/v1/conversations/{world['b_conversation'].id}",
                          headers=_auth(world["admin"]))
    assert response.status_code == 404


def test_appointments_list_every_status_with_offsets_and_filter(
    client: TestClient, db: Session
) -> None:
    world = _world(db)
    contact, _ = next(iter(world["rows"].values()))
    booking.cancel(db, contact=contact, now=NOW)
    db.commit()
    every = client.get("/v1/appointments", headers=_auth(world["admin"])).json()
    assert sorted(a["status"] for a in every) == ["cancelada", "confirmada"]
    assert every[0]["start"] == "2026-11-24T10:00:00-03:00"
    assert every[0]["end"] == "2026-11-24T10:30:00-03:00"
    assert set(every[0]["contact"]) == {"name", "phone"}
    cancelled = client.get("/v1/appointments?status=cancelada",
                           headers=_auth(world["admin"])).json()
    assert [a["status"] for a in cancelled] == ["cancelada"]
    assert client.get("/v1/appointments?status=perdida",
                      headers=_auth(world["admin"])).status_code == 422


def test_only_admins_change_the_agent_config(client: TestClient, db: Session) -> None:
    world = _world(db)
    body = {"persona": "Sos Sonri, la asistente.", "enabled_tools": ["list_services",
                                                                      "business_info"]}
    assert client.put("/v1/agent-config", json=body,
                      headers=_auth(world["lucia"])).status_code == 403
    response = client.put("/v1/agent-config", json=body, headers=_auth(world["admin"]))
    assert response.status_code == 200
    assert response.json()["persona"] == "Sos Sonri, la asistente."
    assert response.json()["enabled_tools"] == ["list_services", "business_info"]
    bad = client.put("/v1/agent-config", json={"enabled_tools": ["rm_rf"]},
                     headers=_auth(world["admin"]))
    assert bad.status_code == 422
    other = client.get("/v1/agent-config", headers=_auth(world["b_admin"])).json()
    assert other["persona"] != "Sos Sonri, la asistente."


def test_openapi_docs_are_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/chat/{tenant_slug}/messages", "/v1/leads", "/v1/appointments",
            "/v1/conversations/{conversation_id}", "/v1/agent-config"} <= set(paths)



def test_token_use_is_recorded_at_most_once_a_minute(client: TestClient, db: Session) -> None:
    tenant = make_tenant(db)
    token = make_token(db, make_user(db, tenant, role=Role.admin))
    row = db.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).one()
    assert row.last_used_at is None
    assert client.get("/v1/leads", headers=_auth(token)).status_code == 200
    db.commit()
    db.refresh(row)
    first = row.last_used_at
    assert first is not None
    assert client.get("/v1/leads", headers=_auth(token)).status_code == 200
    db.commit()
    db.refresh(row)
    assert row.last_used_at == first  # a read a moment later does not write again


def test_staff_see_same_phone_contacts_and_link_a_conversation_by_hand(
        client: TestClient, db: Session) -> None:
    from crm.services.contacts import update_contact_details

    world = _world(db)
    a = world["a"]
    contact, _ = next(iter(world["rows"].values()))  # type: ignore[attr-defined]
    visitor = make_contact(db, a)  # type: ignore[arg-type]
    update_contact_details(db, tenant=a, contact=visitor, name="Visita",  # type: ignore[arg-type]
                           phone=contact.phone)
    chat = Conversation(tenant_id=a.id, contact_id=visitor.id,  # type: ignore[attr-defined]
                        channel=Channel.web, external_id="s-visita")
    db.add(chat)
    db.commit()
    admin = _auth(world["admin"])  # type: ignore[arg-type]
    seen = client.get(f"/v1/contacts/{visitor.id}", headers=admin).json()
    assert (seen["phone"], seen["claimed_phone"], seen["phone_verified"]) == (
        None, contact.phone, False)
    assert seen["same_as"] == [{"field": "phone", "contact_id": contact.id,
                                "name": contact.name}]
    linked = client.post(f"/v1/conversations/{chat.id}/link", headers=admin,
                         json={"contact_id": contact.id})
    assert linked.status_code == 200 and linked.json()["id"] == contact.id
    assert chat.id in linked.json()["conversation_ids"]
    assert client.get(f"/v1/contacts/{visitor.id}", headers=admin).status_code == 404
    db.commit()
    events = [e.action for e in db.exec(select(AuditEvent).where(
        AuditEvent.action == "contact.link"))]
    assert events == ["contact.link"]
    other = world["b_conversation"]
    assert client.post(f"/v1/conversations/{other.id}/link", headers=admin,  # type: ignore[attr-defined]
                       json={"contact_id": contact.id}).status_code == 404
