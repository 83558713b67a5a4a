"""One-time codes: a chat proves it holds a phone or email that another contact holds.

A phone or email typed into a chat is a claim (crm.models.contact). To see, move or cancel
appointments booked under another identity, the person asks for a code; it goes to the
claimed value itself — a WhatsApp authentication template to the phone, an email to the
address — so whoever types it back holds that value, and the chat is linked to the
contact that holds it (crm.services.contacts.link_verified).

What the answers never tell: whether the value is on file. A code is "sent" either way
(when nobody holds the value, nothing goes out and no code can succeed), and every refusal
depends only on the requester's own data, the business's set-up and the counters.

Codes: CODE_DIGITS digits, valid CODE_TTL, MAX_ATTEMPTS tries; only a keyed hash (HMAC
under MOSTRADOR_SECRET_KEY, salted with the row id) is stored; at most
MAX_CODES_PER_HOUR codes per conversation and per target contact. A newer code replaces
the conversation's older ones. Codes are never logged.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from sqlalchemy import func, update
from sqlmodel import Session, col, select

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
from crm.models import Contact, Conversation, Tenant, VerificationCode
from crm.services.contacts import holder_of, link_verified
from crm.services.privacy import mask_email, mask_phone

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 5
MAX_CODES_PER_HOUR = 3
CHANNEL_FOR = {"phone": "whatsapp", "email": "email"}
FIELD_FOR = {channel: field for field, channel in CHANNEL_FOR.items()}

# Sends one code: (destination, code, language) -> None; raises on failure. Built while
# the database is at hand, called after the turn's commit (never inside a transaction).
CodeSender = Callable[[str, str, str], None]


@runtime_checkable
class CodeDelivery(Protocol):
    """How a business sends codes (implemented by channels.verification)."""

    def available(self, db: Session, *, tenant: Tenant) -> frozenset[str]:
        """The channels ("whatsapp", "email") this business can send codes through."""
        ...

    def sender(self, db: Session, *, tenant: Tenant, channel: str) -> CodeSender:
        """A sender for `channel`, which must be in `available`."""
        ...


@dataclass(frozen=True)
class CodeRequest:
    """What the requester may be told, and the send to run after commit (None: nobody
    holds the value, nothing is sent — the answer is the same)."""

    channel: str
    destination_hint: str  # masked, of the value the requester typed
    expires_minutes: int
    send: Callable[[], None] | None


def claimed_value(contact: Contact) -> tuple[str, str] | None:
    """("phone" | "email", value): what this contact could prove, claims first."""
    if contact.claimed_phone:
        return "phone", contact.claimed_phone
    if contact.claimed_email:
        return "email", contact.claimed_email
    if contact.phone and not contact.phone_verified:
        return "phone", contact.phone
    if contact.email and not contact.email_verified:
        return "email", contact.email
    return None


def request_code(db: Session, *, box: SecretBox, delivery: CodeDelivery | None, tenant: Tenant,
                 conversation: Conversation, contact: Contact, now: datetime,
                 language: str = "es") -> CodeRequest:
    """Issue a code for the value `contact` typed. Raises NothingToVerify (no value typed),
    VerificationUnavailable (the business cannot send that kind), TooManyCodes."""
    claim = claimed_value(contact)
    if claim is None:
        raise NothingToVerify(
            "Primero pedile el teléfono o email con el que reservó y guardalo con "
            "save_contact_details.")
    field, value = claim
    channel = CHANNEL_FOR[field]
    if delivery is None or channel not in delivery.available(db, tenant=tenant):
        raise VerificationUnavailable(
            "Este negocio no puede enviar códigos de verificación por ese medio: ofrecé "
            "pasar la conversación a una persona del equipo (request_human).")
    target = holder_of(db, tenant=tenant, field=field, value=value, excluding=contact.id)
    since = now - timedelta(hours=1)
    recent = db.exec(select(func.count()).select_from(VerificationCode).where(
        VerificationCode.conversation_id == conversation.id,
        col(VerificationCode.created_at) > since)).one()
    if target is not None and recent < MAX_CODES_PER_HOUR:
        recent = max(recent, db.exec(select(func.count()).select_from(VerificationCode).where(
            VerificationCode.target_contact_id == target.id,
            col(VerificationCode.created_at) > since)).one())
    if recent >= MAX_CODES_PER_HOUR:
        raise TooManyCodes("Ya se enviaron varios códigos en la última hora: pedile que "
                           "espere y lo intente más tarde, u ofrecé pasar con una persona.")
    # Only the newest code of a conversation counts.
    db.exec(update(VerificationCode)  # type: ignore[call-overload]
            .where(col(VerificationCode.conversation_id) == conversation.id,
                   col(VerificationCode.consumed_at).is_(None),
                   col(VerificationCode.expires_at) > now)
            .values(expires_at=now))
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    row = VerificationCode(tenant_id=tenant.id, conversation_id=conversation.id,
                           target_contact_id=target.id if target else None, channel=channel,
                           code_hash="", expires_at=now + CODE_TTL, created_at=now)
    row.code_hash = box.lookup_hash(f"{row.id}:{code}")
    db.add(row)
    db.flush()
    send: Callable[[], None] | None = None
    if target is not None:
        sender = delivery.sender(db, tenant=tenant, channel=channel)

        def send() -> None:
            sender(value, code, language)

    hint = mask_phone(value) if field == "phone" else mask_email(value)
    return CodeRequest(channel=channel, destination_hint=hint,
                       expires_minutes=int(CODE_TTL.total_seconds() // 60), send=send)


def check_code(db: Session, *, box: SecretBox, tenant: Tenant, conversation: Conversation,
               contact: Contact, code: str, now: datetime) -> Contact:
    """Check `code` against the conversation's newest code; on success link the chat to
    the contact holding the value and return the contact it now belongs to (the one whose
    data the chat may see). Raises NoCode, CodeExpired, TooManyAttempts, WrongCode."""
    row = db.exec(select(VerificationCode).where(
        VerificationCode.conversation_id == conversation.id,
        col(VerificationCode.consumed_at).is_(None))
        .order_by(col(VerificationCode.created_at).desc())).first()
    if row is None:
        raise NoCode("No hay un código pendiente en esta conversación: ofrecé enviar uno.")
    if row.attempts >= MAX_ATTEMPTS:
        raise TooManyAttempts("Demasiados intentos con ese código: ofrecé enviar uno nuevo.")
    if row.expires_at <= now:
        raise CodeExpired("El código venció: ofrecé enviar uno nuevo.")
    digits = "".join(ch for ch in code if ch.isdigit())
    expected = box.lookup_hashes(f"{row.id}:{digits}")
    matches = any(hmac.compare_digest(row.code_hash, h) for h in expected)
    target = db.get(Contact, row.target_contact_id) if row.target_contact_id else None
    field = FIELD_FOR[row.channel]
    claim = claimed_value(contact)
    if not matches or target is None or claim is None or claim[0] != field \
            or getattr(target, field) != claim[1]:
        row.attempts += 1
        db.add(row)
        db.flush()
        left = MAX_ATTEMPTS - row.attempts
        if left <= 0:
            raise TooManyAttempts("Código incorrecto y no quedan intentos: ofrecé enviar "
                                  "uno nuevo.")
        raise WrongCode(f"Código incorrecto; quedan {left} intentos.")
    row.consumed_at = now
    db.add(row)
    db.flush()
    linked = link_verified(db, prover=contact, field=field, value=claim[1])
    if conversation.contact_id != linked.id:
        conversation.contact_id = linked.id
        db.add(conversation)
        db.flush()
    return linked
