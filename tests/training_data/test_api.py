"""HTTP: the ml role's exports (and nobody else's), the staff objection endpoint, the audit
log, and the end user's objection said in chat to the offline model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from agent.runtime import AgentRuntime, Inbound
from api.app import create_app
from crm.models import (
    AuditEvent,
    Channel,
    Contact,
    ContactPreference,
    CorpusRecord,
    Role,
    Tenant,
)
from crm.services.audit import event_digest
from crm.settings import Settings
from tests.conftest import NOW
from tests.factories import make_demo, make_token, make_user
from tests.training_data.conftest import Maker, booking_script
from training_data import Intake


@pytest.fixture
def app_client(db_url: str, engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(env="test", database_url=db_url, llm="offline", openai_api_key=None,
                        corpus_export_dir=str(tmp_path / "exports"))
    runtime = AgentRuntime(settings, engine, clock=lambda: NOW)
    with TestClient(create_app(settings, runtime)) as client:
        yield client


def _auth(db: Session, tenant: Tenant, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(db, make_user(db, tenant, role=role))}"}


def test_an_ml_user_exports_their_business_and_downloads_the_files(
        app_client: TestClient, business: Tenant, converse: Maker, intake: Intake,
        db: Session) -> None:
    converse(business, booking_script())
    intake.run()
    headers = _auth(db, business, Role.ml)
    started = app_client.post("/v1/corpus/exports", headers=headers,
                              json={"format": "openai", "split": "train=0.5,validation=0.5"})
    assert started.status_code == 202, started.text
    export_id = started.json()["id"]
    done = app_client.get(f"/v1/corpus/exports/{export_id}", headers=headers).json()
    assert done["status"] == "done" and done["records"] == 1
    assert set(done["files"]) == {"train.jsonl", "validation.jsonl", "README.md"}
    lines = [app_client.get(f"/v1/corpus/exports/{export_id}/files/{name}",
                            headers=headers).text for name in ("train.jsonl", "validation.jsonl")]
    assert sum(len(text.splitlines()) for text in lines) == 1
    assert app_client.get(f"/v1/corpus/exports/{export_id}/files/export.json",
                          headers=headers).status_code == 404
    db.expire_all()
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "corpus.export")).one()
    assert event.details["records"] == 1 and event.resource_ids == [export_id]
    assert event.hash == event_digest(event.prev_hash, event)


def test_only_the_ml_role_exports_and_only_its_own_business(
        app_client: TestClient, business: Tenant, db: Session) -> None:
    admin = _auth(db, business, Role.admin)
    assert app_client.post("/v1/corpus/exports", headers=admin,
                           json={"format": "jsonl"}).status_code == 403
    ml = _auth(db, business, Role.ml)
    other = _auth(db, make_demo(db), Role.ml)
    export_id = app_client.post("/v1/corpus/exports", headers=ml,
                                json={"format": "jsonl"}).json()["id"]
    assert app_client.get(f"/v1/corpus/exports/{export_id}", headers=other).status_code == 404
    assert app_client.post("/v1/corpus/exports", headers=ml,
                           json={"format": "csv"}).status_code == 422
    assert app_client.post("/v1/corpus/exports", headers=ml,
                           json={"format": "jsonl", "split": "a=2"}).status_code == 422


def test_staff_objection_removes_the_contacts_records_at_once(
        app_client: TestClient, business: Tenant, converse: Maker, intake: Intake,
        db: Session) -> None:
    conversation = converse(business, booking_script())
    intake.run()
    seller = _auth(db, business, Role.seller)
    url = f"/v1/contacts/{conversation.contact_id}/training-objection"
    assert app_client.put(url, headers=seller, json={"objected": True}).status_code == 404
    response = app_client.put(url, headers=_auth(db, business, Role.admin),
                              json={"objected": True})
    assert response.status_code == 200, response.text
    assert response.json() == {"contact_id": conversation.contact_id,
                               "objected_to_training": True, "records_removed": 1}
    db.expire_all()
    assert db.exec(select(CorpusRecord)).all() == []
    assert db.get(ContactPreference, conversation.contact_id).objected_to_training  # type: ignore[union-attr]
    assert intake.run().outcomes == {}
    event = db.exec(select(AuditEvent).where(
        AuditEvent.action == "contact.training_objection")).one()
    assert event.action == "contact.training_objection" and "Ana" not in json.dumps(
        event.details)


@pytest.mark.parametrize("text", ["no quiero que usen mis datos",
                                  "No usen mis datos para entrenar, por favor",
                                  "I don't want my data used"])
def test_saying_it_in_chat_records_the_objection(
        settings: Settings, engine: Engine, db: Session, text: str) -> None:
    tenant = make_demo(db)
    runtime = AgentRuntime(settings, engine, clock=lambda: NOW)
    result = runtime.handle(Inbound(tenant_slug=tenant.slug, channel=Channel.web,
                                    thread_id="visitor-objects", text=text))
    assert result.tool_calls == ("record_training_objection",)
    assert "entrenar" in result.reply or "train" in result.reply
    db.expire_all()
    contact = db.exec(select(Contact).where(Contact.tenant_id == tenant.id)).one()
    pref = db.get(ContactPreference, contact.id)
    assert pref is not None and pref.objected_to_training and pref.objection_source == "chat"
