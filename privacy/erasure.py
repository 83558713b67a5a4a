"""Erasure: hard-delete a person everywhere their data lives, leaving only tombstones.

Where a person's data lives, and what ``erase_contacts`` does with it (one business):

- CRM rows, deleted explicitly (not left to the foreign keys' cascades, so the counts are
  exact and no database setting can leave rows behind): the contacts, their channel
  identities, conversations, messages, outbound deliveries of those messages (and of
  replies never stored, found by their wamid / mid in the person's webhooks), corpus intake
  ledger rows, leads, appointments and their slot holds, preferences and consents
  (``ERASED_TABLES``);
- Lead Ads intakes of their leads and intakes without a lead whose answers carry their phone
  or email (deleting a lead only empties ``lead_id``: the answers would stay);
- raw webhook bodies and the inbound ledger (``privacy.raw_events``: an event that is all
  theirs is deleted, a batch shared with other people is rewritten without them);
- the durable queue's Redis (``channels.durable.purge``): pending and dead-lettered entries,
  attempts, web chat replies, rate-limit counters, redrive markers;
- corpus records, by keyed hash (``training_data.erase_contact``), in the corpus database
  whichever it is;
- data-subject requests that resolved to them keep their ids and counts; their encrypted
  locator and values are cleared and the hint becomes "[borrado]".

Audit events are left as they are (they hold ids, never values, and the chain must keep
verifying). Files: corpus exports are anonymized and keyed by hashes (nothing to find), and
access bundles are built on download, never written; no other file holds personal data.

Tombstones (``privacy.tombstones``) of every identifier are written to the ledger first
(committed before anything is deleted, so a crash midway still leaves the proof and the
means to finish), then to the CRM database with the deletions, in one transaction.

Concurrency: with the durable queue, the shards of the person's conversations are held
for the whole erasure (``channels.durable.hold``): a turn of theirs already in a worker's
hands finishes first (or, if its worker stalled, is fenced off), and no worker takes their
entries until the erasure is done; the queue is purged before the database rows go, and
again after. Without Redis (the in-process path), a turn running in the web process at that
moment can still store its messages after the erasure: erase again, or
``reapply_erasures`` catches it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any, TypeVar

import phonenumbers
from sqlalchemy import delete, update
from sqlmodel import Session, SQLModel, col, select

from channels.durable.hold import holding
from channels.durable.purge import PurgeReport, QueueSubject, purge_subject
from crm.db import checkpoint
from crm.errors import NotFound
from crm.models import (
    Appointment,
    Channel,
    ChannelConnection,
    ChannelIdentity,
    Contact,
    ContactConsent,
    ContactPreference,
    Conversation,
    CorpusIntake,
    InboundKey,
    LeadAdIntake,
    Message,
    OutboundDelivery,
    PrivacyRequest,
    SlotHold,
    Tenant,
    TombstoneKind,
    VerificationCode,
)
from crm.models import Lead as LeadRow
from crm.services.normalize import region_of
from privacy.context import PrivacyContext
from privacy.raw_events import (
    SCRUBBED,
    EventPlan,
    Needles,
    apply_plan,
    intakes_of,
    plan_events,
)
from privacy.tombstones import make_tombstones, same_database, write_tombstones
from training_data import erase_contact
from training_data.erasure import delete_records
from training_data.keys import all_corpus_keys
from training_data.store import corpus_session, separate

log = logging.getLogger("mostrador.privacy.erasure")

META_CHANNELS = (Channel.whatsapp.value, Channel.instagram.value, Channel.messenger.value)
# Every table whose rows belong to a contact, deleted children first. A new table with a
# foreign key to one of these must be added here (tests/privacy/test_erasure.py checks).
ERASED_TABLES = ("outbounddelivery", "message", "corpusintake", "slothold", "appointment",
                 "leadadintake", "lead", "contactconsent", "contactpreference",
                 "verificationcode", "channelidentity", "conversation", "contact")
_CHUNK = 500
_Row = TypeVar("_Row", bound=SQLModel)


@dataclass
class ErasureReport:
    contacts: int = 0
    rows: dict[str, int] = field(default_factory=dict)   # table → rows deleted
    webhook_events: int = 0     # raw webhook bodies deleted or rewritten
    redis_keys: int = 0         # Redis stream entries, keys and hash fields removed
    corpus_records: int = 0
    tombstones: int = 0         # tombstones added (to the ledger)

    def as_dict(self) -> dict[str, object]:
        """Counts only: safe for audit details, logs and request results."""
        return {"contacts": self.contacts, "rows": dict(sorted(self.rows.items())),
                "webhook_events": self.webhook_events, "redis_keys": self.redis_keys,
                "corpus_records": self.corpus_records, "tombstones": self.tombstones}


@dataclass
class Person:
    """Everything that identifies one person within one business (personal data: never
    log it)."""

    tenant: Tenant
    contact_ids: list[str] = field(default_factory=list)
    named_ids: set[str] = field(default_factory=set)       # contact ids named, found or not
    phones: set[str] = field(default_factory=set)           # E.164
    emails: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    identities: set[tuple[str, str]] = field(default_factory=set)  # (channel, external id)
    conversation_ids: list[str] = field(default_factory=list)
    message_ids: list[int] = field(default_factory=list)
    message_refs: set[str] = field(default_factory=set)     # wamids / mids, both ways
    appointment_ids: list[str] = field(default_factory=list)
    lead_ids: list[str] = field(default_factory=list)
    intake_ids: list[str] = field(default_factory=list)
    leadgen_ids: set[str] = field(default_factory=set)
    accounts: dict[str, set[str]] = field(default_factory=dict)  # channel → account ids

    @property
    def senders(self) -> set[tuple[str, str]]:
        """(channel, sender id) of the person on Meta channels; a phone is a WhatsApp wa_id."""
        found = {(c, e) for c, e in self.identities if c in META_CHANNELS}
        return found | {(Channel.whatsapp.value, p.lstrip("+")) for p in self.phones}

    def needles(self) -> Needles:
        phone_texts = {form for p in self.phones for form in phone_forms(p)}
        tails = {re.sub(r"\D", "", p)[-8:] for p in self.phones}
        ids = {s for _, s in self.senders} | self.phones | {p.lstrip("+") for p in self.phones}
        ids |= self.emails | self.message_refs | self.leadgen_ids
        return Needles(ids=frozenset(ids), texts=tuple(sorted(phone_texts | self.emails)),
                       names=tuple(sorted(self.names)), phone_tails=tuple(sorted(tails)))

    def _threads(self) -> set[str]:
        """The person's Meta thread keys "{channel}:{account}:{sender}"."""
        return {f"{channel}:{account}:{sender}" for channel, sender in self.senders
                for account in self.accounts.get(channel, ())}

    def _web_sessions(self) -> set[str]:
        return {e for c, e in self.identities if c == Channel.web.value}

    def queue_keys(self) -> list[str]:
        """The queue entry keys of the person's conversations (what picks their shard)."""
        return sorted({f"web:{self.tenant.slug}:{s}" for s in self._web_sessions()}
                      | self._threads())

    def queue_subject(self, plan: EventPlan) -> QueueSubject:
        return QueueSubject(
            tenant_slug=self.tenant.slug, web_sessions=frozenset(self._web_sessions()),
            thread_keys=frozenset(self._threads()), events=frozenset(plan.delete),
            items=frozenset(plan.items), conversations=frozenset(self.conversation_ids))

    def tombstone_values(self) -> list[tuple[TombstoneKind, str]]:
        values = [(TombstoneKind.phone, p) for p in self.phones]
        values += [(TombstoneKind.email, e) for e in self.emails]
        values += [(TombstoneKind.identity, f"{c}:{e}") for c, e in self.identities]
        values += [(TombstoneKind.contact, c) for c in self.named_ids]
        return values


