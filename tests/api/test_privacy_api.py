"""/v1/privacy/requests over HTTP: each type end to end (202, run after the response, GET
shows it completed), downloads (JSON, CSV zip, 410 after the window), validation that never
echoes the values, roles and businesses, cancel, and the audit trail."""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from collections.abc import Iterator, Mapping
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from agent.runtime import AgentRuntime
from api.app import create_app
from crm.crypto import box_for
from crm.models import (
    AuditEvent,
    ConsentPurpose,
    Contact,
    ContactPreference,
    CorpusRecord,
    PrivacyRequest,
    Role,
    User,
    utcnow,
)
from crm.services.privacy import consents_of, flag_minor, processing_block
from crm.settings import Settings
from privacy.bundle import SECTIONS
from privacy.requests import create_request
from tests.conftest import NOW
from tests.factories import make_tenant, make_token, make_user
from tests.privacy.conftest import (
    EMAIL,
    NAME,
    OTHER_EMAIL,
    OTHER_NAME,
    OTHER_PHONE,
    PHONE,
    Person,
    add_corpus_records,
    fresh,
    seed_person,
)

URL = "/v1/privacy/requests"


@pytest.fixture
def app_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(
        update={"erasure_ledger_url": f"sqlite:///{tmp_path / 'erasure-ledger.db'}"})


@pytest.fixture
def api(app_settings: Settings, engine: Engine) -> Iterator[TestClient]:
    runtime = AgentRuntime(app_settings, engine, clock=lambda: NOW)
    with TestClient(create_app(app_settings, runtime)) as client:
        yield client


@pytest.fixture
def person(db: Session) -> Person:
    return seed_person(db)


def _bearer(db: Session, user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(db, user)}"}


@pytest.fixture
def admin(db: Session, person: Person) -> dict[str, str]:
    return _bearer(db, make_user(db, person.tenant, role=Role.admin))


def _submit(api: TestClient, headers: dict[str, str],
            body: Mapping[str, object]) -> dict[str, object]:
    """POST (202 at once), then GET: the run happened after the response."""
    accepted = api.post(URL, headers=headers, json=body)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["status"] == "pending" and accepted.json()["download_url"] is None
    assert accepted.json()["due_at"] is not None  # scheduled to run
    shown = api.get(f"{URL}/{accepted.json()['id']}", headers=headers)
    assert shown.status_code == 200
    result: dict[str, object] = shown.json()
    return result


def _audit(db: Session) -> list[AuditEvent]:
    fresh(db)
    return list(db.exec(select(AuditEvent).where(AuditEvent.tenant_id.is_not(None))))  # type: ignore[union-attr]


def test_access_runs_after_the_202_and_downloads_the_persons_data_and_no_one_elses(
        api: TestClient, db: Session, person: Person, admin: dict[str, str]) -> None:
    shown = _submit(api, admin, {"type": "access", "subject": {"phone": "+54 9 11 6123-4567"}})
    assert shown["status"] == "completed" and shown["subject_hint"] == "+54911****4567"
    assert shown["due_at"] is None  # nothing left to run
    assert shown["contact_ids"] == [person.contact.id] and shown["result"]["messages"] == 6  # type: ignore[index]
    assert shown["download_url"] == f"http://testserver{URL}/{shown['id']}/download?format=json"
    response = api.get(str(shown["download_url"]), headers=admin)
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    assert "attachment" in response.headers["content-disposition"]
    bundle = response.json()
    assert bundle["subject_found"] is True and bundle["contacts"][0]["name"] == NAME
    assert {c["channel"] for c in bundle["conversations"]} == {"web", "whatsapp"}
    for value in (OTHER_NAME, OTHER_PHONE, OTHER_EMAIL):
        assert value not in response.text
    zipped = api.get(str(shown["download_csv_url"]), headers=admin)
    assert zipped.status_code == 200 and zipped.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(zipped.content))
    assert set(archive.namelist()) == {"README.md", *(f"{s}.csv" for s in SECTIONS)}
    contacts = list(csv.DictReader(io.StringIO(archive.read("contacts.csv").decode("utf-8-sig"))))
    assert [(c["name"], c["phone"], c["email"]) for c in contacts] == [(NAME, PHONE, EMAIL)]
    events = _audit(db)
    actions = [e.action for e in events]
    assert actions.count("privacy.request.create") == 1 and actions.count("privacy.access") == 1
    assert actions.count("privacy.access.download") == 2
    run = next(e for e in events if e.action == "privacy.access")
    assert run.actor_kind == "user" and run.resource_ids == [shown["id"], person.contact.id]
    logged = json.dumps([(e.details, e.resource_ids) for e in events], ensure_ascii=False)
    for value in (NAME, PHONE, EMAIL, "6123", "valentina"):
        assert value not in logged


