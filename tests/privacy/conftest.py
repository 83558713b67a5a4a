"""Fixtures for privacy tests: a PrivacyContext on the test database (its erasure ledger in
tmp_path), and a business with a seeded person — contact, lead, appointment, a web and a
WhatsApp conversation with tool calls — plus a second person who must never show up in the
first one's results. Synthetic people only."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from crm.models import (
    Appointment,
    Channel,
    ChannelIdentity,
    Contact,
    Conversation,
    CorpusRecord,
    Lead,
    LeadSource,
    MessageRole,
    Tenant,
)
from crm.services import booking
from crm.services.conversations import add_message
from crm.settings import Settings
from privacy.context import PrivacyContext
from tests.conftest import NOW
from tests.factories import make_contact, make_tenant
from training_data.keys import corpus_keys

NAME, PHONE, EMAIL = "Valentina Ríos", "+5491161234567", "valentina.rios@correo.test"
WA_ID = PHONE.lstrip("+")
OTHER_NAME, OTHER_PHONE, OTHER_EMAIL = "Martín Gómez", "+5491187654321", "martin.gomez@correo.test"
NOTES = "Prefiere turnos por la mañana"


@dataclass
class Person:
    tenant: Tenant
    contact: Contact
    lead: Lead
    appointment: Appointment
    web: Conversation
    whatsapp: Conversation
    other: Contact  # another person of the same business
    other_conversation: Conversation


@pytest.fixture
def privacy_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(
        update={"erasure_ledger_url": f"sqlite:///{tmp_path / 'erasure-ledger.db'}"})


@pytest.fixture
def privacy_ctx(privacy_settings: Settings, engine: Engine) -> PrivacyContext:
    return PrivacyContext.build(privacy_settings, engine)


def _conversation(db: Session, tenant: Tenant, contact: Contact, channel: Channel,
                  external_id: str, script: list[dict[str, object]]) -> Conversation:
    conversation = Conversation(tenant_id=tenant.id, contact_id=contact.id, channel=channel,
                                external_id=external_id)
    db.add(conversation)
    db.flush()
    for item in script:
        add_message(db, conversation=conversation, role=MessageRole(str(item["role"])),
                    text=str(item.get("text", "")), tool_calls=item.get("tool_calls"),  # type: ignore[arg-type]
                    tool_call_id=item.get("tool_call_id"),  # type: ignore[arg-type]
                    tool_name=item.get("tool_name"))  # type: ignore[arg-type]
    return conversation


def seed_person(db: Session, tenant: Tenant | None = None) -> Person:
    """The seeded person (and another one) in ``tenant`` or a new business; committed."""
    tenant = tenant or make_tenant(db)
    contact = make_contact(db, tenant, name=NAME, phone=PHONE, email=EMAIL)
    db.add(ChannelIdentity(tenant_id=tenant.id, contact_id=contact.id, channel="web",
                           external_id="web-sesion-valentina"))
    db.add(ChannelIdentity(tenant_id=tenant.id, contact_id=contact.id, channel="whatsapp",
                           external_id=WA_ID))
    lead = Lead(tenant_id=tenant.id, contact_id=contact.id, source=LeadSource.web, notes=NOTES,
                utm_source="instagram", utm_campaign="promo-verano")
    db.add(lead)
    web = _conversation(db, tenant, contact, Channel.web, "web-sesion-valentina", [
        {"role": "user", "text": f"Hola, soy {NAME}, quiero una limpieza"},
        {"role": "assistant", "text": "", "tool_calls": [
            {"id": "call_1", "name": "save_contact_details",
             "args": {"name": NAME, "phone": PHONE, "email": EMAIL}}]},
        {"role": "tool", "text": '{"ok": true}', "tool_call_id": "call_1",
         "tool_name": "save_contact_details"},
        {"role": "assistant", "text": "¡Listo! Te reservé Limpieza dental el martes a las 10."},
    ])
    whatsapp = _conversation(db, tenant, contact, Channel.whatsapp, WA_ID, [
        {"role": "user", "text": "¿Puedo llevar a mi hermana al turno?"},
        {"role": "assistant", "text": "¡Claro! Te esperamos."},
    ])
    db.commit()
    appointment = booking.book(db, tenant=tenant, contact=contact, service_name="Limpieza dental",
                               day=date(2026, 11, 24), at=time(10), now=NOW,
                               conversation_id=web.id)
    other = make_contact(db, tenant, name=OTHER_NAME, phone=OTHER_PHONE, email=OTHER_EMAIL)
    db.add(Lead(tenant_id=tenant.id, contact_id=other.id, source=LeadSource.whatsapp,
                notes="Consulta por blanqueamiento"))
    other_conversation = _conversation(db, tenant, other, Channel.web, "web-sesion-martin", [
        {"role": "user", "text": f"Soy {OTHER_NAME}, ¿cuánto sale el blanqueamiento?"},
        {"role": "assistant", "text": "Sale $120.000."},
    ])
    db.commit()
    return Person(tenant=tenant, contact=contact, lead=lead, appointment=appointment, web=web,
                  whatsapp=whatsapp, other=other, other_conversation=other_conversation)


@pytest.fixture
def person(db: Session) -> Person:
    return seed_person(db)


def fresh(db: Session) -> None:
    """See what others committed: end the session's transaction (on SQLite a read
    transaction keeps its snapshot) and forget the rows it loaded."""
    db.rollback()
    db.expire_all()


def add_corpus_records(db: Session, settings: Settings, person: Person) -> None:
    """One corpus record per conversation of both people, keyed as the intake keys them
    (nothing in a record names the person: the transcript is a stand-in)."""
    keys = corpus_keys(settings)
    for conversation in (person.web, person.whatsapp, person.other_conversation):
        record_key = keys.record_key(person.tenant.id, conversation.id)
        db.add(CorpusRecord(
            record_key=record_key, subject_key=keys.subject_key(conversation.contact_id),
            tenant_key=keys.tenant_key(person.tenant.id), channel=conversation.channel.value,
            language="es", outcome="none", user_turns=1, message_count=2,
            conversation_date=date(2026, 11, 20), redaction_style="surrogate",
            redaction_version="test", ingested_on=date(2026, 11, 21),
            fingerprint=hashlib.sha256(record_key.encode()).hexdigest(),
            messages=[{"role": "user", "content": "Hola, soy <PERSON_1>", "offset_s": 0}]))
    db.commit()


# The durable-queue scenario of the erasure tests (tests/privacy/everywhere.py).
from tests.privacy.everywhere import (  # noqa: E402, F401
    everywhere_queue,
    everywhere_runtime,
    everywhere_settings,
    graph,
    redis_prefix,
)