def phone_forms(e164: str) -> set[str]:
    """How a phone appears in text: E.164, without +, international and national formats,
    and the national number's digits."""
    forms = {e164, e164.lstrip("+")}
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return forms
    for style in (phonenumbers.PhoneNumberFormat.INTERNATIONAL,
                  phonenumbers.PhoneNumberFormat.NATIONAL):
        forms.add(phonenumbers.format_number(number, style))
    forms.add(str(number.national_number))
    return forms


def gather(db: Session, *, tenant: Tenant, contact_ids: Sequence[str],
           identifiers: Sequence[tuple[TombstoneKind, str]] = ()) -> Person:
    """The person: the business's contacts among `contact_ids`, plus `identifiers`
    (normalized: E.164 phones, lower-case emails, "channel:external_id", contact ids)."""
    person = Person(tenant=tenant, named_ids=set(contact_ids))
    for kind, value in identifiers:
        if kind == TombstoneKind.phone:
            person.phones.add(value)
        elif kind == TombstoneKind.email:
            person.emails.add(value.lower())
        elif kind == TombstoneKind.identity and ":" in value:
            channel, _, external = value.partition(":")
            person.identities.add((channel, external))
        elif kind == TombstoneKind.contact:
            person.named_ids.add(value)
    named = _in(db, Contact, Contact.id, sorted(person.named_ids))
    # Another business's contact is not this erasure's to touch (nor its corpus records).
    person.named_ids -= {c.id for c in named if c.tenant_id != tenant.id}
    contacts = [c for c in named if c.tenant_id == tenant.id]
    person.contact_ids = [c.id for c in contacts]
    for contact in contacts:
        person.phones |= {contact.phone} if contact.phone else set()
        person.emails |= {contact.email} if contact.email else set()
        person.names |= {contact.name.strip()} if contact.name and contact.name.strip() else set()
    ids = person.contact_ids
    person.identities |= {(i.channel, i.external_id) for i in
                          _in(db, ChannelIdentity, ChannelIdentity.contact_id, ids)}
    person.conversation_ids = [c.id for c in _in(db, Conversation, Conversation.contact_id, ids)]
    messages = _in(db, Message, Message.conversation_id, person.conversation_ids)
    person.message_ids = [m.id for m in messages if m.id is not None]
    person.message_refs = {m.channel_message_id for m in messages if m.channel_message_id}
    person.message_refs |= {d.external_id for d in _in(db, OutboundDelivery,
                                                       OutboundDelivery.message_id,
                                                       person.message_ids) if d.external_id}
    person.appointment_ids = [a.id for a in _in(db, Appointment, Appointment.contact_id, ids)]
    person.lead_ids = [lead.id for lead in _in(db, LeadRow, LeadRow.contact_id, ids)]
    person.intake_ids = intakes_of(db, tenant_id=tenant.id, lead_ids=person.lead_ids,
                                   phones=person.phones, emails=person.emails,
                                   region=region_of(tenant.locale))
    person.leadgen_ids = {i.leadgen_id for i in _in(db, LeadAdIntake, LeadAdIntake.id,
                                                   person.intake_ids)}
    for channel_kind, account in db.exec(
            select(ChannelConnection.kind, ChannelConnection.account_id)
            .where(ChannelConnection.tenant_id == tenant.id)):
        person.accounts.setdefault(str(channel_kind), set()).add(account)
    return person


