"""Fixtures for the corpus: a business with training on, transcripts written through the
CRM services (synthetic people only), and an intake sharing analyzers across tests."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from crm.models import Channel, Contact, Conversation, ConversationStatus, MessageRole, Tenant
from crm.services.conversations import add_message
from crm.services.training import enable_training
from crm.settings import Settings
from redaction import Redactor
from tests.factories import make_contact, make_tenant
from training_data import Intake
from training_data.residual import STRICT_SCORE_THRESHOLD

# Synthetic identity: name, phone, DNI (valid check-free AR format) and email.
NAME, PHONE, DNI, EMAIL = "Ana Pérez", "+5491158321190", "34.540.967", "ana.perez@gmail.com"
LATER = datetime(2030, 1, 1, tzinfo=UTC)  # an intake clock after every test conversation


@pytest.fixture(scope="session")
def redactors() -> tuple[Redactor, Redactor]:
    return Redactor(), Redactor(score_threshold=STRICT_SCORE_THRESHOLD)


@pytest.fixture
def intake(settings: Settings, engine: Engine,
           redactors: tuple[Redactor, Redactor]) -> Intake:
    return Intake(settings, engine, redactor=redactors[0], strict=redactors[1],
                  clock=lambda: LATER)


@pytest.fixture
def business(db: Session) -> Tenant:
    tenant = make_tenant(db, phone="+54 11 4785-0000", email="turnos@negocio.test")
    enable_training(db, tenant=tenant, category="salud_dental", min_user_turns=2)
    db.commit()
    return tenant


def booking_script(name: str = NAME, phone_text: str = "11 5832-1190", dni: str = DNI,
                   email: str = EMAIL) -> list[dict[str, Any]]:
    """A booking conversation carrying the identity in text, tool arguments and results."""
    call = f"call_{uuid.uuid4().hex[:8]}"
    book = f"call_{uuid.uuid4().hex[:8]}"
    lead_id, appointment_id = uuid.uuid4().hex, uuid.uuid4().hex
    return [
        {"role": "user", "text": "Hola, quiero un turno para limpieza mañana a las 10"},
        {"role": "assistant", "text": "¡Hola! ¿A nombre de quién hago la reserva?"},
        {"role": "user", "text": f"Soy {name}, DNI {dni}, mi cel es {phone_text} y mi mail "
                                 f"es {email}"},
        {"role": "assistant", "text": "", "tool_calls": [
            {"id": call, "name": "save_contact_details",
             "args": {"name": name, "phone": phone_text, "email": email,
                      "notes": f"DNI {dni}"}}]},
        {"role": "tool", "tool_call_id": call, "tool_name": "save_contact_details",
         "text": json.dumps({"ok": True, "contact": {"name": name, "phone": PHONE,
                                                     "email": email}, "lead_id": lead_id})},
        {"role": "assistant", "text": "", "tool_calls": [
            {"id": book, "name": "book_appointment",
             "args": {"service": "Limpieza dental", "day": "2026-11-24", "time": "10:00"}}]},
        {"role": "tool", "tool_call_id": book, "tool_name": "book_appointment",
         "text": json.dumps({"ok": True, "appointment": {
             "id": appointment_id, "service": "Limpieza dental",
             "start": "2026-11-24T10:00:00-03:00", "status": "confirmada"}})},
        {"role": "assistant",
         "text": f"¡Listo, {name.split()[0]}! Te reservé Limpieza dental el martes 24/11 a "
                 "las 10:00. Te escribimos al {phone}.".replace("{phone}", phone_text)},
        {"role": "user", "text": "Gracias!"},
        {"role": "assistant", "text": "¡De nada! Si necesitás algo más, escribime."},
    ]


Maker = Callable[..., Conversation]


@pytest.fixture
def converse(db: Session) -> Maker:
    """``converse(tenant, script, contact=None, closed=True, days_ago=30)`` stores one
    conversation and returns it."""

    def make(tenant: Tenant, script: list[dict[str, Any]], *, contact: Contact | None = None,
             closed: bool = True, when: datetime | None = None) -> Conversation:
        if contact is None:
            contact = make_contact(db, tenant, name=NAME, phone=PHONE, email=EMAIL)
        conversation = Conversation(tenant_id=tenant.id, contact_id=contact.id,
                                    channel=Channel.web, external_id=uuid.uuid4().hex)
        db.add(conversation)
        db.flush()
        for item in script:
            add_message(db, conversation=conversation, role=MessageRole(item["role"]),
                        text=item.get("text", ""), tool_calls=item.get("tool_calls"),
                        tool_call_id=item.get("tool_call_id"), tool_name=item.get("tool_name"))
        if when is not None:
            conversation.created_at = when
            conversation.last_message_at = when + timedelta(minutes=5)
        if closed:
            conversation.status = ConversationStatus.cerrada
        db.add(conversation)
        db.commit()
        return conversation

    return make
