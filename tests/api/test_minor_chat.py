"""The privacy gate end to end through the web chat API, on the offline model: a minor, a
business with the check off, a restricted contact, an age given in answer to the agent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from agent.runtime import GATE_REPLIES, AgentRuntime
from api.app import create_app
from crm.models import (
    Appointment,
    Contact,
    ContactPreference,
    Conversation,
    Lead,
    Message,
    MessageRole,
    PrivacyRequest,
    RequestStatus,
    RequestType,
    Tenant,
    TenantPrivacySettings,
)
from crm.services.conversations import add_message
from crm.services.privacy import MINOR, RESTRICTED, processing_block, set_restriction
from crm.settings import Settings
from tests.conftest import NOW
from tests.factories import make_demo

MINOR_SESSION = "web-minor-1-0000000000000000"
OTHER_SESSION = "web-other-2-0000000000000000"

BOOKING = "quiero un turno para limpieza mañana a las 10, soy Ana Pérez, 11 5832-1190"


@pytest.fixture
def web(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    """The app on the offline model (settings: llm offline), its clock pinned at NOW."""
    runtime = AgentRuntime(settings, engine, clock=lambda: NOW)
    with TestClient(create_app(settings, runtime)) as client:
        yield client


@pytest.fixture
def demo(db: Session) -> Tenant:
    return make_demo(db)


def _say(web: TestClient, tenant: Tenant, text: str, session: str = MINOR_SESSION) -> str:
    response = web.post(f"/v1/chat/{tenant.slug}/messages",
                        json={"session_id": session, "text": text})
    assert response.status_code == 200, response.text
    reply: str = response.json()["reply"]
    return reply


def _conversation(db: Session, session: str = MINOR_SESSION) -> Conversation:
    db.commit()  # a fresh snapshot
    return db.exec(select(Conversation).where(Conversation.external_id == session)
                   .execution_options(populate_existing=True)).one()


def _roles(db: Session, conversation_id: str) -> list[str]:
    db.commit()
    return [m.role.value for m in db.exec(select(Message).where(
        Message.conversation_id == conversation_id).order_by(Message.id))]  # type: ignore[arg-type]


def test_a_minor_gets_the_fixed_reply_no_booking_a_flag_and_a_queued_erasure(
        web: TestClient, db: Session, demo: Tenant) -> None:
    reply = _say(web, demo, f"Hola, tengo 12 años y {BOOKING}")
    assert reply == GATE_REPLIES[MINOR]["es"]
    conversation = _conversation(db)
    assert conversation.needs_human and "menor" in (conversation.human_reason or "")
    assert db.exec(select(Lead)).all() == [] and db.exec(select(Appointment)).all() == []
    assert _roles(db, conversation.id) == ["user", "assistant"]  # stored, no tool ran
    request = db.exec(select(PrivacyRequest)).one()
    assert (request.type, request.status, request.source) == (
        RequestType.erase, RequestStatus.pending, "minor")
    assert request.contact_ids == [conversation.contact_id]
    assert request.due_at == NOW + timedelta(hours=24)  # the default review period
    pref = db.get(ContactPreference, conversation.contact_id)
    assert pref is not None and pref.minor_flagged_at == NOW and pref.objected_to_training

    # Any later message: no turn, the same reply, still nothing booked, one request.
    assert _say(web, demo, "quiero un turno para limpieza mañana a las 10") == reply
    assert db.exec(select(Appointment)).all() == []
    assert _roles(db, conversation.id) == ["user", "assistant", "user", "assistant"]
    assert len(db.exec(select(PrivacyRequest)).all()) == 1


def test_a_minor_writing_in_english_gets_the_english_reply(
        web: TestClient, db: Session, demo: Tenant) -> None:
    assert _say(web, demo, "Hi, I'm 11 and I want an appointment tomorrow at 10") == \
        GATE_REPLIES[MINOR]["en"]
    assert processing_block(db, contact_id=_conversation(db).contact_id) == MINOR


def test_the_review_period_and_minimum_age_are_the_businesss(
        web: TestClient, db: Session, demo: Tenant) -> None:
    db.add(TenantPrivacySettings(tenant_id=demo.id, minor_age=16, minor_review_hours=48))
    db.commit()
    assert _say(web, demo, "tengo 15 años, quiero un turno") == GATE_REPLIES[MINOR]["es"]
    request = db.exec(select(PrivacyRequest)).one()
    assert request.due_at == NOW + timedelta(hours=48)


def test_minor_age_zero_turns_the_check_off(web: TestClient, db: Session,
                                            demo: Tenant) -> None:
    db.add(TenantPrivacySettings(tenant_id=demo.id, minor_age=0))
    db.commit()
    reply = _say(web, demo, f"tengo 12 años y {BOOKING}")
    assert reply != GATE_REPLIES[MINOR]["es"]
    conversation = _conversation(db)
    assert not conversation.needs_human
    assert db.exec(select(PrivacyRequest)).all() == []
    assert "tool" in _roles(db, conversation.id)  # the agent ran and called its tools


def test_a_restricted_contact_gets_no_turn(web: TestClient, db: Session,
                                           demo: Tenant) -> None:
    _say(web, demo, "hola")
    conversation = _conversation(db)
    row = db.get(Contact, conversation.contact_id)
    assert row is not None
    set_restriction(db, contact=row, restricted=True)
    db.commit()
    before = _roles(db, conversation.id)
    assert _say(web, demo, BOOKING) == GATE_REPLIES[RESTRICTED]["es"]
    assert _conversation(db).needs_human
    assert _roles(db, conversation.id) == [*before, "user", "assistant"]
    assert db.exec(select(Appointment)).all() == [] and db.exec(select(Lead)).all() == []
    assert db.exec(select(PrivacyRequest)).all() == []  # restricted is not erased


def test_a_bare_age_answering_the_agents_question_counts(
        web: TestClient, db: Session, demo: Tenant) -> None:
    _say(web, demo, "hola")
    conversation = _conversation(db)
    # A real model may ask; the offline one never does, so the question is stored here.
    add_message(db, conversation=conversation, role=MessageRole.assistant,
                text="¿Cuántos años tenés?")
    db.commit()
    assert _say(web, demo, "12") == GATE_REPLIES[MINOR]["es"]
    assert _say(web, demo, "12", session=OTHER_SESSION) != GATE_REPLIES[MINOR]["es"]