def erase_contacts(ctx: PrivacyContext, *, tenant_id: str, contact_ids: Sequence[str],
                   request_id: str, tombstones: bool = True,
                   identifiers: Sequence[tuple[TombstoneKind, str]] = (),
                   hold: bool = True) -> ErasureReport:
    """Hard-delete the business's contacts `contact_ids` and everything of theirs, and the
    raw copies and queue state of `identifiers` (normalized, e.g. the phone a request named
    even when no contact has it); write tombstones of all of it (unless `tombstones` is
    False: re-applying erasures); commit. Contact ids of another business are ignored.

    With the durable queue, the person's conversations are held first
    (channels.durable.hold): a turn of theirs already in a worker's hands ends before the
    erasure starts, and none starts until it is done (`hold=False` skips that, for
    contacts known to be inactive: retention's expired ones).

    Idempotent: erasing again finds nothing and adds no tombstone. Raises
    channels.durable.errors.QueueUnavailable when Redis is configured but does not answer
    (nothing is deleted then; run it again: a request is retried), and
    crm.errors.NotFound for an unknown business.
    """
    if ctx.queue is None or not hold:
        return _erase(ctx, tenant_id=tenant_id, contact_ids=contact_ids,
                      request_id=request_id, tombstones=tombstones, identifiers=identifiers)
    with Session(ctx.engine) as db:  # closed before waiting: hold no database lock then
        tenant = db.get(Tenant, tenant_id)
        if tenant is None:
            raise NotFound("Unknown business.")
        keys = gather(db, tenant=tenant, contact_ids=contact_ids,
                      identifiers=identifiers).queue_keys()
        db.commit()
    with holding(ctx.queue, keys, owner=f"erasure:{request_id}",
                 wait_seconds=ctx.settings.visibility_timeout_seconds):
        return _erase(ctx, tenant_id=tenant_id, contact_ids=contact_ids,
                      request_id=request_id, tombstones=tombstones, identifiers=identifiers)


