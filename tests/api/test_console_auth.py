"""Signing in to the console (issue 14): invitations, sessions, CSRF, throttling, audit.

On the real app and database; time moves by the clock given to the services (the
session and invitation functions take `now`), the HTTP layer uses the real clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from agent.runtime import AgentRuntime
from api.app import create_app
from api.console.auth import COOKIE
from crm.models import AuditEvent, ConsoleSession, Invitation, Role, Tenant, User, utcnow
from crm.services.console_sessions import session_for, start_session
from crm.services.invitations import issue_invitation
from crm.services.passwords import hash_password
from crm.services.tenants import create_tenant
from crm.settings import Settings
from tests.conftest import NOW

PASSWORD = "cuarenta-y-dos-turnos"


@pytest.fixture
def console_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"login_attempts_per_account": 3,
                                       "login_attempts_per_address": 8})


@pytest.fixture
def web(console_settings: Settings, engine: Engine) -> Iterator[TestClient]:
    runtime = AgentRuntime(console_settings, engine, clock=lambda: NOW)
    with TestClient(create_app(console_settings, runtime)) as client:
        yield client


@pytest.fixture
def business(db: Session) -> tuple[Tenant, User, str]:
    """A new business, its admin and the admin's invitation token."""
    created = create_tenant(db, slug="optica-luz", name="Óptica Luz",
                            timezone="America/Argentina/Cordoba", admin_email="luz@optica.test")
    db.commit()
    return created.tenant, created.admin, created.invitation.token


def _sign_in(web: TestClient, email: str, password: str = PASSWORD) -> object:
    return web.post("/console/login", data={"email": email, "password": password},
                    follow_redirects=False)


def test_an_invitation_sets_the_password_once_and_signs_in(
        web: TestClient, business: tuple[Tenant, User, str], db: Session) -> None:
    _, admin, token = business
    form = web.get(f"/console/invite/{token}")
    assert form.status_code == 200 and "luz@optica.test" in form.text
    weak = web.post(f"/console/invite/{token}", data={"password": "corta", "repeat": "corta"})
    assert weak.status_code == 422 and "10 caracteres" in weak.text
    done = web.post(f"/console/invite/{token}", data={"password": PASSWORD, "repeat": PASSWORD},
                    follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/console/"
    cookie = done.headers["set-cookie"]
    assert f"{COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    again = web.post(f"/console/invite/{token}", data={"password": PASSWORD + "x",
                                                       "repeat": PASSWORD + "x"})
    assert again.status_code == 410 and "ya se usó" in again.text
    db.commit()
    db.expire_all()
    stored = db.get(User, admin.id)
    assert stored is not None and stored.password_hash and PASSWORD not in stored.password_hash
    assert stored.password_hash.startswith("$argon2id$")


def test_an_expired_invitation_is_refused(web: TestClient, db: Session,
                                          business: tuple[Tenant, User, str]) -> None:
    _, admin, _ = business
    issued = issue_invitation(db, user=admin, hours=72, now=utcnow() - timedelta(hours=73))
    db.commit()
    response = web.get(f"/console/invite/{issued.token}")
    assert response.status_code == 410 and "venció" in response.text


def test_a_new_invitation_voids_the_earlier_one(web: TestClient, db: Session,
                                                business: tuple[Tenant, User, str]) -> None:
    _, admin, first = business
    issue_invitation(db, user=admin, hours=72)
    db.commit()
    assert web.get(f"/console/invite/{first}").status_code == 410


def test_a_good_sign_in_redirects_to_the_console_and_a_bad_one_sets_no_session(
        web: TestClient, db: Session, business: tuple[Tenant, User, str]) -> None:
    tenant, admin, _ = business
    admin.password_hash = hash_password(PASSWORD)
    db.add(admin)
    db.commit()
    form = web.get("/console/login")
    assert 'name="email"' in form.text and 'name="password"' in form.text
    bad = _sign_in(web, "luz@optica.test", "no-es-esta-clave")
    assert bad.status_code == 401 and "set-cookie" not in bad.headers  # type: ignore[attr-defined]
    assert "no son correctos" in bad.text  # type: ignore[attr-defined]
    unknown = _sign_in(web, "nadie@optica.test")
    assert unknown.status_code == 401  # type: ignore[attr-defined]
    good = _sign_in(web, "LUZ@optica.test ")
    assert good.status_code == 303 and good.headers["location"] == "/console/"  # type: ignore[attr-defined]
    db.commit()
    actions = [e.action for e in db.exec(select(AuditEvent).where(
        AuditEvent.tenant_id == tenant.id)) if e.action.startswith("auth.console")]
    assert actions.count("auth.console_login") == 1
    assert actions.count("auth.console_login_failed") == 1  # the unknown email: no business


def test_sign_in_is_throttled_per_account(web: TestClient, db: Session,
                                          business: tuple[Tenant, User, str]) -> None:
    _, admin, _ = business
    admin.password_hash = hash_password(PASSWORD)
    db.add(admin)
    db.commit()
    codes = [_sign_in(web, "luz@optica.test", "mal").status_code for _ in range(3)]  # type: ignore[attr-defined]
    refused = _sign_in(web, "luz@optica.test")  # the right password, too late
    assert codes == [401, 401, 401] and refused.status_code == 429  # type: ignore[attr-defined]
    assert int(refused.headers["retry-after"]) >= 1  # type: ignore[attr-defined]


