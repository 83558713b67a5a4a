"""Odd input at intake (issue 13, items 1, 5, 6 and 7): stored, answered, erasable.

A signed webhook nested past the interpreter's recursion limit is a 400, not a 500. A NUL
or a lone surrogate in a WhatsApp text, sender id or message id, or a sender id longer than
any real one, is made storable once at intake (crm.text): the message is stored, answered
and its raw event kept — in the embedded default and with the Redis queue, on SQLite and
PostgreSQL. The web chat too. And such a person is then erased completely: nothing of them
in any table, the SQLite file and its write-ahead log, Redis or the logs.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from agent.runtime import AgentRuntime
from api.app import create_app
from crm.models import (
    ChannelConnection,
    Conversation,
    CorpusRecord,
    Message,
    MessageRole,
    SubjectKind,
    Tenant,
    WebhookEvent,
)
from crm.services.training import enable_training
from crm.settings import Settings
from crm.text import REPLACEMENT
from privacy.context import PrivacyContext
from privacy.erasure import erase_contacts
from privacy.locate import Subject, locate
from tests.channels.conftest import NOW_TS, WA_PHONE_ID, Poster
from tests.channels.durable.conftest import drop_prefix, redis_test_url, wait_until, workers
from tests.channels.payloads import wa_text
from tests.privacy.everywhere import Someone, scan_database, scan_redis
from tests.support.graph_standin import GraphStandIn
from training_data import Intake
from training_data.keys import corpus_keys

PERSON = Someone("Casimira Otxoa", "+5491147390261", "11 15 4739-0261",
                 "casimira.otxoa@correo.test", "web-0d9c4b1e7a2f5c3e8b6d41")
SENDER = PERSON.wa_id


@dataclass
class Mode:
    """The app in one of the two modes, and how to wait until its work is done."""

    name: str
    client: TestClient
    settings: Settings
    runtime: AgentRuntime
    graph: GraphStandIn

    def post(self, body: dict[str, Any] | bytes) -> Any:
        return Poster(self.client).post(body)

    def processing(self) -> AbstractContextManager[object]:
        """Embedded: work runs in the app's own threads. Redis: a worker runs it."""
        if self.name == "redis":
            return workers(self.settings, self.runtime)
        return nullcontext()

    def settle(self, sends: int) -> None:
        if self.name == "embedded":
            Poster(self.client).drain()
        wait_until(lambda: len(self.graph.sends()) >= sends, message=f"{sends} sends")


@pytest.fixture(params=["embedded", "redis"])
def mode(request: pytest.FixtureRequest, channel_settings: Settings, runtime: AgentRuntime,
         graph: GraphStandIn, wa: ChannelConnection) -> Iterator[Mode]:
    settings = channel_settings
    prefix = f"mostrador-test-{uuid.uuid4().hex[:12]}"
    if request.param == "redis":
        settings = channel_settings.model_copy(update={
            "redis_url": redis_test_url(), "queue_prefix": prefix, "queue_shards": 2,
            "debounce_seconds": 0.0, "visibility_timeout_seconds": 5.0,
            "rate_limit_tenant_per_minute": 0, "rate_limit_contact_per_minute": 0,
            "chat_reply_timeout_seconds": 15.0})
    with TestClient(create_app(settings, runtime)) as client:
        yield Mode(request.param, client, settings, runtime, graph)
    if request.param == "redis":
        drop_prefix(redis_test_url(), prefix)


def _user_messages(db: Session) -> list[Message]:
    db.commit()  # a fresh snapshot
    return list(db.exec(select(Message).where(Message.role == MessageRole.user)
                        .order_by(Message.id)))  # type: ignore[arg-type]


def _chat(mode: Mode, text: str) -> Any:
    """POST a web chat message; JSON escapes carry what UTF-8 cannot (a lone surrogate)."""
    return mode.client.post("/v1/chat/demo/messages", headers={
        "Content-Type": "application/json"}, content=json.dumps(
            {"session_id": PERSON.session, "text": text}))


# --- the table ------------------------------------------------------------------------

def _nested(depth: int) -> bytes:
    return b'{"object":"whatsapp_business_account","entry":' + b"[" * depth + b"]" * depth + b"}"


def test_a_signed_body_nested_past_the_recursion_limit_is_400_and_stores_nothing(
        mode: Mode, db: Session) -> None:
    response = mode.post(_nested(100_000))
    assert response.status_code == 400
    db.commit()
    assert db.exec(select(WebhookEvent)).all() == []


ODD: list[tuple[str, Callable[[str], dict[str, Any]], str]] = [
    ("NUL in the text",
     lambda n: wa_text(WA_PHONE_ID, SENDER, f"wamid.nul.{n}", "Hola\x00, ¿qué servicios tienen?",
                       NOW_TS), "Hola\ufffd, ¿qué servicios tienen?"),
    ("a lone surrogate in the text",
     lambda n: wa_text(WA_PHONE_ID, SENDER, f"wamid.sur.{n}", "Hola \ud83d ¿qué servicios hay?",
                       NOW_TS), "Hola \ufffd ¿qué servicios hay?"),
    ("NUL in the sender id",
     lambda n: wa_text(WA_PHONE_ID, "549114739\x000261", f"wamid.from.{n}", "Hola", NOW_TS),
     "Hola"),
    ("a lone surrogate in the message id",
     lambda n: wa_text(WA_PHONE_ID, SENDER, f"wamid.\udc80.{n}", "Hola", NOW_TS), "Hola"),
    ("a sender id longer than any real one",
     lambda n: wa_text(WA_PHONE_ID, "5" * 80, f"wamid.long.{n}", "Hola", NOW_TS), "Hola"),
]


