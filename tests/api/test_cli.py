"""The `mostrador` command line: seed-demo, users token, chat."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from api.cli import app
from crm.models import ApiToken, Role, Service, Tenant, User
from crm.services.tokens import hash_token, user_for_token
from crm.settings import get_settings

runner = CliRunner()


@pytest.fixture
def cli_env(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    env = {"MOSTRADOR_DATABASE_URL": db_url, "MOSTRADOR_LLM": "offline"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    get_settings.cache_clear()
    yield env
    get_settings.cache_clear()


def test_seed_demo_is_idempotent_and_prints_a_working_admin_token_last(
    cli_env: dict[str, str], db: Session
) -> None:
    first = runner.invoke(app, ["seed-demo"])
    second = runner.invoke(app, ["seed-demo"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    tokens = [r.output.strip().splitlines()[-1] for r in (first, second)]
    assert tokens[0] != tokens[1] and all(t.startswith("mst_") for t in tokens)
    db.commit()
    tenant = db.exec(select(Tenant).where(Tenant.slug == "demo")).one()
    assert (tenant.name, tenant.timezone, tenant.currency) == (
        "Clínica Dental Sonrisas", "America/Argentina/Buenos_Aires", "ARS")
    services = {s.name: s.duration_minutes for s in
                db.exec(select(Service).where(Service.tenant_id == tenant.id))}
    assert services == {"Consulta general": 30, "Limpieza dental": 45, "Blanqueamiento": 60,
                        "Control de ortodoncia": 30}
    staff = {u.email: u.role for u in db.exec(select(User))}
    assert staff == {"admin@clinica-demo.test": Role.admin,
                     "lucia@clinica-demo.test": Role.seller,
                     "martin@clinica-demo.test": Role.seller,
                     "datos@clinica-demo.test": Role.ml}
    user = user_for_token(db, token=tokens[1])
    assert user is not None and user.email == "admin@clinica-demo.test"
    assert tenant.business_hours["sat"] == [["09:00", "13:00"]]
    assert tenant.business_hours["sun"] == []


def test_seed_demo_prints_a_console_link_until_the_admin_has_a_password(
    cli_env: dict[str, str], db: Session
) -> None:
    from crm.services.invitations import INVITE_PATH, redeem

    first = runner.invoke(app, ["seed-demo"])
    link = next(line for line in first.output.splitlines() if line.startswith("Staff console"))
    token = link.rsplit(INVITE_PATH, 1)[1]
    again = runner.invoke(app, ["seed-demo"])  # a new link each time
    newer = next(line for line in again.output.splitlines()
                 if line.startswith("Staff console")).rsplit(INVITE_PATH, 1)[1]
    assert newer != token and again.output.strip().splitlines()[-1].startswith("mst_")
    redeem(db, token=newer, password="una clave bien larga")
    db.commit()
    signed_up = runner.invoke(app, ["seed-demo"])
    line = next(line for line in signed_up.output.splitlines()
                if line.startswith("Staff console"))
    assert line.endswith("/console/ (sign in as admin@clinica-demo.test)")


def test_users_token_prints_a_new_token_alone_on_the_last_line(
    cli_env: dict[str, str], db: Session
) -> None:
    runner.invoke(app, ["seed-demo"])
    result = runner.invoke(app, ["users", "token", "--tenant", "demo", "--email",
                                 "lucia@clinica-demo.test"])
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    db.commit()
    row = db.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).one()
    assert db.get(User, row.user_id).email == "lucia@clinica-demo.test"  # type: ignore[union-attr]
    unknown = runner.invoke(app, ["users", "token", "--tenant", "demo", "--email",
                                  "nadie@clinica-demo.test"])
    assert unknown.exit_code == 2 and "No staff user" in unknown.output


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_terminal_chat_talks_to_the_offline_agent(cli_env: dict[str, str]) -> None:
    runner.invoke(app, ["seed-demo"])
    result = runner.invoke(app, ["chat", "--tenant", "demo"],
                           input="¿qué servicios tienen?\n\n")
    assert result.exit_code == 0, result.output
    assert "agente> " in result.output and "Blanqueamiento" in result.output
    missing = runner.invoke(app, ["chat", "--tenant", "nope"], input="hola\n")
    assert missing.exit_code == 2 and "seed-demo" in missing.output


def test_the_console_script_is_installed() -> None:
    result = subprocess.run([sys.executable, "-m", "api.cli", "--help"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0
    for command in ("serve", "seed-demo", "chat", "users"):
        assert command in result.stdout
