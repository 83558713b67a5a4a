"""`mostrador privacy ...` end to end through typer's runner: each request command, list,
cancel, process, erase and reapply-erasures; output and audit carry ids and counts only."""

from __future__ import annotations

import getpass
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from api.cli import app
from crm.crypto import box_for
from crm.models import AuditEvent, Contact, PrivacyRequest, RequestStatus
from crm.services.privacy import consents_of, processing_block
from crm.settings import Settings, get_settings
from privacy.requests import create_request
from tests.privacy.conftest import (
    EMAIL,
    NAME,
    OTHER_EMAIL,
    OTHER_NAME,
    PHONE,
    Person,
    fresh,
    seed_person,
)

runner = CliRunner()
PII = (NAME, PHONE, EMAIL, OTHER_NAME, OTHER_EMAIL, "6123-4567", "valentina")


@pytest.fixture
def cli_env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("MOSTRADOR_DATABASE_URL", db_url)
    monkeypatch.setenv("MOSTRADOR_ERASURE_LEDGER_URL", f"sqlite:///{tmp_path / 'ledger.db'}")
    monkeypatch.setenv("MOSTRADOR_LLM", "offline")
    monkeypatch.delenv("MOSTRADOR_REDIS_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def person(db: Session) -> Person:
    return seed_person(db)


def _run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["privacy", *args])
    assert result.exit_code == code, result.output
    for value in PII:
        assert value not in result.output, (args, result.output)
    return result.output


def test_request_commands_list_cancel_and_process(
        cli_env: None, db: Session, settings: Settings, person: Person, tmp_path: Path) -> None:
    slug, me = person.tenant.slug, person.contact.id
    out = _run("access", "--tenant", slug, "--phone", "+54 9 11 6123-4567", "--out",
               str(tmp_path / "bundle.json"))
    assert "(access): completed" in out and "messages: 6" in out
    bundle = json.loads((tmp_path / "bundle.json").read_text())
    assert bundle["contacts"][0]["email"] == EMAIL and OTHER_NAME not in json.dumps(bundle)
    _run("access", "--tenant", slug, "--email", EMAIL, "--out", str(tmp_path / "b.zip"),
         "--format", "csv", "--portability")
    assert "contacts.csv" in zipfile.ZipFile(tmp_path / "b.zip").namelist()
    assert "fields: name" in _run("rectify", "--tenant", slug, "--contact-id", me,
                                  "--name", "Valeria Ríos")
    _run("restrict", "--tenant", slug, "--email", EMAIL)
    fresh(db)
    assert processing_block(db, contact_id=me) == "restricted"
    _run("restrict", "--tenant", slug, "--email", EMAIL, "--lift")
    _run("object", "--tenant", slug, "--contact-id", person.other.id)
    _run("withdraw-consent", "--tenant", slug, "--phone", PHONE, "--purpose", "marketing")
    fresh(db)
    assert processing_block(db, contact_id=me) is None
    assert [c.purpose.value for c in consents_of(db, contact_id=me)] == ["marketing"]
    listed = _run("list", "--tenant", slug, "--status", "completed").splitlines()
    assert len(listed) == 7 and all("\tcompleted\t" in line for line in listed)
    # Bad input: exit 2 with a message, never the value given.
    assert "not a valid number" in _run("erase", "--tenant", slug, "--phone", "12", code=2)
    _run("withdraw-consent", "--tenant", slug, "--phone", PHONE, "--purpose", "ads", code=2)
    _run("list", "--tenant", "no-such-business", code=2)
    # process runs what is due; cancel withdraws a pending one.
    box = box_for(settings)
    fresh(db)  # on SQLite, a read transaction that saw older data cannot write
    due = [create_request(db, box=box, tenant=person.tenant, type="access",
                          subject={"contact_id": me}, source="api", requested_by=None)
           for _ in range(2)]
    db.commit()
    assert "Cancelled request" in _run("cancel", "--tenant", slug, due[0].id)
    _run("cancel", "--tenant", slug, due[0].id, code=2)
    assert "Ran 1 due request(s)." in _run("process")
    fresh(db)
    assert db.get(PrivacyRequest, due[1].id).status == RequestStatus.completed  # type: ignore[union-attr]
    events = db.exec(select(AuditEvent).where(AuditEvent.actor_kind == "cli")).all()
    assert {e.actor_id for e in events} == {getpass.getuser()}
    assert {e.action for e in events} >= {
        "privacy.request.create", "privacy.access", "privacy.access.download",
        "privacy.portability.download", "privacy.rectify", "privacy.restrict",
        "privacy.object", "privacy.withdraw-consent", "privacy.request.list",
        "privacy.request.cancel", "privacy.process"}
    logged = json.dumps([e.details for e in events], ensure_ascii=False)
    assert not any(value in logged for value in PII)


def test_erase_then_reapply_erasures(cli_env: None, db: Session, person: Person) -> None:
    contact_id, other_id, slug = person.contact.id, person.other.id, person.tenant.slug
    out = _run("erase", "--tenant", slug, "--phone", PHONE)
    assert "(erase): completed" in out and "contacts: 1" in out
    fresh(db)
    assert db.get(Contact, contact_id) is None
    assert db.get(Contact, other_id) is not None
    assert "Re-applied erasures:" in _run("reapply-erasures", "--tenant", slug)
    assert "Re-applied erasures:" in _run("reapply-erasures")
