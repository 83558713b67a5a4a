"""The access matrix: every staff endpoint × every role × own/other business × a seller's
assigned/unassigned lead, against the designed answer.

The design, in one rule: a token whose scopes (its role's, or fewer) lack the endpoint's
scope gets 403; then a row of another business — or, for a seller, a row that does not
hang off a lead assigned to them — is 404; otherwise the endpoint answers. Operators act as
admins of the business their `X-Mostrador-Tenant` header names.

A guard test fails when an endpoint is added without a row here.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from agent.runtime import AgentRuntime
from api.app import create_app
from crm.crypto import box_for
from crm.models import (
    ROLE_SCOPES,
    ApiToken,
    AuditEvent,
    Channel,
    ChannelKind,
    Conversation,
    Lead,
    LeadSource,
    PrivacyRequest,
    RequestStatus,
    RequestType,
    Role,
    Scope,
    Service,
    SubjectKind,
    Tenant,
    User,
    utcnow,
)
from crm.services import booking
from crm.services.connections import create_connection
from crm.services.tokens import issue_token, issue_token_row
from crm.settings import Settings
from tests.conftest import NOW
from tests.factories import make_contact, make_tenant, make_user

ROLES = ("admin", "seller", "ml", "operator")
TARGETS = ("assigned", "unassigned", "other")


@dataclass
class World:
    """Business A (own) and B (other). In A the seller has one lead assigned (`assigned`);
    another seller has the other (`unassigned`)."""

    a: Tenant
    b: Tenant
    tokens: dict[str, str]
    ids: dict[str, dict[str, str]] = field(default_factory=dict)  # target -> kind -> id
    users: dict[str, User] = field(default_factory=dict)
    make: dict[str, Callable[[str], str]] = field(default_factory=dict)  # per-call fresh ids


def _lead_world(db: Session, tenant: Tenant, seller: User | None, n: int) -> dict[str, str]:
    contact = make_contact(db, tenant, name=f"Cliente {n}", phone=f"+54911555510{n:02d}")
    lead = Lead(tenant_id=tenant.id, contact_id=contact.id, source=LeadSource.web,
                assigned_to=seller.id if seller else None)
    conversation = Conversation(tenant_id=tenant.id, contact_id=contact.id,
                                channel=Channel.web, external_id=f"s-{n}-{uuid.uuid4().hex}")
    db.add(lead)
    db.add(conversation)
    db.commit()
    booking.book(db, tenant=tenant, contact=contact, service_name="Consulta general",
                 day=date(2026, 11, 24), at=time(10 + n), now=NOW)
    db.commit()
    service = db.exec(select(Service).where(Service.tenant_id == tenant.id)).first()
    assert service is not None
    return {"lead": lead.id, "contact": contact.id, "conversation": conversation.id,
            "service": service.id}


# Appointments the matrix books: unique future slots (the API books against the real
# clock), on weekdays within make_tenant's opening hours (9 to 18).
_SLOTS = itertools.count()


def next_slot() -> datetime:
    n = next(_SLOTS)
    day, hour = divmod(n, 8)
    start = date(2027, 3, 1) + timedelta(days=day // 5 * 7 + day % 5)  # Mondays onwards
    return datetime.combine(start, time(9 + hour))


def _fresh_person(db: Session, tenant: Tenant, seller: User | None) -> dict[str, str]:
    """A contact with a lead (assigned to `seller`), a conversation and an appointment."""
    contact = make_contact(db, tenant, name="Cliente Nuevo")
    db.add(Lead(tenant_id=tenant.id, contact_id=contact.id, source=LeadSource.web,
                assigned_to=seller.id if seller else None))
    conversation = Conversation(tenant_id=tenant.id, contact_id=contact.id,
                                channel=Channel.web, external_id=f"s-{uuid.uuid4().hex}")
    db.add(conversation)
    db.commit()
    slot = next_slot()
    appointment = booking.book(db, tenant=tenant, contact=contact,
                               service_name="Consulta general", day=slot.date(),
                               at=slot.time(), now=NOW, require_contact_data=False)
    db.commit()
    return {"contact": contact.id, "conversation": conversation.id,
            "appointment": appointment.id}


@pytest.fixture
def world(db: Session, settings: Settings) -> World:
    a, b = make_tenant(db), make_tenant(db)
    seller, other_seller = make_user(db, a), make_user(db, a)
    users = {"admin": make_user(db, a, role=Role.admin), "seller": seller,
             "ml": make_user(db, a, role=Role.ml)}
    operator = User(tenant_id=None, email=f"op-{uuid.uuid4().hex[:6]}@mostrador.test",
                    name="Soporte", role=Role.operator)
    db.add(operator)
    db.commit()
    users["operator"] = operator
    tokens = {role: issue_token(db, user=user) for role, user in users.items()}
    db.commit()
    world = World(a=a, b=b, tokens=tokens, users=users)
    world.ids["assigned"] = _lead_world(db, a, seller, 1)
    world.ids["unassigned"] = _lead_world(db, a, other_seller, 2)
    world.ids["other"] = _lead_world(db, b, make_user(db, b), 3)
    b_admin = make_user(db, b, role=Role.admin)
    for target, user in (("assigned", users["admin"]), ("unassigned", seller),
                         ("other", b_admin)):
        world.ids[target]["user"] = user.id
    box = box_for(settings)

    def connection(target: str) -> str:
        tenant = b if target == "other" else a
        row = create_connection(db, box=box, tenant=tenant, kind=ChannelKind.messenger,
                                account_id=str(uuid.uuid4().int)[:15], access_token="t0k3n",
                                verify_token=uuid.uuid4().hex, app_secret="s3cr3t")
        db.commit()
        return row.id

    def token(target: str) -> str:
        owner = {"assigned": users["admin"], "unassigned": seller, "other": b_admin}[target]
        row = issue_token_row(db, user=owner)[1]
        db.commit()
        return row.id

    def request(target: str, *, done: bool) -> str:
        tenant = b if target == "other" else a
        now = utcnow()
        row = PrivacyRequest(
            tenant_id=tenant.id, type=RequestType.access, subject_kind=SubjectKind.contact_id,
            status=RequestStatus.completed if done else RequestStatus.pending,
            subject_hint="c", contact_ids=[world.ids[target]["contact"]], due_at=now,
            deadline_at=now + timedelta(days=10), completed_at=now if done else None,
            download_until=now + timedelta(days=7) if done else None)
        db.add(row)
        db.commit()
        return row.id

    b_seller = make_user(db, b)
    sellers = {"assigned": seller, "unassigned": other_seller, "other": b_seller}

    def fresh(kind: str) -> Callable[[str], str]:
        return lambda target: _fresh_person(db, b if target == "other" else a,
                                            sellers[target])[kind]

    world.make = {"connection": connection, "token": token,
                  "request": lambda target: request(target, done=True),
                  "pending_request": lambda target: request(target, done=False),
                  "conversation": fresh("conversation"), "contact": fresh("contact"),
                  "appointment": fresh("appointment")}
    return world


@pytest.fixture
def app_client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    runtime = AgentRuntime(settings, engine, clock=lambda: NOW)
    with TestClient(create_app(settings, runtime)) as client:
        yield client


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str                   # {lead}, {contact}, {conversation}, {service}, {user}...
    scope: Scope | None         # None: any authenticated staff (own-resource endpoints)
    ok: int = 200
    seller_scoped: bool = False  # a seller reaches only rows of their assigned leads
    body: Callable[[], dict[str, Any] | list[Any]] | None = None
    targeted: bool = True       # the path names a row (own-assigned/unassigned/other)
    # For DELETE-like endpoints: a fresh row per call, from World.make.
    fresh: str | None = None


def _unique() -> str:
    return uuid.uuid4().hex[:8]


ENDPOINTS: list[Endpoint] = [
    Endpoint("GET", "/v1/leads", Scope.crm_read, targeted=False),
    Endpoint("GET", "/v1/leads/{lead}", Scope.crm_read, seller_scoped=True),
    Endpoint("PATCH", "/v1/leads/{lead}", Scope.crm_write, seller_scoped=True,
             body=lambda: {"stage": "contactado"}),
    Endpoint("GET", "/v1/contacts/{contact}", Scope.crm_read, seller_scoped=True),
    Endpoint("PATCH", "/v1/contacts/{contact}", Scope.crm_write, seller_scoped=True,
             body=lambda: {"name": "Nombre Corregido"}),
    Endpoint("PUT", "/v1/contacts/{contact}/training-objection", Scope.crm_write,
             seller_scoped=True, body=lambda: {"objected": False}),
    Endpoint("GET", "/v1/appointments", Scope.crm_read, targeted=False),
    Endpoint("GET", "/v1/metrics/summary", Scope.crm_read, targeted=False),
    Endpoint("GET", "/v1/conversations", Scope.crm_read, targeted=False),
    Endpoint("GET", "/v1/conversations/{conversation}", Scope.crm_read, seller_scoped=True),
    # Links the conversation to its own contact (a no-op merge): the body is set in _call.
    Endpoint("POST", "/v1/conversations/{conversation}/link", Scope.crm_write,
             seller_scoped=True),
    Endpoint("POST", "/v1/conversations/{conversation}/takeover", Scope.crm_write,
             seller_scoped=True),
    Endpoint("POST", "/v1/conversations/{conversation}/release", Scope.crm_write,
             seller_scoped=True),
    Endpoint("POST", "/v1/conversations/{conversation}/messages", Scope.crm_write,
             seller_scoped=True, ok=201, body=lambda: {"text": "Te escribe el equipo"}),
    Endpoint("DELETE", "/v1/conversations/{conversation}", Scope.privacy_manage, ok=204,
             fresh="conversation"),
    Endpoint("DELETE", "/v1/contacts/{contact}", Scope.privacy_manage, ok=204,
             fresh="contact"),
    Endpoint("POST", "/v1/leads", Scope.crm_write, ok=201, targeted=False,
             body=lambda: {"name": "Cliente de mostrador"}),
    # The body (this target's contact and service, a free slot) is set in _call.
    Endpoint("POST", "/v1/appointments", Scope.crm_write, ok=201, seller_scoped=True),
    Endpoint("PATCH", "/v1/appointments/{appointment}", Scope.crm_write, seller_scoped=True,
             fresh="appointment", body=lambda: {"status": "cancelada"}),
    Endpoint("POST", "/v1/users/{user}/invitation", Scope.users_manage, ok=201),
    Endpoint("GET", "/v1/agent-config", Scope.config_write, targeted=False),
    Endpoint("PUT", "/v1/agent-config", Scope.config_write, targeted=False,
             body=lambda: {"greeting": "¡Hola!"}),
    Endpoint("GET", "/v1/business", Scope.business_read, targeted=False),
    Endpoint("PUT", "/v1/business", Scope.config_write, targeted=False,
             body=lambda: {"slot_step_minutes": 30}),
    Endpoint("PATCH", "/v1/business/hours/{day}", Scope.config_write, targeted=False,
             body=lambda: [["09:00", "13:00"]]),
    Endpoint("POST", "/v1/services", Scope.config_write, ok=201, targeted=False,
             body=lambda: {"name": f"Servicio {_unique()}", "duration_minutes": 30,
                           "price": "1000"}),
    Endpoint("PUT", "/v1/services/{service}", Scope.config_write,
             body=lambda: {"name": "Consulta general", "duration_minutes": 30,
                           "price": "25000"}),
    Endpoint("DELETE", "/v1/services/{service}", Scope.config_write, ok=204),
    Endpoint("GET", "/v1/connections", Scope.config_write, targeted=False),
    *[Endpoint("POST", f"/v1/connections/{kind}", Scope.config_write, ok=201, targeted=False,
               body=body) for kind, body in (
        ("whatsapp", lambda: {"phone_number_id": str(uuid.uuid4().int)[:15],
                              "access_token": "t", "verify_token": _unique(),
                              "app_secret": "s"}),
        ("instagram", lambda: {"account_id": str(uuid.uuid4().int)[:15], "page_token": "t",
                               "verify_token": _unique(), "app_secret": "s"}),
        ("messenger", lambda: {"page_id": str(uuid.uuid4().int)[:15], "page_token": "t",
                               "verify_token": _unique(), "app_secret": "s"}),
        ("lead-ads", lambda: {"page_id": str(uuid.uuid4().int)[:15], "page_token": "t",
                              "verify_token": _unique(), "app_secret": "s"}))],
    Endpoint("DELETE", "/v1/connections/{connection}", Scope.config_write, ok=204,
             fresh="connection"),
    Endpoint("POST", "/v1/corpus/exports", Scope.corpus_export, ok=202, targeted=False,
             body=lambda: {"format": "jsonl"}),
    Endpoint("GET", "/v1/users", Scope.users_manage, targeted=False),
    Endpoint("POST", "/v1/users", Scope.users_manage, ok=201, targeted=False,
             body=lambda: {"email": f"{_unique()}@staff.test", "name": "Nueva",
                           "role": "seller"}),
    Endpoint("PATCH", "/v1/users/{user}", Scope.users_manage, body=lambda: {"name": "Otro"}),
    Endpoint("POST", "/v1/tokens", Scope.users_manage, ok=201, body=None, targeted=True),
    Endpoint("POST", "/v1/privacy/requests", Scope.privacy_manage, ok=202, targeted=False,
             body=lambda: {"type": "access", "subject": {"email": "nadie@correo.test"}}),
    Endpoint("GET", "/v1/privacy/requests", Scope.privacy_manage, targeted=False),
    Endpoint("GET", "/v1/privacy/requests/{request}", Scope.privacy_manage, fresh="request"),
    Endpoint("GET", "/v1/privacy/requests/{request}/download", Scope.privacy_manage,
             fresh="request"),
    Endpoint("POST", "/v1/privacy/requests/{request}/cancel", Scope.privacy_manage,
             fresh="pending_request"),
    Endpoint("GET", "/v1/privacy/settings", Scope.privacy_manage, targeted=False),
    Endpoint("PUT", "/v1/privacy/settings", Scope.privacy_manage, targeted=False,
             body=lambda: {"conversation_retention_days": 180}),
    Endpoint("GET", "/v1/audit", Scope.audit_read, targeted=False),
    Endpoint("GET", "/v1/audit/verify", Scope.audit_read, targeted=False),
]
# Checked separately below: GET/DELETE /v1/tokens (own tokens for everyone), the corpus
# export's status and files (an export id of the caller's business), and the public routes.
SEPARATE = {("GET", "/v1/tokens"), ("DELETE", "/v1/tokens/{token_id}"),
            ("POST", "/v1/operator/tenants"),
            ("GET", "/v1/corpus/exports/{export_id}"),
            ("GET", "/v1/corpus/exports/{export_id}/files/{name}")}
PUBLIC = {("POST", "/v1/chat/{tenant_slug}/messages"), ("GET", "/v1/chat/{tenant_slug}/events"),
          ("GET", "/v1/chat/{tenant_slug}/messages"), ("POST", "/v1/chat/{tenant_slug}/sessions"),
          ("GET", "/v1/chat/{tenant_slug}/config")}


def expected(endpoint: Endpoint, role: str, target: str) -> int:
    if endpoint.scope is not None and endpoint.scope not in ROLE_SCOPES[Role(role)]:
        return 403
    if endpoint.targeted and target == "other":
        return 404
    if endpoint.seller_scoped and role == "seller" and target == "unassigned":
        return 404
    return endpoint.ok


def _headers(world: World, role: str) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {world.tokens[role]}"}
    if role == "operator":
        headers["X-Mostrador-Tenant"] = world.a.slug
    return headers


def _call(client: TestClient, world: World, endpoint: Endpoint, role: str,
          target: str) -> int:
    ids = {**world.ids[target], "day": "sat"}
    if endpoint.fresh:
        key = "request" if endpoint.fresh.endswith("request") else endpoint.fresh
        ids[key] = world.make[endpoint.fresh](target)
    path = endpoint.path.format(**ids)
    body = endpoint.body() if endpoint.body else None
    if endpoint.path == "/v1/tokens":
        body = {"user_id": ids["user"]}
    if endpoint.path.endswith("/link"):
        body = {"contact_id": ids["contact"]}
    if endpoint.path == "/v1/appointments" and endpoint.method == "POST":
        body = {"contact_id": ids["contact"], "service_id": ids["service"],
                "start": next_slot().isoformat()}
    response = client.request(endpoint.method, path, headers=_headers(world, role), json=body)
    return response.status_code


def test_every_staff_endpoint_answers_every_role_as_designed(app_client: TestClient,
                                                             world: World) -> None:
    mismatches = []
    for endpoint, role in itertools.product(ENDPOINTS, ROLES):
        targets = TARGETS if endpoint.targeted else ("assigned",)
        for target in targets:
            got = _call(app_client, world, endpoint, role, target)
            want = expected(endpoint, role, target)
            if got != want:
                mismatches.append(f"{endpoint.method} {endpoint.path} as {role} on {target}: "
                                  f"{got}, expected {want}")
    assert mismatches == []


def test_the_matrix_covers_every_staff_endpoint(app_client: TestClient) -> None:
    # The OpenAPI document lists every mounted route (FastAPI wraps included routers, so
    # app.routes does not show them directly); staff routes are all in it.
    paths = app_client.app.openapi()["paths"]  # type: ignore[attr-defined]
    routes = {(method.upper(), path) for path, item in paths.items()
              if path.startswith("/v1/") for method in item}
    assert len(routes) > 30  # the document is read, not empty
    covered = {(e.method, e.path.replace("{lead}", "{lead_id}")
                .replace("{contact}", "{contact_id}")
                .replace("{conversation}", "{conversation_id}")
                .replace("{service}", "{service_id}").replace("{user}", "{user_id}")
                .replace("{connection}", "{connection_id}")
                .replace("{appointment}", "{appointment_id}")
                .replace("{request}", "{request_id}")) for e in ENDPOINTS}
    assert routes - covered - SEPARATE - PUBLIC == set()
    assert covered - routes == set()  # no row for an endpoint that does not exist


def test_sellers_lists_hold_only_their_assigned_leads(app_client: TestClient,
                                                      world: World) -> None:
    seller = _headers(world, "seller")
    mine = world.ids["assigned"]
    leads = app_client.get("/v1/leads", headers=seller).json()
    assert [lead["id"] for lead in leads] == [mine["lead"]]
    appointments = app_client.get("/v1/appointments", headers=seller).json()
    assert {a["contact_id"] for a in appointments} == {mine["contact"]}
    conversations = app_client.get("/v1/conversations", headers=seller).json()
    assert [c["id"] for c in conversations] == [mine["conversation"]]
    admin = _headers(world, "admin")
    assert len(app_client.get("/v1/leads", headers=admin).json()) == 2  # never business B's
    operator = _headers(world, "operator")
    assert len(app_client.get("/v1/leads", headers=operator).json()) == 2


def test_a_seller_cannot_reassign_a_lead(app_client: TestClient, world: World) -> None:
    lead = world.ids["assigned"]["lead"]
    response = app_client.patch(f"/v1/leads/{lead}", headers=_headers(world, "seller"),
                                json={"assigned_to": None})
    assert response.status_code == 403


def test_tokens_list_and_revoke_are_own_unless_users_manage(app_client: TestClient,
                                                             world: World, db: Session) -> None:
    seller = _headers(world, "seller")
    own = app_client.get("/v1/tokens", headers=seller).json()
    assert {t["user_id"] for t in own} == {world.users["seller"].id}
    assert app_client.get(f"/v1/tokens?user_id={world.users['admin'].id}",
                          headers=seller).status_code == 403
    admins_token = world.make["token"]("assigned")
    assert app_client.delete(f"/v1/tokens/{admins_token}", headers=seller).status_code == 404
    assert app_client.delete(f"/v1/tokens/{admins_token}",
                             headers=_headers(world, "admin")).status_code == 204
    other_business = world.make["token"]("other")
    assert app_client.delete(f"/v1/tokens/{other_business}",
                             headers=_headers(world, "admin")).status_code == 404
    # a user revokes their own token, and it stops working at once
    own_id = own[0]["id"]
    assert app_client.delete(f"/v1/tokens/{own_id}", headers=seller).status_code == 204
    assert app_client.get("/v1/leads", headers=seller).status_code == 401


def test_corpus_export_status_and_files_belong_to_the_exporters_business(
        app_client: TestClient, world: World, db: Session) -> None:
    ml = _headers(world, "ml")
    started = app_client.post("/v1/corpus/exports", headers=ml, json={"format": "jsonl"})
    export_id = started.json()["id"]
    assert app_client.get(f"/v1/corpus/exports/{export_id}", headers=ml).status_code == 200
    for role in ("admin", "seller", "operator"):
        assert app_client.get(f"/v1/corpus/exports/{export_id}",
                              headers=_headers(world, role)).status_code == 403
    b_ml = issue_token(db, user=make_user(db, world.b, role=Role.ml))
    db.commit()
    assert app_client.get(f"/v1/corpus/exports/{export_id}",
                          headers={"Authorization": f"Bearer {b_ml}"}).status_code == 404


@pytest.mark.parametrize("problem", ["missing", "garbage", "expired", "revoked", "inactive"])
def test_tokens_that_do_not_authenticate_are_401(app_client: TestClient, world: World,
                                                 db: Session, problem: str) -> None:
    user = make_user(db, world.a, role=Role.admin)
    token, row = issue_token_row(db, user=user)
    db.commit()
    headers = {"Authorization": f"Bearer {token}"}
    if problem == "missing":
        headers = {}
    elif problem == "garbage":
        headers = {"Authorization": "Bearer mst_not-a-token"}
    elif problem == "expired":
        row.expires_at = utcnow() - timedelta(seconds=1)
    elif problem == "revoked":
        row.revoked_at = utcnow()
    else:
        user.active = False
        db.add(user)
    db.add(row)
    db.commit()
    response = app_client.get("/v1/leads", headers=headers)
    assert response.status_code == 401
    if problem in ("expired", "revoked", "inactive"):  # a known token refused: audited
        db.expire_all()
        denied = db.exec(select(AuditEvent).where(AuditEvent.action == "auth.denied")).all()
        assert [(e.resource_ids, e.details) for e in denied] == [([row.id], {"reason": problem})]


def test_a_token_narrowed_to_reading_cannot_write(app_client: TestClient, world: World,
                                                  db: Session) -> None:
    token = issue_token(db, user=world.users["admin"], scopes=["crm:read"])
    db.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert app_client.get("/v1/leads", headers=headers).status_code == 200
    response = app_client.put("/v1/agent-config", headers=headers, json={"greeting": "x"})
    assert response.status_code == 403 and "config:write" in response.json()["detail"]
    lead = world.ids["assigned"]["lead"]
    assert app_client.patch(f"/v1/leads/{lead}", headers=headers,
                            json={"stage": "ganado"}).status_code == 403


def test_demoting_a_user_narrows_and_revokes_their_tokens(app_client: TestClient,
                                                          world: World, db: Session) -> None:
    second_admin = make_user(db, world.a, role=Role.admin)
    token = issue_token(db, user=second_admin)
    db.commit()
    response = app_client.patch(f"/v1/users/{second_admin.id}",
                                headers=_headers(world, "admin"), json={"role": "seller"})
    assert response.status_code == 200
    assert app_client.get("/v1/leads",
                          headers={"Authorization": f"Bearer {token}"}).status_code == 401
    db.expire_all()
    changes = db.exec(select(AuditEvent).where(AuditEvent.action == "user.role_change")).all()
    assert [(e.resource_ids, e.details) for e in changes] == [
        ([second_admin.id], {"from": "admin", "to": "seller"})]


def test_the_last_admin_cannot_be_demoted(app_client: TestClient, world: World) -> None:
    admin = world.users["admin"]
    response = app_client.patch(f"/v1/users/{admin.id}", headers=_headers(world, "admin"),
                                json={"active": False})
    assert response.status_code == 409


def test_operators_name_the_business_and_every_request_is_audited(
        app_client: TestClient, world: World, db: Session) -> None:
    token = {"Authorization": f"Bearer {world.tokens['operator']}"}
    assert app_client.get("/v1/leads", headers=token).status_code == 400
    assert app_client.get("/v1/leads", headers={**token, "X-Mostrador-Tenant": "nope"}
                          ).status_code == 404
    for slug in (world.a.slug, world.b.slug):
        assert app_client.get("/v1/business", headers={
            **token, "X-Mostrador-Tenant": slug}).json()["slug"] == slug
    db.expire_all()
    accesses = db.exec(select(AuditEvent).where(AuditEvent.action == "operator.access")).all()
    assert [(e.tenant_id, e.details) for e in accesses] == [
        (world.a.id, {"method": "GET", "route": "/v1/business"}),
        (world.b.id, {"method": "GET", "route": "/v1/business"})]
    assert {e.actor_id for e in accesses} == {world.users["operator"].id}


def test_reads_of_personal_data_are_audited_with_ids_only(app_client: TestClient,
                                                          world: World, db: Session) -> None:
    mine = world.ids["assigned"]
    seller = _headers(world, "seller")
    app_client.get("/v1/leads", headers=seller)
    app_client.get(f"/v1/contacts/{mine['contact']}", headers=seller)
    app_client.get(f"/v1/conversations/{mine['conversation']}", headers=seller)
    db.expire_all()
    reads = {e.action: e for e in db.exec(select(AuditEvent).where(
        AuditEvent.actor_id == world.users["seller"].id))}
    assert reads["lead.list"].resource_ids == [mine["lead"]]
    assert reads["contact.read"].resource_ids == [mine["contact"]]
    assert reads["conversation.read"].resource_ids == [mine["conversation"]]
    assert all(e.source == "testclient" for e in reads.values())
    text = str([(e.details, e.resource_ids) for e in reads.values()])
    assert "Cliente" not in text and "5491155551" not in text


def test_stored_tokens_are_hashes_that_expire(db: Session, world: World) -> None:
    rows = db.exec(select(ApiToken)).all()
    assert rows and all(len(r.token_hash) == 64 for r in rows)
    assert not any(r.token_hash in world.tokens.values() for r in rows)
    assert all(r.expires_at is not None for r in rows)


def test_only_operators_create_businesses_and_it_is_audited(app_client: TestClient,
                                                           world: World, db: Session) -> None:
    body = {"slug": f"nuevo-{uuid.uuid4().hex[:6]}", "name": "Veterinaria Sur",
            "timezone": "America/Santiago", "locale": "es-CL", "currency": "CLP",
            "admin_email": "dueña@vetsur.test"}
    for role in ("admin", "seller", "ml"):
        refused = app_client.post("/v1/operator/tenants", json=body,
                                  headers={"Authorization": f"Bearer {world.tokens[role]}"})
        assert refused.status_code == 403
    created = app_client.post("/v1/operator/tenants", json=body,
                              headers={"Authorization": f"Bearer {world.tokens['operator']}"})
    assert created.status_code == 201
    assert created.json()["invitation_url"].split("/console/invite/")[1]
    again = app_client.post("/v1/operator/tenants", json=body,
                            headers={"Authorization": f"Bearer {world.tokens['operator']}"})
    assert again.status_code == 409
    db.commit()
    [event] = db.exec(select(AuditEvent).where(AuditEvent.action == "tenant.create")).all()
    assert event.actor_kind == "operator"