def test_rectify_overwrites_and_the_old_values_survive_nowhere(
        api: TestClient, db: Session, person: Person, admin: dict[str, str]) -> None:
    new_email = "vale.rios@correo.test"
    shown = _submit(api, admin, {"type": "rectify", "subject": {"email": EMAIL},
                                 "fields": {"email": new_email, "name": "Valeria Ríos"}})
    assert shown["status"] == "completed" and shown["result"]["fields"] == ["email", "name"]  # type: ignore[index]
    fresh(db)
    contact = db.get(Contact, person.contact.id)
    assert contact is not None and (contact.email, contact.name) == (new_email, "Valeria Ríos")
    row = db.get(PrivacyRequest, str(shown["id"]))
    assert row is not None and row.subject_enc is None and row.params_enc is None
    stored = json.dumps([contact.model_dump(mode="json"), row.model_dump(mode="json"),
                         *[(e.details, e.resource_ids) for e in _audit(db)]],
                        ensure_ascii=False)
    for old in (EMAIL, "valentina.rios", NAME):
        assert old not in stored
    # Another contact's phone: refused at run time, the contact untouched.
    clash = _submit(api, admin, {"type": "rectify", "subject": {"contact_id": person.contact.id},
                                 "fields": {"phone": OTHER_PHONE}})
    assert (clash["status"], clash["error"]) == ("failed", "Conflict")
    fresh(db)
    assert db.get(Contact, person.contact.id).phone == PHONE  # type: ignore[union-attr]


def test_restrict_object_and_withdraw_consent_through_the_api(
        api: TestClient, db: Session, settings: Settings, person: Person,
        admin: dict[str, str]) -> None:
    add_corpus_records(db, settings, person)
    me = {"contact_id": person.contact.id}
    restricted = _submit(api, admin, {"type": "restrict", "subject": me})
    assert restricted["status"] == "completed" and restricted["result"]["corpus_records"] == 2  # type: ignore[index]
    fresh(db)
    assert processing_block(db, contact_id=person.contact.id) == "restricted"
    assert _submit(api, admin, {"type": "restrict", "subject": me, "lift": True})[
        "status"] == "completed"
    fresh(db)
    assert processing_block(db, contact_id=person.contact.id) is None
    marketing = _submit(api, admin, {"type": "withdraw-consent", "subject": {"phone": PHONE},
                                     "purpose": "marketing"})
    assert marketing["status"] == "completed" and marketing["options"] == {"purpose": "marketing"}
    fresh(db)
    assert [(c.purpose, c.granted, c.source) for c in consents_of(
        db, contact_id=person.contact.id)] == [(ConsentPurpose.marketing, False, "request")]
    other = {"contact_id": person.other.id}
    assert _submit(api, admin, {"type": "withdraw-consent", "subject": other,
                                "purpose": "training"})["result"]["corpus_records"] == 1  # type: ignore[index]
    fresh(db)
    assert db.exec(select(CorpusRecord)).all() == []
    objected = _submit(api, admin, {"type": "object", "subject": {"email": OTHER_EMAIL}})
    assert objected["status"] == "completed"
    fresh(db)
    pref = db.get(ContactPreference, person.other.id)
    assert pref is not None and pref.objected_to_training and pref.objection_source == "request"


def test_erase_through_the_api_removes_the_person_and_masks_the_request(
        api: TestClient, db: Session, person: Person, admin: dict[str, str]) -> None:
    contact_id, other_id = person.contact.id, person.other.id
    shown = _submit(api, admin, {"type": "erase", "subject": {"phone": PHONE}})
    assert shown["status"] == "completed", shown["error"]
    assert shown["subject_hint"] == "[borrado]" and shown["result"]["contacts"] == 1  # type: ignore[index]
    fresh(db)
    assert db.get(Contact, contact_id) is None
    assert db.get(Contact, other_id) is not None
    erase = [e for e in _audit(db) if e.action == "privacy.erase"]
    assert len(erase) == 1 and contact_id in erase[0].resource_ids


