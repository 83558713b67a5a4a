"""One-time codes: 6 digits, 10 minutes, 5 attempts, hashed at rest, rate limited per
conversation and per contact, and answers that never tell whether a value is on file."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pytest
from sqlmodel import Session, select

from crm.crypto import SecretBox
from crm.errors import (
    CodeExpired,
    NoCode,
    NothingToVerify,
    TooManyAttempts,
    TooManyCodes,
    VerificationUnavailable,
    WrongCode,
)
from crm.models import Appointment, Channel, Contact, Conversation, Tenant, VerificationCode
from crm.services import booking
from crm.services.contacts import contact_for_identity, update_contact_details
from crm.services.conversations import open_conversation
from crm.services.verification import (
    CODE_TTL,
    MAX_ATTEMPTS,
    MAX_CODES_PER_HOUR,
    CodeRequest,
    CodeSender,
    check_code,
    request_code,
)
from tests.conftest import NOW
from tests.factories import make_tenant

BOX = SecretBox("test-secret-key-for-verification-0123456789")
ANA_PHONE = "+541144445555"


@dataclass
class Outbox:
    """A CodeDelivery that records what it would send."""

    channels: frozenset[str] = frozenset({"whatsapp", "email"})
    sent: list[tuple[str, str, str]] = field(default_factory=list)

    def available(self, db: Session, *, tenant: Tenant) -> frozenset[str]:
        return self.channels

    def sender(self, db: Session, *, tenant: Tenant, channel: str) -> CodeSender:
        def send(to: str, code: str, language: str) -> None:
            self.sent.append((channel, to, code))
        return send


@dataclass
class Chat:
    tenant: Tenant
    contact: Contact
    conversation: Conversation


def _chat(db: Session, tenant: Tenant, session: str, **details: str) -> Chat:
    contact = contact_for_identity(db, tenant=tenant, channel="web", external_id=session)
    conversation = open_conversation(db, tenant=tenant, contact=contact, channel=Channel.web,
                                     external_id=session)
    if details:
        update_contact_details(db, tenant=tenant, contact=contact, **details)
    db.commit()
    return Chat(tenant, contact, conversation)


@pytest.fixture
def tenant(db: Session) -> Tenant:
    return make_tenant(db)


@pytest.fixture
def ana(db: Session, tenant: Tenant) -> Chat:
    chat = _chat(db, tenant, "session-ana", name="Ana Gómez", phone="11 4444-5555",
                 email="ana@correo.test")
    booking.book(db, tenant=tenant, contact=chat.contact, service_name="Consulta general",
                 day=date(2026, 11, 25), at=time(10), now=NOW)
    db.commit()
    return chat


def _request(db: Session, chat: Chat, outbox: Outbox | None,
             now: datetime = NOW) -> CodeRequest:
    request = request_code(db, box=BOX, delivery=outbox, tenant=chat.tenant,
                           conversation=chat.conversation, contact=chat.contact, now=now)
    db.commit()
    if request.send is not None:
        request.send()
    return request


def _check(db: Session, chat: Chat, code: str, now: datetime = NOW) -> Contact:
    try:
        return check_code(db, box=BOX, tenant=chat.tenant, conversation=chat.conversation,
                          contact=chat.contact, code=code, now=now)
    finally:
        db.commit()


def test_a_right_code_links_the_chat_to_the_contact_holding_the_phone(
        db: Session, tenant: Tenant, ana: Chat) -> None:
    outbox = Outbox()
    pedro = _chat(db, tenant, "session-pedro", name="Pedro Ruiz", phone="11 4444-5555")
    request = _request(db, pedro, outbox)
    assert (request.channel, request.destination_hint) == ("whatsapp", "+54114****5555")
    [(channel, to, code)] = outbox.sent
    assert (channel, to, len(code), code.isdigit()) == ("whatsapp", ANA_PHONE, 6, True)
    linked = _check(db, pedro, code)
    assert linked.id == pedro.contact.id
    assert [a.contact_id for a in db.exec(select(Appointment))] == [pedro.contact.id]
    assert db.exec(select(VerificationCode)).one().consumed_at is not None


def test_only_a_keyed_hash_of_the_code_is_stored(db: Session, tenant: Tenant, ana: Chat) -> None:
    outbox = Outbox()
    pedro = _chat(db, tenant, "session-pedro", phone="11 4444-5555")
    _request(db, pedro, outbox)
    code = outbox.sent[0][2]
    row = db.exec(select(VerificationCode)).one()
    assert code not in row.model_dump_json() and len(row.code_hash) == 64
    assert row.code_hash == BOX.lookup_hash(f"{row.id}:{code}")


def test_a_wrong_code_counts_an_attempt_and_links_nothing(
        db: Session, tenant: Tenant, ana: Chat) -> None:
    outbox = Outbox()
    pedro = _chat(db, tenant, "session-pedro", phone="11 4444-5555")
    _request(db, pedro, outbox)
    wrong = f"{(int(outbox.sent[0][2]) + 1) % 10**6:06d}"
    with pytest.raises(WrongCode, match="quedan 4 intentos"):
        _check(db, pedro, wrong)
    assert db.exec(select(VerificationCode)).one().attempts == 1
    assert [a.contact_id for a in db.exec(select(Appointment))] == [ana.contact.id]


def test_after_five_wrong_attempts_even_the_right_code_is_refused(
        db: Session, tenant: Tenant, ana: Chat) -> None:
    outbox = Outbox()
    pedro = _chat(db, tenant, "session-pedro", phone="11 4444-5555")
    _request(db, pedro, outbox)
    code = outbox.sent[0][2]
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(MAX_ATTEMPTS - 1):
        with pytest.raises(WrongCode):
            _check(db, pedro, wrong)
    with pytest.raises(TooManyAttempts):
        _check(db, pedro, wrong)
    with pytest.raises(TooManyAttempts):
        _check(db, pedro, code)
    assert [a.contact_id for a in db.exec(select(Appointment))] == [ana.contact.id]


def test_an_expired_code_is_refused(db: Session, tenant: Tenant, ana: Chat) -> None:
    outbox = Outbox()
    pedro = _chat(db, tenant, "session-pedro", phone="11 4444-5555")
    _request(db, pedro, outbox)
    with pytest.raises(CodeExpired):
        _check(db, pedro, outbox.sent[0][2], now=NOW + CODE_TTL + timedelta(seconds=1))
    assert [a.contact_id for a in db.exec(select(Appointment))] == [ana.contact.id]


def test_a_newer_code_replaces_the_older_one(db: Session, tenant: Tenant, ana: Chat) -> None:
    outbox = Outbox()
    pedro = _chat(db, tenant, "session-pedro", phone="11 4444-5555")
    _request(db, pedro, outbox)
    _request(db, pedro, outbox, now=NOW + timedelta(minutes=1))
    first, second = (sent[2] for sent in outbox.sent)
    if first != second:
        with pytest.raises(WrongCode):
            _check(db, pedro, first, now=NOW + timedelta(minutes=2))
    assert _check(db, pedro, second, now=NOW + timedelta(minutes=2)).id == pedro.contact.id


def test_codes_are_limited_per_conversation_per_hour(
        db: Session, tenant: Tenant, ana: Chat) -> None:
    outbox = Outbox()
    pedro = _chat(db, tenant, "session-pedro", phone="11 4444-5555")
    for n in range(MAX_CODES_PER_HOUR):
        _request(db, pedro, outbox, now=NOW + timedelta(minutes=n))
    with pytest.raises(TooManyCodes):
        _request(db, pedro, outbox, now=NOW + timedelta(minutes=10))
    _request(db, pedro, outbox, now=NOW + timedelta(minutes=61))  # a new hour
    assert len(outbox.sent) == MAX_CODES_PER_HOUR + 1


def test_codes_are_limited_per_target_contact_across_conversations(
        db: Session, tenant: Tenant, ana: Chat) -> None:
    outbox = Outbox()
    for n in range(MAX_CODES_PER_HOUR):
        _request(db, _chat(db, tenant, f"session-{n}", phone="11 4444-5555"), outbox)
    with pytest.raises(TooManyCodes):
        _request(db, _chat(db, tenant, "session-x", phone="11 4444-5555"), outbox)
    assert len(outbox.sent) == MAX_CODES_PER_HOUR


def test_a_value_nobody_holds_gets_the_same_answer_and_no_code_can_succeed(
        db: Session, tenant: Tenant) -> None:
    outbox = Outbox()
    pedro = _chat(db, tenant, "session-pedro", phone="11 4444-9999")
    request = _request(db, pedro, outbox)
    assert (request.channel, request.send, outbox.sent) == ("whatsapp", None, [])
    for code in ("000000", "123456"):
        with pytest.raises(WrongCode):
            _check(db, pedro, code)


def test_an_email_claim_gets_its_code_by_email(db: Session, tenant: Tenant, ana: Chat) -> None:
    outbox = Outbox()
    pedro = _chat(db, tenant, "session-pedro", email="ana@correo.test")
    assert _request(db, pedro, outbox).destination_hint == "a***@correo.test"
    [(channel, to, code)] = outbox.sent
    assert (channel, to) == ("email", "ana@correo.test")
    assert _check(db, pedro, code).id == pedro.contact.id


def test_a_business_that_cannot_send_that_kind_offers_a_person(
        db: Session, tenant: Tenant, ana: Chat) -> None:
    pedro = _chat(db, tenant, "session-pedro", phone="11 4444-5555")
    with pytest.raises(VerificationUnavailable, match="request_human"):
        _request(db, pedro, Outbox(channels=frozenset({"email"})))
    with pytest.raises(VerificationUnavailable):
        _request(db, pedro, None)


def test_nothing_to_verify_without_a_typed_phone_or_email(db: Session, tenant: Tenant) -> None:
    with pytest.raises(NothingToVerify):
        _request(db, _chat(db, tenant, "session-nada"), Outbox())
    with pytest.raises(NoCode):
        _check(db, _chat(db, tenant, "session-otra"), "123456")