def test_sign_in_is_throttled_per_address(web: TestClient) -> None:
    codes = [_sign_in(web, f"persona{n}@optica.test", "mal").status_code  # type: ignore[attr-defined]
             for n in range(9)]
    assert codes[:8] == [401] * 8 and codes[8] == 429


def test_console_pages_need_a_session_and_changes_need_the_csrf_token(
        web: TestClient, db: Session, business: tuple[Tenant, User, str]) -> None:
    _, admin, _ = business
    signed_out = web.get("/console/", follow_redirects=False)
    assert signed_out.status_code == 303
    assert signed_out.headers["location"].startswith("/console/login")
    htmx = web.get("/console/", headers={"HX-Request": "true"}, follow_redirects=False)
    assert htmx.headers["hx-redirect"].startswith("/console/login")
    admin.password_hash = hash_password(PASSWORD)
    db.add(admin)
    db.commit()
    assert _sign_in(web, "luz@optica.test").status_code == 303  # type: ignore[attr-defined]
    without = web.post("/console/logout", follow_redirects=False)
    assert without.status_code == 403  # no CSRF token: the session stays
    db.commit()
    assert db.exec(select(ConsoleSession)).one().revoked_at is None


def test_logout_ends_the_session(web: TestClient, db: Session,
                                 business: tuple[Tenant, User, str]) -> None:
    _, admin, _ = business
    admin.password_hash = hash_password(PASSWORD)
    db.add(admin)
    db.commit()
    _sign_in(web, "luz@optica.test")
    token = web.cookies.get(COOKIE)
    assert token
    page = web.get("/console/login")  # any page with the session's CSRF token
    from api.console.auth import _secret
    from crm.services.console_sessions import csrf_token

    csrf = csrf_token(token, secret=_secret(web.app.state.settings))  # type: ignore[attr-defined]
    assert page.status_code == 200
    out = web.post("/console/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303
    db.commit()
    assert db.exec(select(ConsoleSession)).one().revoked_at is not None
    web.cookies.set(COOKIE, token)
    assert web.get("/console/", follow_redirects=False).status_code == 303


def test_sessions_end_when_idle_old_revoked_or_the_user_is_deactivated(
        db: Session, business: tuple[Tenant, User, str]) -> None:
    _, admin, _ = business
    idle = timedelta(hours=12)
    now = utcnow()
    token = start_session(db, user=admin, absolute=timedelta(days=7), source=None, now=now)
    db.commit()
    assert session_for(db, token=token, idle=idle, now=now + timedelta(hours=11)) is not None
    assert session_for(db, token=token, idle=idle, now=now + timedelta(hours=22)) is not None
    assert session_for(db, token=token, idle=idle, now=now + timedelta(hours=35)) is None
    assert session_for(db, token=token, idle=idle, now=now + timedelta(days=8)) is None
    fresh = start_session(db, user=admin, absolute=timedelta(days=7), source=None, now=now)
    admin.active = False
    db.add(admin)
    db.commit()
    assert session_for(db, token=fresh, idle=idle, now=now) is None
    assert session_for(db, token="not-a-token", idle=idle, now=now) is None


def test_deactivating_or_demoting_a_user_through_the_api_ends_their_sessions(
        web: TestClient, db: Session, business: tuple[Tenant, User, str]) -> None:
    from crm.services.tokens import issue_token

    tenant, admin, _ = business
    seller = User(tenant_id=tenant.id, email="vera@optica.test", name="Vera", role=Role.seller,
                  password_hash=hash_password(PASSWORD))
    db.add(seller)
    db.commit()
    token = start_session(db, user=seller, absolute=timedelta(days=7), source=None)
    bearer = issue_token(db, user=admin)
    db.commit()
    response = web.patch(f"/v1/users/{seller.id}", json={"active": False},
                         headers={"Authorization": f"Bearer {bearer}"})
    assert response.status_code == 200
    db.commit()
    assert session_for(db, token=token, idle=timedelta(hours=1)) is None


def test_a_new_member_gets_an_invitation_link_from_the_api(
        web: TestClient, db: Session, business: tuple[Tenant, User, str]) -> None:
    from crm.services.tokens import issue_token

    _, admin, _ = business
    bearer = {"Authorization": f"Bearer {issue_token(db, user=admin)}"}
    db.commit()
    created = web.post("/v1/users", headers=bearer, json={
        "email": "ramiro@optica.test", "name": "Ramiro", "role": "seller"})
    assert created.status_code == 201
    link = created.json()["invitation_url"]
    token = re.sub(r".*/console/invite/", "", link)
    assert web.get(f"/console/invite/{token}").status_code == 200
    again = web.post(f"/v1/users/{created.json()['id']}/invitation", headers=bearer)
    assert again.status_code == 201
    assert web.get(f"/console/invite/{token}").status_code == 410  # replaced
    db.commit()
    assert len(db.exec(select(Invitation).where(
        Invitation.user_id == created.json()["id"])).all()) == 2