def test_bad_input_is_422_and_never_echoes_the_values(
        api: TestClient, db: Session, person: Person, admin: dict[str, str]) -> None:
    secret_phone, secret_email = "+54 9 11 4000", "alguien.secreto@@correo"
    elsewhere = seed_person(db, make_tenant(db))
    bodies: list[dict[str, object]] = [
        {"type": "borrar", "subject": {"phone": PHONE}},
        {"type": "access", "subject": {"phone": PHONE, "email": EMAIL}},
        {"type": "access", "subject": {}},
        {"type": "access", "subject": {"phone": secret_phone}},
        {"type": "access", "subject": {"email": secret_email}},
        {"type": "access", "subject": {"dni": "30111222"}},
        {"type": "access", "subject": {"phone": PHONE}, "note": "Valentina llamó enojada"},
        {"type": "access", "subject": {"contact_id": elsewhere.contact.id}},
        {"type": "access", "subject": {"phone": PHONE}, "purpose": "training"},
        {"type": "rectify", "subject": {"phone": PHONE}},
        {"type": "rectify", "subject": {"phone": PHONE}, "fields": {"phone": secret_phone}},
        {"type": "rectify", "subject": {"phone": PHONE}, "fields": {"email": secret_email}},
        {"type": "withdraw-consent", "subject": {"phone": PHONE}},
        {"type": "withdraw-consent", "subject": {"phone": PHONE}, "purpose": "ads"},
        {"type": "restrict", "subject": {"phone": PHONE}, "lift": "quizás"},
    ]
    for body in bodies:
        response = api.post(URL, headers=admin, json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["detail"], body
        for value in (PHONE, EMAIL, secret_phone, secret_email, "30111222", "Valentina",
                      elsewhere.contact.id, "quizás", "borrar"):
            assert value not in response.text, (body, response.text)
    fresh(db)
    assert db.exec(select(PrivacyRequest)).all() == []


def test_roles_and_businesses(api: TestClient, db: Session, person: Person,
                              admin: dict[str, str]) -> None:
    body = {"type": "access", "subject": {"phone": PHONE}}
    for role in (Role.seller, Role.ml):
        token = make_token(db, make_user(db, person.tenant, role=role))
        headers = {"Authorization": f"Bearer {token}"}
        assert api.post(URL, headers=headers, json=body).status_code == 403
        assert api.get(URL, headers=headers).status_code == 403
    operator = User(tenant_id=None, email=f"op-{uuid.uuid4().hex[:6]}@mostrador.test",
                    name="Soporte", role=Role.operator)
    db.add(operator)
    db.commit()
    as_operator = {"Authorization": f"Bearer {make_token(db, operator)}",
                   "X-Mostrador-Tenant": person.tenant.slug}
    done = _submit(api, as_operator, body)
    assert done["status"] == "completed" and done["requested_by"] == operator.id
    other = seed_person(db, make_tenant(db))
    b_admin = _bearer(db, make_user(db, other.tenant, role=Role.admin))
    request_id = done["id"]
    for method, path in (("GET", f"{URL}/{request_id}"),
                         ("GET", f"{URL}/{request_id}/download"),
                         ("POST", f"{URL}/{request_id}/cancel")):
        assert api.request(method, path, headers=b_admin).status_code == 404
    assert api.get(URL, headers=b_admin).json() == []
    listed = api.get(URL, headers=admin, params={"status": "completed", "type": "access"})
    assert [r["id"] for r in listed.json()] == [request_id]
    assert api.get(URL, headers=admin, params={"type": "erase"}).json() == []
    assert api.get(URL, headers=admin, params={"status": "nope"}).status_code == 422


def test_downloads_and_cancel_follow_the_requests_state(
        api: TestClient, db: Session, settings: Settings, person: Person,
        admin: dict[str, str]) -> None:
    done = _submit(api, admin, {"type": "access", "subject": {"email": EMAIL}})
    row = db.get(PrivacyRequest, str(done["id"]))
    assert row is not None
    row.download_until = utcnow() - timedelta(seconds=1)
    db.add(row)
    db.commit()
    assert api.get(f"{URL}/{row.id}/download", headers=admin).status_code == 410
    assert api.get(f"{URL}/{row.id}", headers=admin).json()["download_url"] is None
    assert api.get(f"{URL}/{'0' * 32}/download", headers=admin).status_code == 404
    unknown = _submit(api, admin, {"type": "portability",
                                   "subject": {"email": "nadie@correo.test"}})
    assert unknown["status"] == "completed" and unknown["result"]["subject_found"] is False  # type: ignore[index]
    bundle = api.get(str(unknown["download_url"]), headers=admin).json()
    assert bundle["subject_found"] is False and bundle["contacts"] == []
    restricted = _submit(api, admin, {"type": "restrict", "subject": {"email": EMAIL}})
    assert api.get(f"{URL}/{restricted['id']}/download", headers=admin).status_code == 409
    assert api.post(f"{URL}/{restricted['id']}/cancel", headers=admin).status_code == 409
    # Pending requests: one accepted but not run yet, and a minor's queued erasure.
    box = box_for(settings)
    pending = create_request(db, box=box, tenant=person.tenant, type="access",
                             subject={"phone": PHONE}, source="api", requested_by=None)
    minor = flag_minor(db, box=box, contact=person.other, conversation=person.other_conversation)
    db.commit()
    assert api.get(f"{URL}/{pending.id}/download", headers=admin).status_code == 409
    for request_id in (pending.id, minor.id):
        cancelled = api.post(f"{URL}/{request_id}/cancel", headers=admin)
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert api.post(f"{URL}/{pending.id}/cancel", headers=admin).status_code == 409
    fresh(db)
    assert processing_block(db, contact_id=person.other.id) is None
    cancels = [e for e in _audit(db) if e.action == "privacy.request.cancel"]
    assert [e.details for e in cancels] == [{"type": "access", "source": "api"},
                                            {"type": "erase", "source": "minor"}]