def _erase(ctx: PrivacyContext, *, tenant_id: str, contact_ids: Sequence[str],
           request_id: str, tombstones: bool,
           identifiers: Sequence[tuple[TombstoneKind, str]]) -> ErasureReport:
    report = ErasureReport()
    today = ctx.clock().astimezone(UTC).date()
    with Session(ctx.engine, expire_on_commit=False) as db:
        tenant = db.get(Tenant, tenant_id)
        if tenant is None:
            raise NotFound("Unknown business.")
        person = gather(db, tenant=tenant, contact_ids=contact_ids, identifiers=identifiers)
        senders = person.senders
        accounts = {a for found in person.accounts.values() for a in found}
        plan = plan_events(db, tenant_id=tenant_id, accounts=accounts, needles=person.needles(),
                           event_ids=events_of(db, tenant_id, senders))
        rows = make_tombstones(ctx.settings, tenant_id=tenant_id,
                               values=person.tombstone_values(),
                               contact_ids=sorted(person.named_ids), request_id=request_id,
                               on=today) if tombstones else []
        ledger_apart = not same_database(ctx.ledger, ctx.engine)
        if rows and ledger_apart:
            with Session(ctx.ledger) as ledger:
                report.tombstones = write_tombstones(ledger, rows)
                ledger.commit()
        dequeued: set[tuple[int, int]] = set()
        if ctx.queue is not None:
            purged = purge_subject(ctx.queue, person.queue_subject(plan))
            report.redis_keys, dequeued = purged.total, purged.items
        report.corpus_records = _erase_corpus(ctx, db, person)
        report.rows = delete_rows(db, person)
        report.rows["contact_claims"] = _clear_claims(db, tenant_id, person)
        report.rows.update(apply_plan(db, tenant_id=tenant_id, plan=plan, senders=senders,
                                      dequeued=dequeued))
        report.rows["outbounddelivery"] += orphan_deliveries(db, tenant_id, plan.message_refs)
        report.webhook_events = plan.touched
        report.contacts = report.rows.get("contact", 0)
        _scrub_requests(db, tenant_id=tenant_id, contact_ids=set(person.contact_ids))
        if rows:
            added = write_tombstones(db, rows)
            report.tombstones = report.tombstones if ledger_apart else added
        db.commit()
    compact(ctx)
    if ctx.queue is not None:  # what an in-flight turn published meanwhile (replies)
        after: PurgeReport = purge_subject(ctx.queue, person.queue_subject(plan))
        report.redis_keys += after.total
    log.info("erasure tenant=%s request=%s contacts=%d rows=%d events=%d redis=%d corpus=%d "
             "tombstones=%d", tenant_id, request_id, report.contacts, sum(report.rows.values()),
             report.webhook_events, report.redis_keys, report.corpus_records, report.tombstones)
    return report


def compact(ctx: PrivacyContext) -> None:
    """After deleting: SQLite's write-ahead logs (the CRM's, the corpus's) keep no copy of
    the deleted rows (crm.db.checkpoint). PostgreSQL keeps dead rows in its table files
    until VACUUM: the README says how to schedule it."""
    for engine in {id(e): e for e in (ctx.engine, ctx.corpus)}.values():
        if not checkpoint(engine):
            log.warning("erasure could not truncate the write-ahead log (a reader held it); "
                        "it is truncated at the next erasure or checkpoint")


def events_of(db: Session, tenant_id: str, senders: set[tuple[str, str]]) -> set[int]:
    """Events with a ledger row of one of the senders."""
    if not senders:
        return set()
    rows = db.exec(select(InboundKey.event_id, InboundKey.channel, InboundKey.sender_id)
                   .where(InboundKey.tenant_id == tenant_id,
                          col(InboundKey.sender_id).in_(sorted({s for _, s in senders}))))
    return {event for event, channel, sender in rows if (channel, sender) in senders}


def orphan_deliveries(db: Session, tenant_id: str, message_refs: set[str]) -> int:
    """Deliveries of replies that were never stored (no message row), whose wamid / mid
    is one of the person's webhook items (a status of a message to them): a real wamid
    encodes the recipient's number. Queried by those ids only, never by message text."""
    refs = sorted(message_refs)
    removed = 0
    for i in range(0, len(refs), _CHUNK):
        result = db.exec(delete(OutboundDelivery).where(  # type: ignore[call-overload]
            col(OutboundDelivery.tenant_id) == tenant_id,
            col(OutboundDelivery.message_id).is_(None),
            col(OutboundDelivery.external_id).in_(refs[i:i + _CHUNK])))
        removed += result.rowcount or 0
    return removed


