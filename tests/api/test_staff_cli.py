"""`mostrador users ...` and `mostrador operators ...`: staff, scoped expiring tokens,
revocation and operators from the command line, each audited as the OS user."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from api.cli import app
from crm.models import ApiToken, AuditEvent, Role, Scope, User
from crm.services.tokens import authenticate, effective_scopes
from crm.settings import get_settings
from tests.factories import make_tenant

runner = CliRunner()


@pytest.fixture
def cli_env(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("MOSTRADOR_DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_add_a_seller_and_issue_a_narrow_short_token(cli_env: None, db: Session) -> None:
    tenant = make_tenant(db)
    added = runner.invoke(app, ["users", "add", "--tenant", tenant.slug, "--email",
                                "Vendedora@Staff.test", "--name", "Vera", "--role", "seller"])
    assert added.exit_code == 0, added.output
    issued = runner.invoke(app, ["users", "token", "--tenant", tenant.slug, "--email",
                                 "vendedora@staff.test", "--scope", "crm:read",
                                 "--ttl-days", "7", "--label", "tablet"])
    assert issued.exit_code == 0, issued.output
    token = issued.output.strip().splitlines()[-1]
    check = authenticate(db, token=token)
    assert check.ok and check.token is not None and check.user is not None
    assert effective_scopes(check.token, check.user) == {Scope.crm_read}
    assert check.token.expires_at is not None
    assert check.token.expires_at - datetime.now(UTC) < timedelta(days=7, minutes=1)
    listed = runner.invoke(app, ["users", "list", "--tenant", tenant.slug])
    assert "seller\tactive\tvendedora@staff.test" in listed.output
    actions = [e.action for e in db.exec(select(AuditEvent))]
    assert actions == ["user.create", "token.issue"]


def test_a_scope_outside_the_role_is_refused(cli_env: None, db: Session) -> None:
    tenant = make_tenant(db)
    runner.invoke(app, ["users", "add", "--tenant", tenant.slug, "--email", "s@staff.test",
                        "--name", "S", "--role", "seller"])
    result = runner.invoke(app, ["users", "token", "--tenant", tenant.slug, "--email",
                                 "s@staff.test", "--scope", "privacy:manage"])
    assert result.exit_code == 2 and "may carry only" in result.output
    assert db.exec(select(ApiToken)).all() == []


def test_revoke_tokens_stops_every_token_of_a_user(cli_env: None, db: Session) -> None:
    tenant = make_tenant(db)
    runner.invoke(app, ["users", "add", "--tenant", tenant.slug, "--email", "a@staff.test",
                        "--name", "A", "--role", "admin"])
    tokens = [runner.invoke(app, ["users", "token", "--tenant", tenant.slug, "--email",
                                  "a@staff.test"]).output.strip().splitlines()[-1]
              for _ in range(2)]
    result = runner.invoke(app, ["users", "revoke-tokens", "--tenant", tenant.slug, "--email",
                                 "a@staff.test"])
    assert result.exit_code == 0 and "Revoked 2 token(s)." in result.output
    db.expire_all()
    assert [authenticate(db, token=t).status for t in tokens] == ["revoked", "revoked"]


def test_operators_are_platform_users_with_short_tokens(cli_env: None, db: Session) -> None:
    added = runner.invoke(app, ["operators", "add", "--email", "soporte@mostrador.test",
                                "--name", "Soporte"])
    assert added.exit_code == 0, added.output
    issued = runner.invoke(app, ["operators", "token", "--email", "soporte@mostrador.test"])
    token = issued.output.strip().splitlines()[-1]
    check = authenticate(db, token=token)
    assert check.ok and check.user is not None and check.token is not None
    assert (check.user.role, check.user.tenant_id) == (Role.operator, None)
    assert check.token.expires_at is not None
    assert check.token.expires_at - datetime.now(UTC) <= timedelta(days=1)
    again = runner.invoke(app, ["operators", "add", "--email", "soporte@mostrador.test",
                                "--name", "Otro"])
    assert again.exit_code == 2
    assert len(db.exec(select(User).where(User.role == Role.operator)).all()) == 1