@pytest.mark.parametrize("case", [c[0] for c in ODD])
def test_an_odd_whatsapp_item_is_stored_and_answered(mode: Mode, db: Session,
                                                     case: str) -> None:
    _, body, stored = next(c for c in ODD if c[0] == case)
    with mode.processing():
        response = mode.post(body(1))
        assert response.status_code == 200
        mode.settle(sends=1)
        again = mode.post(body(1))  # Meta's retry: deduplicated on the sanitized id
        assert again.status_code == 200
    [message] = _user_messages(db)
    assert message.text == stored
    assert message.channel_message_id is not None and "\x00" not in message.channel_message_id
    conversation = db.get(Conversation, message.conversation_id)
    assert conversation is not None and len(conversation.external_id) <= 64
    assert len(mode.graph.sends()) == 1
    event = db.exec(select(WebhookEvent)).one()
    assert json.loads(event.body) == body(1)  # the original, escapes and all


@pytest.mark.parametrize("text", ["Hola\x00, ¿tienen turnos?", "Hola \ud800 ¿tienen turnos?"])
def test_a_web_chat_message_with_odd_characters_is_stored_and_answered(
        mode: Mode, db: Session, text: str) -> None:
    with mode.processing():
        response = _chat(mode, text)
    assert response.status_code == 200 and response.json()["reply"]
    [message] = _user_messages(db)
    assert message.text == text.replace("\x00", REPLACEMENT).replace("\ud800", REPLACEMENT)


# --- the person who sent a NUL, erased ------------------------------------------------

@pytest.fixture
def privacy(mode: Mode, engine: Engine, tmp_path: Path) -> PrivacyContext:
    settings = mode.settings.model_copy(update={
        "erasure_ledger_url": f"sqlite:///{tmp_path / 'ledger.db'}"})
    queue = mode.client.app.state.queue  # type: ignore[attr-defined]
    return PrivacyContext.build(settings, engine, queue=queue)


def test_a_person_who_sent_a_nul_is_answered_then_erased_without_a_byte_left(
        mode: Mode, db: Session, engine: Engine, privacy: PrivacyContext, db_url: str,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with mode.processing():
        assert mode.post(wa_text(WA_PHONE_ID, SENDER, "wamid.cas.1",
                                 f"Hola\x00 soy {PERSON.name}, mi mail es {PERSON.email}",
                                 NOW_TS, name=PERSON.name)).status_code == 200
        mode.settle(sends=1)
        chat = _chat(mode, f"Hola \ud800 soy {PERSON.name}, mi cel es {PERSON.typed}")
        assert chat.status_code == 200 and chat.json()["reply"]
    needles = PERSON.needles()
    assert scan_database(engine, needles)  # they are there before
    with Session(engine) as session:
        contacts = [c.id for c in locate(session, tenant_id=privacy_tenant(session),
                                         subject=Subject(SubjectKind.phone, PERSON.phone),
                                         claims=True)]
    assert contacts
    # The conversations also entered the training corpus (redacted or quarantined).
    demo = db.get(Tenant, privacy_tenant(db))
    assert demo is not None
    enable_training(db, tenant=demo, min_user_turns=1)
    db.commit()
    later = datetime.now(UTC) + timedelta(days=1)
    Intake(mode.settings, engine, clock=lambda: later).run(idle_seconds=0)
    keys = corpus_keys(mode.settings)
    subject_keys = [keys.subject_key(c) for c in contacts]

    def in_corpus() -> int:
        db.commit()
        return len(db.exec(select(CorpusRecord).where(
            col(CorpusRecord.subject_key).in_(subject_keys))).all())

    assert in_corpus() >= 1
    tenant_id = privacy_tenant(db)
    db.commit()  # no read transaction of this test keeps an old snapshot of the log
    erase_contacts(privacy, tenant_id=tenant_id, contact_ids=contacts,
                   request_id="r-odd", identifiers=Subject(SubjectKind.phone,
                                                           PERSON.phone).identifiers())
    assert scan_database(engine, needles) == []
    assert in_corpus() == 0
    if mode.settings.redis_url:
        assert scan_redis(mode.settings.redis_url, mode.settings.queue_prefix, needles) == []
    if db_url.startswith("sqlite"):  # the file and its write-ahead log, byte by byte
        path = Path(db_url.removeprefix("sqlite:///"))
        for file in (path, path.with_name(path.name + "-wal")):
            data = file.read_bytes().lower() if file.exists() else b""
            assert [n for n in needles if n.encode() in data] == [], file.name
    logged = caplog.text.lower()
    assert [n for n in needles if n in logged] == []


def privacy_tenant(db: Session) -> str:
    from crm.services.tenants import tenant_by_slug

    return tenant_by_slug(db, slug="demo").id