def _erase_corpus(ctx: PrivacyContext, db: Session, person: Person) -> int:
    """Corpus records of the contacts (by record and subject keys), and of contact ids
    named that no longer exist (by subject key)."""
    removed = sum(erase_contact(db, cid, settings=ctx.settings, corpus=ctx.corpus)
                  for cid in person.contact_ids)
    gone = sorted(person.named_ids - set(person.contact_ids))
    if gone:
        keys = [k.subject_key(c) for k in all_corpus_keys(ctx.settings) for c in gone]
        if not separate(ctx.settings) and ctx.corpus is db.get_bind():
            removed += delete_records(db, subject_keys=keys)
        else:
            with corpus_session(ctx.corpus) as cdb:
                removed += delete_records(cdb, subject_keys=keys)
    return removed


def delete_rows(db: Session, person: Person) -> dict[str, int]:
    """Delete the person's CRM rows, children first; rows per table."""
    ids = person.contact_ids
    steps: list[tuple[str, Any, Any, Sequence[Any]]] = [
        ("outbounddelivery", OutboundDelivery, OutboundDelivery.message_id, person.message_ids),
        ("message", Message, Message.id, person.message_ids),
        ("corpusintake", CorpusIntake, CorpusIntake.conversation_id, person.conversation_ids),
        ("slothold", SlotHold, SlotHold.appointment_id, person.appointment_ids),
        ("appointment", Appointment, Appointment.id, person.appointment_ids),
        ("leadadintake", LeadAdIntake, LeadAdIntake.id, person.intake_ids),
        ("lead", LeadRow, LeadRow.id, person.lead_ids),
        ("contactconsent", ContactConsent, ContactConsent.contact_id, ids),
        ("contactpreference", ContactPreference, ContactPreference.contact_id, ids),
        ("verificationcode", VerificationCode, VerificationCode.conversation_id,
         person.conversation_ids),
        ("verificationcode", VerificationCode, VerificationCode.target_contact_id, ids),
        ("channelidentity", ChannelIdentity, ChannelIdentity.contact_id, ids),
        ("conversation", Conversation, Conversation.id, person.conversation_ids),
        ("contact", Contact, Contact.id, ids),
    ]
    counts: dict[str, int] = {}
    for table, model, column, values in steps:
        values = list(values)
        removed = 0
        for i in range(0, len(values), _CHUNK):
            result = db.exec(delete(model).where(  # type: ignore[call-overload]
                col(column).in_(values[i:i + _CHUNK])))
            removed += result.rowcount or 0
        counts[table] = counts.get(table, 0) + removed
    db.flush()
    return counts


def _clear_claims(db: Session, tenant_id: str, person: Person) -> int:
    """Other contacts that typed the person's phone or email keep no copy of it."""
    cleared = 0
    for name, values in (("claimed_phone", person.phones), ("claimed_email", person.emails)):
        found = sorted(values)
        column = col(getattr(Contact, name))
        for i in range(0, len(found), _CHUNK):
            result = db.exec(update(Contact).where(  # type: ignore[call-overload]
                col(Contact.tenant_id) == tenant_id, column.in_(found[i:i + _CHUNK]))
                .values({name: None}))
            cleared += result.rowcount or 0
    db.flush()
    return cleared


def _scrub_requests(db: Session, *, tenant_id: str, contact_ids: set[str]) -> int:
    """Clear the locator and values of the business's requests that resolved to them."""
    scrubbed = 0
    if not contact_ids:
        return 0
    for request in db.exec(select(PrivacyRequest).where(PrivacyRequest.tenant_id == tenant_id)):
        if contact_ids & set(request.contact_ids or []):
            request.subject_enc = None
            request.params_enc = None
            request.subject_hint = SCRUBBED
            db.add(request)
            scrubbed += 1
    db.flush()
    return scrubbed


def _in(db: Session, model: type[_Row], column: Any, values: Sequence[Any],
        *where: Any) -> list[_Row]:
    """Rows of `model` whose `column` is one of `values` (in chunks)."""
    found: list[_Row] = []
    values = list(values)
    for i in range(0, len(values), _CHUNK):
        found += list(db.exec(select(model).where(col(column).in_(values[i:i + _CHUNK]),
                                                  *where)))
    return found
