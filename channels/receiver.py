"""The fast path of a Meta webhook: verify, dedupe, persist, hand over. No processing here.

Order of operations, so that nothing unverified is ever kept:

1. A missing or malformed ``X-Hub-Signature-256`` → `unauthorized`.
2. The body is parsed only to find the accounts it addresses. The signature is then checked
   on the raw bytes with the app secret of every addressed connection (its own, or the
   platform's ``MOSTRADOR_META_APP_SECRET`` when it connected through the platform app):
   all must verify, else `unauthorized`.
3. A body that is not a JSON object names no connection, so it is checked against the
   platform secret and every connection's app secret: a match is `malformed` (400: Meta
   signed garbage, retrying will not help), no match is `unauthorized` (401). Decrypting
   every app secret is the price of telling the two apart; it happens only for bodies that
   carry a well-formed signature and fail to parse.
4. A body addressing no known account is `dropped` (200, logged, nothing stored) once it
   verifies with the platform secret; without a platform secret it cannot be verified and
   is dropped all the same (200 so Meta stops retrying; nothing is stored or processed).
5. Verified: the raw body is stored as a WebhookEvent and every item claims its Meta id in
   the inbound ledger (unique constraint). Items another delivery already claimed are
   dropped; when nothing is left the transaction rolls back (`duplicate`, nothing kept).
6. Statuses and echoes that carry our send reference are receipts: they are recorded here,
   out of band, whatever else happens to the delivery, and such a status is applied here
   too, so it is no work for the processor (channels.receipts says why).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from sqlmodel import Session

from channels.inbound import InboundKind, InboundMessage, dedup_key, thread_key
from channels.payload import parse_webhook
from channels.receipts import apply_receipts, receipts_in
from channels.signature import verify, well_formed
from crm.crypto import SecretBox
from crm.models import ChannelConnection, WebhookEvent
from crm.services.connections import all_app_secrets, app_secret_of, connections_for
from crm.services.dedup import claim
from crm.settings import Settings

log = logging.getLogger("mostrador.channels.webhooks")


class Outcome(StrEnum):
    accepted = "accepted"          # stored; work to hand over
    duplicate = "duplicate"        # every item was already claimed; nothing stored
    applied = "applied"            # receipts only: applied at once; nothing stored
    dropped = "dropped"            # no known account (or nothing to do); nothing stored
    unauthorized = "unauthorized"  # missing or wrong signature; nothing stored
    malformed = "malformed"        # signed, but not a JSON object; nothing stored


@dataclass(frozen=True)
class Work:
    """One item of a stored event, to process in order with others of the same key."""

    event_id: int
    index: int
    key: str
    # When the message arrived (ms since the epoch), for work enqueued again later (the
    # redrive): turns are cut by arrival time, not by when the entry was re-added.
    at_ms: int | None = None


class Handoff(Protocol):
    """Takes stored work: the in-process Processor, or the Redis queue's handoff."""

    def submit(self, work: Iterable[Work]) -> None: ...


@dataclass(frozen=True)
class Receipt:
    outcome: Outcome
    event_id: int | None = None
    work: list[Work] = field(default_factory=list)


def receive(db: Session, *, settings: Settings, box: SecretBox, body: bytes,
            signature: str | None) -> Receipt:
    """Verify and persist one webhook delivery (see the module docstring)."""
    if not well_formed(signature):
        log.info("webhook refused reason=no-signature bytes=%d", len(body))
        return Receipt(Outcome.unauthorized)
    platform = settings.meta_app_secret.get_secret_value() if settings.meta_app_secret else None
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # nesting past the interpreter's
        data = None                                           # limit: not Meta's, malformed
    if not isinstance(data, dict):
        secrets = [s for s in (platform, *all_app_secrets(db, box=box)) if s]
        db.rollback()
        if any(verify(body, signature, s) for s in secrets):
            log.info("webhook refused reason=malformed bytes=%d", len(body))
            return Receipt(Outcome.malformed)
        log.info("webhook refused reason=bad-signature bytes=%d", len(body))
        return Receipt(Outcome.unauthorized)

    parsed = parse_webhook(data)
    connections = connections_for(db, accounts=parsed.accounts)
    if not connections:
        db.rollback()
        if platform and not verify(body, signature, platform):
            log.info("webhook refused reason=bad-signature object=%s", parsed.object[:40])
            return Receipt(Outcome.unauthorized)
        log.info("webhook dropped reason=unknown-account object=%s accounts=%d items=%d",
                 parsed.object[:40], len(parsed.accounts), len(parsed.items))
        return Receipt(Outcome.dropped)
    if not all(_signed_for(c, body, signature, platform, box) for c in connections.values()):
        db.rollback()
        log.info("webhook refused reason=bad-signature object=%s", parsed.object)
        return Receipt(Outcome.unauthorized)

    tenants = {c.tenant_id for c in connections.values()}
    event = WebhookEvent(object=parsed.object, body=body.decode("utf-8"),
                         tenant_id=next(iter(tenants)) if len(tenants) == 1 else None)
    db.add(event)
    db.flush()
    assert event.id is not None
    receipts = receipts_in(parsed.items, connections)
    settled = {r.index for r in receipts if r.status is not None}  # applied right here
    work: list[Work] = []
    duplicates = 0
    for index, item in enumerate(parsed.items):
        connection = connections.get((item.channel, item.account_id))
        if connection is None or index in settled or (isinstance(item, InboundMessage)
                                                      and item.kind == InboundKind.echo):
            continue  # another (unknown) business's part of the batch; receipts; echoes
        key = dedup_key(item)
        if key is not None and not claim(
                db, channel=key[0], external_id=key[1], event_id=event.id,
                tenant_id=connection.tenant_id,
                sender_id=item.sender_id if isinstance(item, InboundMessage) else None,
                sent_at=item.timestamp):
            duplicates += 1
            continue
        work.append(Work(event_id=event.id, index=index, key=thread_key(item)))
    if not work:
        db.rollback()
        apply_receipts(db, receipts)
        outcome = (Outcome.applied if receipts else
                   Outcome.duplicate if duplicates else Outcome.dropped)
        log.info("webhook %s object=%s items=%d receipts=%d", outcome.value, parsed.object,
                 len(parsed.items), len(receipts))
        return Receipt(outcome)
    event.items_total = len(work)
    db.add(event)
    db.commit()
    apply_receipts(db, receipts)
    log.info("webhook accepted event=%d object=%s items=%d duplicates=%d receipts=%d",
             event.id, parsed.object, len(work), duplicates, len(receipts))
    return Receipt(Outcome.accepted, event_id=event.id, work=work)


def _signed_for(connection: ChannelConnection, body: bytes, signature: str | None,
                platform: str | None, box: SecretBox) -> bool:
    secret = app_secret_of(connection, box=box) or platform
    if secret is None:
        log.error("connection %s has no app secret and MOSTRADOR_META_APP_SECRET is unset; "
                  "its webhooks cannot be verified", connection.id)
        return False
    return verify(body, signature, secret)
