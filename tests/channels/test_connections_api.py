"""The admin API and CLI for connections: admin only, masked, encrypted, never leaked."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from api.cli import app as cli
from crm.crypto import box_for
from crm.models import ChannelConnection, ChannelKind, Role, Tenant
from crm.services.connections import secrets_of
from crm.settings import Settings, get_settings
from tests.channels.conftest import TEST_SECRET_KEY
from tests.factories import make_tenant, make_token, make_user

TOKEN = "EAAG-very-secret-page-token-9876"
APP = "app-secret-never-shown-5555"
VERIFY = "verify-token-never-shown-4444"
SECRETS = (TOKEN, APP, VERIFY)


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


BODIES = {
    "whatsapp": {"phone_number_id": "106540352242922", "access_token": TOKEN,
                 "app_secret": APP, "verify_token": VERIFY},
    "instagram": {"account_id": "17841400000000001", "page_token": TOKEN, "app_secret": APP,
                  "verify_token": VERIFY},
    "messenger": {"page_id": "1122334455", "page_token": TOKEN, "app_secret": APP,
                  "verify_token": VERIFY},
    "lead-ads": {"page_id": "1122334455", "page_token": TOKEN, "app_secret": APP,
                 "verify_token": VERIFY, "seller_emails": ["lucia@clinica-demo.test"]},
}


@pytest.fixture
def admin(db: Session, demo: Tenant) -> str:
    return make_token(db, make_user(db, demo, role=Role.admin))


def test_admin_connects_every_product_and_secrets_never_come_back(
        client: TestClient, admin: str, db: Session, channel_settings: Settings,
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        for kind, body in BODIES.items():
            response = client.post(f"/v1/connections/{kind}", json=body, headers=_auth(admin))
            assert response.status_code == 201, response.text
            assert not any(s in response.text for s in SECRETS)
            assert response.json()["access_token"] == "••••9876"
        listed = client.get("/v1/connections", headers=_auth(admin))
    assert listed.status_code == 200
    assert [c["kind"] for c in listed.json()] == ["whatsapp", "instagram", "messenger",
                                                  "lead_ads"]
    assert all(c["has_app_secret"] and c["has_verify_token"] for c in listed.json())
    assert not any(s in listed.text for s in SECRETS)
    assert not any(s in caplog.text for s in SECRETS)
    db.commit()
    for row in db.exec(select(ChannelConnection)):
        stored = " ".join(str(v) for v in row.model_dump().values())
        assert not any(s in stored for s in SECRETS)  # encrypted at rest
        assert secrets_of(row, box=box_for(channel_settings)).access_token == TOKEN


def test_sellers_and_strangers_cannot_manage_connections(
        client: TestClient, db: Session, demo: Tenant) -> None:
    seller = make_token(db, make_user(db, demo, role=Role.seller))
    assert client.post("/v1/connections/whatsapp", json=BODIES["whatsapp"],
                       headers=_auth(seller)).status_code == 403
    assert client.get("/v1/connections", headers=_auth(seller)).status_code == 403
    assert client.get("/v1/connections").status_code == 401


def test_an_account_connects_once_and_another_tenant_cannot_delete_it(
        client: TestClient, admin: str, db: Session) -> None:
    created = client.post("/v1/connections/whatsapp", json=BODIES["whatsapp"],
                          headers=_auth(admin)).json()
    again = client.post("/v1/connections/whatsapp", json=BODIES["whatsapp"],
                        headers=_auth(admin))
    assert again.status_code == 409
    other = make_token(db, make_user(db, make_tenant(db), role=Role.admin))
    assert client.delete(f"/v1/connections/{created['id']}",
                         headers=_auth(other)).status_code == 404
    assert client.get("/v1/connections", headers=_auth(other)).json() == []
    assert client.delete(f"/v1/connections/{created['id']}",
                         headers=_auth(admin)).status_code == 204
    assert client.get("/v1/connections", headers=_auth(admin)).json() == []


def test_validation_errors_do_not_echo_the_submitted_secrets(
        client: TestClient, admin: str) -> None:
    for body in ({**BODIES["whatsapp"], "phone_number_id": "not-digits"},
                 {k: v for k, v in BODIES["whatsapp"].items() if k != "verify_token"}):
        response = client.post("/v1/connections/whatsapp", json=body, headers=_auth(admin))
        assert response.status_code == 422
        assert not any(s in response.text for s in SECRETS), response.text


def test_an_unknown_seller_email_is_422(client: TestClient, admin: str) -> None:
    body = {**BODIES["lead-ads"], "seller_emails": ["nadie@example.test"]}
    assert client.post("/v1/connections/lead-ads", json=body,
                       headers=_auth(admin)).status_code == 422


# --- CLI -----------------------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture
def cli_env(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("MOSTRADOR_DATABASE_URL", db_url)
    monkeypatch.setenv("MOSTRADOR_LLM", "offline")
    monkeypatch.setenv("MOSTRADOR_SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize(("command", "kind", "id_flag"), [
    ("whatsapp", ChannelKind.whatsapp, "--phone-number-id"),
    ("instagram", ChannelKind.instagram, "--account-id"),
    ("messenger", ChannelKind.messenger, "--page-id"),
    ("lead-ads", ChannelKind.lead_ads, "--page-id"),
])
def test_cli_connect_matches_the_contract(cli_env: None, db: Session, demo: Tenant,
                                          command: str, kind: ChannelKind,
                                          id_flag: str) -> None:
    token_flag = "--access-token" if command == "whatsapp" else "--page-token"
    result = runner.invoke(cli, ["connect", command, "--tenant", demo.slug, id_flag, "424242",
                                 token_flag, TOKEN, "--app-secret", APP,
                                 "--verify-token", VERIFY])
    assert result.exit_code == 0, result.output
    assert not any(s in result.output for s in SECRETS)
    db.commit()
    row = db.exec(select(ChannelConnection)).one()
    assert (row.kind, row.account_id, row.tenant_id) == (kind, "424242", demo.id)
    again = runner.invoke(cli, ["connect", command, "--tenant", demo.slug, id_flag, "424242",
                                token_flag, TOKEN, "--app-secret", APP,
                                "--verify-token", VERIFY])
    assert again.exit_code == 2 and "already connected" in again.output


def test_cli_secrets_rotate_re_encrypts_with_the_new_key(
        cli_env: None, db: Session, demo: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    assert runner.invoke(cli, ["connect", "whatsapp", "--tenant", demo.slug,
                               "--phone-number-id", "1", "--access-token", TOKEN,
                               "--app-secret", APP, "--verify-token", VERIFY]).exit_code == 0
    monkeypatch.setenv("MOSTRADOR_SECRET_KEY", "the-new-secret-key-0000")
    get_settings.cache_clear()
    assert runner.invoke(cli, ["secrets", "rotate"]).exit_code == 2  # old key not listed
    monkeypatch.setenv("MOSTRADOR_SECRET_KEYS_PREVIOUS", TEST_SECRET_KEY)
    get_settings.cache_clear()
    result = runner.invoke(cli, ["secrets", "rotate"])
    assert result.exit_code == 0 and "1 connection" in result.output
    db.commit()
    row = db.exec(select(ChannelConnection)).one()
    new_only = box_for(Settings(env="test", secret_key="the-new-secret-key-0000"))
    assert secrets_of(row, box=new_only).access_token == TOKEN
