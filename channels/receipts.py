"""Receipts: Meta's own word that it accepted one of our sends.

They close the send window. Before a reply's Graph call the durable path records the intent
to send (an OutboundDelivery with part -1, error code "sending"); once Meta answers it
records each part's outcome and drops the intent, in one transaction. A worker killed
between the two leaves an intent without an outcome; so does a send whose answer was lost
after Meta may have taken the request (a read timeout, a dropped connection: the Graph
client does not retry those, channels.graph). The Graph API takes no idempotency key: did
Meta get the message or not? So every part we send carries our own reference, which Meta
hands back:

    mst:<assistant message id>:<part>        (ids only, never personal data)

- WhatsApp Cloud API: the message's `biz_opaque_callback_data`, echoed in each of its
  `statuses` webhooks (sent, delivered, read, failed).
- Messenger and Instagram Send API: `message.metadata`, echoed in the message's
  `message_echoes` webhook (`is_echo: true`).

A verified webhook that carries one of our references is a receipt: that part was accepted
by Meta. `apply_receipts` records it as the part's OutboundDelivery (with the wamid / mid it
names) unless the worker already did. A retried turn that finds an intent without an
outcome waits until `send_confirm_seconds` have passed since the intent was recorded (or,
after a lost answer, since the send failed) (`await_receipts`): the parts Meta confirmed
are not sent again; the rest never reached Meta and are sent
(channels.outbound.deliver_once). Nobody is asked to check by hand. A dead worker's
entries are retried only after the visibility timeout, so in practice receipts get at
least that long; the wait matters when a worker retries at once (a lost answer).

Receipts are applied in the webhook receiver, once the rest of the webhook (if any) is
stored, and never through the queue: the retried turn waiting for a receipt holds its
shard, and a status queued behind it (a status's thread key is its wamid, so one receipt in
`queue_shards` lands on the waiting shard) would wait out the window, and the reply would
go twice. The receiver has already verified the signature and found the connection; a
receipt costs it a lookup and at most a small insert, and a failure there answers 5xx, so
Meta delivers the receipt again. A WhatsApp status that is a receipt also moves its
delivery forward right there (one small update), so it needs no queue entry and no worker
at all: statuses are most of Meta's webhook traffic (sent, delivered, read per message).

Receipts that back up (Meta's webhooks during its incidents, or an API answering them
slowly under load) are told apart from a send that never reached Meta: on WhatsApp, whose
receipts are statuses, sends of the connection recorded after the intent that have no
status yet mean the receipts lag behind, and the retry waits for them (up to LAG_FACTOR
times `send_confirm_seconds`) instead of sending again at the end of the confirm window.

Residual risk, by design: when Meta accepted a part but its receipt arrives after that
(Messenger and Instagram: after `send_confirm_seconds`; with no later send to measure the
lag by; or after LAG_FACTOR times the window), that part goes to the user twice; the same
happens after every crash in the send window when the business's app is not subscribed to
WhatsApp `messages` statuses or to Messenger / Instagram `message_echoes`. (A worker that
stalls past its visibility timeout without dying is another matter: the worker that takes
its shard may run the same turn alongside it.)
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from channels.inbound import InboundKind, InboundMessage, Item, StatusUpdate
from crm.db import reader_engine
from crm.models import (
    ChannelConnection,
    ChannelKind,
    Conversation,
    DeliveryStatus,
    Message,
    MessageRole,
    OutboundDelivery,
)
from crm.services.deliveries import SENDING, apply_status, record_delivery

log = logging.getLogger("mostrador.channels.receipts")

PREFIX = "mst"
POLL_SECONDS = 0.1
# A send recorded this long after an intent was accepted by Meta after the intent's send.
RECEIPT_ORDER_MARGIN = 1.0
# How much longer than `send_confirm_seconds` a retry waits while receipts lag behind.
LAG_FACTOR = 10


def reference(message_id: int, part: int) -> str:
    """Our reference of one part of an assistant message (ids only)."""
    return f"{PREFIX}:{message_id}:{part}"


def parse_reference(value: str | None) -> tuple[int, int] | None:
    """(message id, part) of one of our references; None for anything else."""
    bits = (value or "").split(":")
    if len(bits) != 3 or bits[0] != PREFIX or not (bits[1].isdigit() and bits[2].isdigit()):
        return None
    return int(bits[1]), int(bits[2])


@dataclass(frozen=True)
class SendReceipt:
    index: int        # of the item in its webhook
    tenant_id: str
    channel: str
    message_id: int
    part: int
    external_id: str  # the wamid / mid Meta gave the part
    status: str | None = None  # a WhatsApp status's news (sent, delivered, ...); None: echo
    error_code: str | None = None


def receipts_in(items: Iterable[Item],
                connections: Mapping[tuple[ChannelKind, str], ChannelConnection]
                ) -> list[SendReceipt]:
    """The receipts among a verified webhook's items (statuses and echoes with our
    reference), each attributed to the tenant of the connection it came through."""
    found = []
    for index, item in enumerate(items):
        if isinstance(item, StatusUpdate) or (isinstance(item, InboundMessage)
                                              and item.kind == InboundKind.echo):
            ours = parse_reference(item.reference)
            connection = connections.get((item.channel, item.account_id))
            if ours is not None and connection is not None:
                status = item if isinstance(item, StatusUpdate) else None
                found.append(SendReceipt(
                    index=index, tenant_id=connection.tenant_id, channel=item.channel.value,
                    message_id=ours[0], part=ours[1], external_id=item.message_id,
                    status=status.status if status else None,
                    error_code=status.error_code if status else None))
    return found


def apply_receipts(db: Session, receipts: list[SendReceipt]) -> int:
    """Record each receipt's part as accepted unless it is recorded, and apply the status
    a WhatsApp receipt brings (it needs nothing else: it is not queued); commits.

    A reference to a message of another tenant or channel, or to no assistant message, is
    ignored (the webhook was signed, but references are only ids). Returns how many parts
    this call recorded. Database errors propagate (the webhook answers 5xx; Meta retries).
    """
    recorded = 0
    for receipt in receipts:
        if _record(db, receipt):
            recorded += 1
        if receipt.status is not None:
            apply_status(db, tenant_id=receipt.tenant_id, channel=receipt.channel,
                         external_id=receipt.external_id, status=receipt.status,
                         error_code=receipt.error_code)
    db.commit()
    if recorded:
        log.info("receipts recorded parts=%d of=%d", recorded, len(receipts))
    return recorded


def _record(db: Session, receipt: SendReceipt) -> bool:
    if _recorded(db, channel=receipt.channel, external_id=receipt.external_id):
        return False  # the usual case: the worker heard Meta's answer and recorded it
    owner = db.exec(select(Message.id).join(
            Conversation, col(Conversation.id) == Message.conversation_id).where(
            Message.id == receipt.message_id, Message.role == MessageRole.assistant,
            Conversation.tenant_id == receipt.tenant_id,
            Conversation.channel == receipt.channel)).first()
    if owner is None:
        log.warning("receipt for an unknown message ignored channel=%s", receipt.channel)
        return False
    return record_accepted(db, tenant_id=receipt.tenant_id, message_id=receipt.message_id,
                           channel=receipt.channel, external_id=receipt.external_id,
                           part=receipt.part)


def record_accepted(db: Session, *, tenant_id: str, message_id: int | None, channel: str,
                    external_id: str, part: int, kind: str = "text") -> bool:
    """Record `part` of `message_id` as accepted by Meta as `external_id`, unless a delivery
    of that external id exists (the sending worker and a receipt race to record it; the
    unique (channel, external_id) decides). True when this call recorded it."""
    if _recorded(db, channel=channel, external_id=external_id):
        return False
    try:
        with db.begin_nested():
            record_delivery(db, tenant_id=tenant_id, message_id=message_id, channel=channel,
                            external_id=external_id, part=part,
                            status=DeliveryStatus.accepted, kind=kind)
    except IntegrityError:
        return False
    return True


def _recorded(db: Session, *, channel: str, external_id: str) -> bool:
    return db.exec(select(OutboundDelivery.id).where(
        OutboundDelivery.channel == channel,
        OutboundDelivery.external_id == external_id)).first() is not None


@dataclass(frozen=True)
class SendProgress:
    intent_at: datetime | None  # an intent without an outcome was recorded then; else None
    through: int                # the last part Meta has (or deliberately not sent); -1: none


def send_progress(db: Session, *, message_id: int) -> SendProgress:
    """How far sending `message_id` got. Parts go out in order and each waits for the one
    before to be accepted, so a receipt for part n means parts 0..n all reached Meta."""
    rows = list(db.exec(select(OutboundDelivery).where(
        OutboundDelivery.message_id == message_id)))
    intents = [r.created_at for r in rows if r.part < 0 and r.error_code == SENDING]
    through = max((r.part for r in rows if r.part >= 0 and (
        r.external_id is not None or r.status == DeliveryStatus.not_sent)), default=-1)
    return SendProgress(intent_at=max(intents) if intents else None, through=through)


def await_receipts(engine: Engine, *, message_id: int, last_part: int, since: datetime,
                   seconds: float, tenant_id: str | None = None, channel: str | None = None,
                   sleep: Callable[[float], object] = time.sleep) -> int:
    """The last part Meta confirmed, once every part up to `last_part` is confirmed or Meta's
    receipts show that the rest never reached it.

    At least `seconds` pass after `since` (the intent; machines' clocks in sync). With
    `tenant_id` and `channel` (a channel whose receipts are statuses: WhatsApp), the wait
    goes on while receipts lag behind: when sends of the channel recorded after ours
    (RECEIPT_ORDER_MARGIN later) exist and none of them has its receipt yet, ours may still
    be on its way, and sending again would send twice. The wait ends when one of them has
    its receipt (Meta's webhooks are past ours), or after LAG_FACTOR times `seconds`.
    """
    deadline = since.timestamp() + seconds
    patience = since.timestamp() + seconds * LAG_FACTOR
    while True:
        with Session(reader_engine(engine)) as db:
            through = send_progress(db, message_id=message_id).through
            now = time.time()
            if through >= last_part:
                return through
            if now >= deadline and (tenant_id is None or channel is None or now >= patience
                                    or not _receipts_lag(db, tenant_id=tenant_id,
                                                         channel=channel, since=since,
                                                         message_id=message_id)):
                if now >= patience:
                    log.warning("receipts still lag; sending again message=%d", message_id)
                return through
        sleep(POLL_SECONDS if now >= deadline else min(POLL_SECONDS, deadline - now))


def _receipts_lag(db: Session, *, tenant_id: str, channel: str, since: datetime,
                  message_id: int) -> bool:
    """The business gets statuses, sends of `channel` recorded after `since` (by
    RECEIPT_ORDER_MARGIN) exist, and Meta's receipts have reached none of them (each is
    still only `accepted`)."""
    sends = select(OutboundDelivery.id).where(
        OutboundDelivery.tenant_id == tenant_id, OutboundDelivery.channel == channel,
        OutboundDelivery.message_id != message_id, col(OutboundDelivery.part) >= 0,
        col(OutboundDelivery.external_id).is_not(None))
    later = sends.where(
        col(OutboundDelivery.created_at) > since + timedelta(seconds=RECEIPT_ORDER_MARGIN))
    receipted = OutboundDelivery.status != DeliveryStatus.accepted
    if db.exec(sends.where(receipted).limit(1)).first() is None:
        return False  # never a status: the app is not subscribed, there is nothing to wait for
    if db.exec(later.limit(1)).first() is None:
        return False  # nothing sent since ours: no sign of a backlog
    return db.exec(later.where(receipted).limit(1)).first() is None
