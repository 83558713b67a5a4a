"""Retention: the scheduled job that deletes or anonymizes what each business's policy says
has expired (``TenantPrivacySettings``; defaults in ``TenantPrivacySettingsBase``).

Per business, in this order:

1. **Contacts** whose *last activity* is older than ``lead_retention_days``. Last activity is
   the latest of: the contact row's ``updated_at`` (created, details changed), any of their
   leads' ``updated_at``, the ``last_message_at`` of any of their conversations, and the
   ``end_at`` of any of their appointments (so a future appointment keeps them). Then, by
   ``expired_contact_action``:

   - ``anonymize`` (default): the person goes, the business's statistics stay. Their name,
     phone and email are cleared; their channel identities, conversations (messages,
     deliveries, corpus-intake rows), consents and preferences are deleted; their leads'
     notes and their Lead Ads answers are cleared. Leads (source, stage, seller, UTM
     campaign, dates) and appointments (service, time, status) are kept, attached to the
     now anonymous contact. Corpus records are already anonymized and stay — unless the
     person objected to training (or withdrew consent), then they are removed too. A contact
     with no lead and no appointment has nothing worth keeping: its row is deleted.
   - ``delete``: the whole contact and everything of theirs, as an erasure without
     tombstones (``privacy.erasure.erase_contacts(..., tombstones=False)``: rows, raw webhook
     copies, Redis keys, corpus records). No tombstone, because nobody asked: a restored
     backup is purged by the next retention run, not by ``reapply-erasures``.

   A contact whose processing is restricted (a data-subject request) is kept as is: a
   restriction is often asked precisely so the data is not deleted (a claim pending). Such
   contacts are counted (``contacts_kept_restricted``), not touched, until it is lifted.
2. **Conversations** whose last message is older than ``conversation_retention_days``,
   open or closed: an "open" conversation silent for months is not a live one (the status
   only says nobody closed it; a new message opens a new conversation), and keeping it
   would keep the transcript forever. Their messages, deliveries and corpus-intake rows go
   with them; appointments booked in them lose the link, not the appointment. Those of
   restricted contacts stay.
3. **Raw webhook bodies** (``webhookevent`` and their inbound-ledger rows) older than
   ``raw_event_retention_days``, only once processed or in error: a pending event is never
   deleted (it is the only copy of work not done yet). Events of no business (theirs was
   deleted) follow the default period, in runs over every business.
4. **Lead Ads answers** (the form's fields, copied into the contact and lead at
   registration) older than ``raw_event_retention_days``: cleared, the intake row (ids,
   state) kept.

Before all that, the data-subject requests that are due run (``privacy.requests``: an
erasure queued for a minor after its review period, a failed request's retry), so a nightly
``mostrador retention run`` also catches what a missing ``mostrador privacy process`` cron
left behind.

Every run is audited per business (``retention.run``, counts only; ``dry_run`` too). The
second run finds nothing: anonymized contacts have nothing left to anonymize. A business
whose step fails (Redis down during a deletion) is reported with the error's type and the
run goes on with the others.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, null, or_, update
from sqlmodel import Session, col, select

from crm.models import (
    Appointment,
    ChannelIdentity,
    Contact,
    ContactConsent,
    ContactPreference,
    Conversation,
    CorpusIntake,
    ExpiredContactAction,
    InboundKey,
    Lead,
    LeadAdIntake,
    Message,
    OutboundDelivery,
    PrivacyRequest,
    RequestStatus,
    Tenant,
    TenantPrivacySettingsBase,
    WebhookEvent,
    WebhookStatus,
)
from crm.services.audit import record_event
from crm.services.privacy import privacy_settings
from privacy.context import PrivacyContext
from privacy.erasure import compact, erase_contacts
from privacy.requests import MAX_ATTEMPTS, Initiator, process_due, run_request
from training_data import erase_contact

log = logging.getLogger("mostrador.privacy.retention")

_CHUNK = 200


@dataclass
class BusinessRetention:
    """What one run did (or, dry, would do) in one business: counts only."""

    tenant_id: str | None  # None: webhook events of no business
    slug: str
    contacts_anonymized: int = 0
    contacts_deleted: int = 0
    contacts_kept_restricted: int = 0
    conversations_deleted: int = 0
    messages_deleted: int = 0
    webhook_events_deleted: int = 0
    lead_ad_answers_cleared: int = 0
    error: str | None = None  # the exception's type when this business's run failed

    def counts(self) -> dict[str, int]:
        return {k: v for k, v in asdict(self).items() if isinstance(v, int)}

    @property
    def total(self) -> int:
        return sum(v for k, v in self.counts().items() if k != "contacts_kept_restricted")


@dataclass
class RetentionReport:
    dry_run: bool
    run_id: str
    businesses: list[BusinessRetention] = field(default_factory=list)
    # Data-subject requests run because they were due (dry run: how many are due).
    privacy_requests: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "run_id": self.run_id,
                "privacy_requests": self.privacy_requests,
                "businesses": [{"tenant": b.slug, **b.counts(),
                                **({"error": b.error} if b.error else {})}
                               for b in self.businesses
                               if b.tenant_id is not None or b.total]}

    @property
    def failed(self) -> bool:
        return any(b.error for b in self.businesses)


def run_retention(ctx: PrivacyContext, *, tenant_id: str | None = None, dry_run: bool = False,
                  actor_kind: str = "system", actor_id: str | None = "retention",
                  source: str | None = None, now: datetime | None = None,
                  requests: bool = True) -> RetentionReport:
    """Run the due data-subject requests (unless ``requests`` is False), then apply every
    business's retention policy (or one business's); returns the counts.

    With ``dry_run`` nothing changes (the audit event is still written, marked dry; the
    due requests are counted, not run). Each business commits on its own, in chunks: an
    interrupted run leaves consistent rows and the next run finishes the work.
    """
    now = now or ctx.clock()
    report = RetentionReport(dry_run=dry_run, run_id=uuid.uuid4().hex)
    if requests:
        report.privacy_requests = run_due_requests(
            ctx, tenant_id=tenant_id, dry_run=dry_run, now=now,
            by=Initiator(actor_kind, actor_id, source))
    with Session(ctx.engine) as db:
        query = select(Tenant.id, Tenant.slug).order_by(col(Tenant.slug))
        if tenant_id is not None:
            query = query.where(Tenant.id == tenant_id)
        tenants = list(db.exec(query))
    for tid, slug in tenants:
        try:
            business = _business(ctx, tid, slug, now=now, dry_run=dry_run,
                                 run_id=report.run_id)
        except Exception as exc:  # one business's failure must not stop the others
            log.error("retention failed business=%s error=%s", slug, type(exc).__name__)
            business = BusinessRetention(tenant_id=tid, slug=slug, error=type(exc).__name__)
        report.businesses.append(business)
    if tenant_id is None:
        report.businesses.append(_orphan_events(ctx, now=now, dry_run=dry_run))
    with Session(ctx.engine) as db:
        for business in report.businesses:
            if business.tenant_id is None and not business.total:
                continue  # nothing of no business: no platform event for it
            record_event(db, action="retention.run", actor_kind=actor_kind, actor_id=actor_id,
                         tenant_id=business.tenant_id, resource_type="retention",
                         resource_ids=[report.run_id],
                         details={"dry_run": dry_run, **business.counts(),
                                  **({"error": business.error} if business.error else {})},
                         source=source)
        db.commit()
    if not dry_run:
        compact(ctx)  # no copy of what was deleted stays in a write-ahead log
    for b in report.businesses:
        log.info("retention business=%s dry_run=%s %s", b.slug, dry_run,
                 " ".join(f"{k}={v}" for k, v in b.counts().items()))
    return report


def run_due_requests(ctx: PrivacyContext, *, tenant_id: str | None = None,
                     dry_run: bool = False, now: datetime | None = None,
                     by: Initiator | None = None) -> int:
    """Run the data-subject requests whose due_at has passed (of one business, or all);
    returns how many (dry: how many are due)."""
    now = now or ctx.clock()
    by = by or Initiator("system", "retention")
    if tenant_id is None and not dry_run:
        return process_due(ctx, now=now, by=by)
    with Session(ctx.engine) as db:  # the same selection as process_due, for one business
        query = select(PrivacyRequest.id).where(
            col(PrivacyRequest.due_at) <= now,
            (col(PrivacyRequest.status) == RequestStatus.pending)
            | ((col(PrivacyRequest.status) == RequestStatus.failed)
               & (col(PrivacyRequest.attempts) < MAX_ATTEMPTS)))
        if tenant_id is not None:
            query = query.where(PrivacyRequest.tenant_id == tenant_id)
        due = list(db.exec(query.order_by(col(PrivacyRequest.due_at))))
    if not dry_run:
        for request_id in due:
            run_request(ctx, request_id, by=by, now=now)
    return len(due)


def _business(ctx: PrivacyContext, tenant_id: str, slug: str, *, now: datetime,
              dry_run: bool, run_id: str) -> BusinessRetention:
    out = BusinessRetention(tenant_id=tenant_id, slug=slug)
    with Session(ctx.engine) as db:
        policy = privacy_settings(db, tenant_id=tenant_id)
    expired, restricted = expired_contacts(ctx, tenant_id, policy=policy, now=now)
    out.contacts_kept_restricted = len(restricted)
    if policy.expired_contact_action == ExpiredContactAction.delete:
        out.contacts_deleted = len(expired)
        if not dry_run:
            for i in range(0, len(expired), _CHUNK):
                # Inactive for the whole retention period: no turn of theirs is in flight,
                # so their queue shards need not be held (a chunk would pause them all).
                erase_contacts(ctx, tenant_id=tenant_id, contact_ids=expired[i:i + _CHUNK],
                               request_id=run_id, tombstones=False, hold=False)
    else:
        out.contacts_anonymized = len(expired)
        if not dry_run:
            for i in range(0, len(expired), _CHUNK):
                _anonymize(ctx, tenant_id, expired[i:i + _CHUNK])
    skip = set(expired) if dry_run else set()  # dry: what the contacts step would take
    out.conversations_deleted, out.messages_deleted = _expire_conversations(
        ctx, tenant_id, cutoff=now - timedelta(days=policy.conversation_retention_days),
        dry_run=dry_run, skip_contacts=skip)
    raw_cutoff = now - timedelta(days=policy.raw_event_retention_days)
    out.webhook_events_deleted = _expire_events(ctx, tenant_id, cutoff=raw_cutoff,
                                                dry_run=dry_run)
    out.lead_ad_answers_cleared = _expire_answers(ctx, tenant_id, cutoff=raw_cutoff,
                                                  dry_run=dry_run, skip_contacts=skip)
    return out


def _orphan_events(ctx: PrivacyContext, *, now: datetime, dry_run: bool) -> BusinessRetention:
    out = BusinessRetention(tenant_id=None, slug="-")
    days = TenantPrivacySettingsBase().raw_event_retention_days
    out.webhook_events_deleted = _expire_events(ctx, None, cutoff=now - timedelta(days=days),
                                                dry_run=dry_run)
    return out


# --- contacts ----------------------------------------------------------------------------

def last_activity(db: Session, contact_ids: Sequence[str]) -> dict[str, datetime]:
    """Each contact's last activity (see the module docstring)."""
    latest: dict[str, datetime] = {}

    def bump(rows: Any) -> None:
        for contact_id, at in rows:
            if at is not None and (contact_id not in latest or at > latest[contact_id]):
                latest[contact_id] = at

    ids = list(contact_ids)
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i:i + _CHUNK]
        bump(db.exec(select(Contact.id, Contact.updated_at).where(col(Contact.id).in_(chunk))))
        for model, column in ((Lead, Lead.updated_at),
                              (Conversation, Conversation.last_message_at),
                              (Appointment, Appointment.end_at)):
            bump(db.exec(select(model.contact_id, func.max(column))
                         .where(col(model.contact_id).in_(chunk))
                         .group_by(model.contact_id)))
    return latest


def expired_contacts(ctx: PrivacyContext, tenant_id: str, *,
                     policy: TenantPrivacySettingsBase,
                     now: datetime) -> tuple[list[str], list[str]]:
    """(contacts to anonymize or delete, expired contacts kept because restricted)."""
    cutoff = now - timedelta(days=policy.lead_retention_days)
    with Session(ctx.engine) as db:
        # Last activity is at least updated_at: only contacts untouched since the cutoff
        # can have expired.
        old = list(db.exec(select(Contact.id).where(Contact.tenant_id == tenant_id,
                                                    col(Contact.updated_at) < cutoff)
                           .order_by(col(Contact.id))))
        activity = last_activity(db, old)
        candidates = [c for c in old if activity.get(c, now) < cutoff]
        restricted = _restricted(db, candidates)
        pending = [c for c in candidates if c not in restricted]
        if policy.expired_contact_action == ExpiredContactAction.anonymize:
            pending = _with_personal_data(db, pending)
    return pending, sorted(restricted & set(candidates))


def _restricted(db: Session, contact_ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(contact_ids), _CHUNK):
        found |= set(db.exec(select(ContactPreference.contact_id).where(
            col(ContactPreference.contact_id).in_(contact_ids[i:i + _CHUNK]),
            col(ContactPreference.processing_restricted).is_(True))))
    return found


def _with_personal_data(db: Session, contact_ids: Sequence[str]) -> list[str]:
    """Those not anonymized yet: anything personal left (an anonymized contact has no name,
    phone, email, identity, conversation, consent, preference, lead note or form answers)."""
    left: set[str] = set()
    for i in range(0, len(contact_ids), _CHUNK):
        chunk = list(contact_ids[i:i + _CHUNK])
        left |= set(db.exec(select(Contact.id).where(col(Contact.id).in_(chunk), or_(
            col(Contact.name).is_not(None), col(Contact.phone).is_not(None),
            col(Contact.email).is_not(None)))))
        for model in (ChannelIdentity, Conversation, ContactConsent, ContactPreference):
            left |= set(db.exec(select(model.contact_id).where(
                col(model.contact_id).in_(chunk))))
        left |= set(db.exec(select(Lead.contact_id).where(col(Lead.contact_id).in_(chunk),
                                                          col(Lead.notes).is_not(None))))
        answered = db.exec(select(Lead.contact_id, LeadAdIntake.answers)
                           .join(LeadAdIntake, col(LeadAdIntake.lead_id) == Lead.id)
                           .where(col(Lead.contact_id).in_(chunk)))
        left |= {contact_id for contact_id, answers in answered if answers}
    return [c for c in contact_ids if c in left]


def _anonymize(ctx: PrivacyContext, tenant_id: str, contact_ids: Sequence[str]) -> None:
    ids = list(contact_ids)
    with Session(ctx.engine) as db:
        objected = set(db.exec(select(ContactPreference.contact_id).where(
            col(ContactPreference.contact_id).in_(ids),
            col(ContactPreference.objected_to_training).is_(True))))
        for contact_id in sorted(objected):  # before their conversations go (record keys)
            erase_contact(db, contact_id, settings=ctx.settings, corpus=ctx.corpus)
        conversations = list(db.exec(select(Conversation.id).where(
            col(Conversation.contact_id).in_(ids))))
        _delete_conversations(db, conversations)
        for model in (ContactConsent, ContactPreference, ChannelIdentity):
            db.exec(delete(model).where(col(model.contact_id).in_(ids)))
        lead_ids = list(db.exec(select(Lead.id).where(col(Lead.contact_id).in_(ids))))
        db.exec(update(Lead).where(col(Lead.id).in_(lead_ids)).values(notes=None))
        db.exec(update(LeadAdIntake).where(col(LeadAdIntake.lead_id).in_(lead_ids))
                .values(answers=null()))
        kept = set(db.exec(select(Lead.contact_id).where(col(Lead.contact_id).in_(ids))))
        kept |= set(db.exec(select(Appointment.contact_id).where(
            col(Appointment.contact_id).in_(ids))))
        db.exec(update(Contact).where(col(Contact.id).in_(sorted(kept)))
                .values(name=None, phone=None, email=None))
        db.exec(delete(Contact).where(col(Contact.id).in_(sorted(set(ids) - kept))))
        db.commit()


# --- conversations -----------------------------------------------------------------------

def _delete_conversations(db: Session, conversation_ids: Sequence[str]) -> int:
    """Delete conversations and what hangs on them, children first (flushed); messages."""
    ids = list(conversation_ids)
    messages = 0
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i:i + _CHUNK]
        message_ids = list(db.exec(select(Message.id).where(
            col(Message.conversation_id).in_(chunk))))
        for j in range(0, len(message_ids), _CHUNK):
            db.exec(delete(OutboundDelivery).where(
                col(OutboundDelivery.message_id).in_(message_ids[j:j + _CHUNK])))
        messages += db.exec(delete(Message).where(
            col(Message.conversation_id).in_(chunk))).rowcount or 0
        db.exec(delete(CorpusIntake).where(col(CorpusIntake.conversation_id).in_(chunk)))
        db.exec(update(Appointment).where(col(Appointment.conversation_id).in_(chunk))
                .values(conversation_id=None))
        db.exec(delete(Conversation).where(col(Conversation.id).in_(chunk)))
    db.flush()
    return messages


def _expire_conversations(ctx: PrivacyContext, tenant_id: str, *, cutoff: datetime,
                          dry_run: bool, skip_contacts: set[str]) -> tuple[int, int]:
    with Session(ctx.engine) as db:
        restricted = select(ContactPreference.contact_id).where(
            col(ContactPreference.processing_restricted).is_(True))
        rows = list(db.exec(select(Conversation.id, Conversation.contact_id).where(
            Conversation.tenant_id == tenant_id, col(Conversation.last_message_at) < cutoff,
            col(Conversation.contact_id).not_in(restricted)).order_by(col(Conversation.id))))
        ids = [cid for cid, contact_id in rows if contact_id not in skip_contacts]
        if dry_run:
            messages = 0
            for i in range(0, len(ids), _CHUNK):
                messages += db.exec(select(func.count()).select_from(Message).where(
                    col(Message.conversation_id).in_(ids[i:i + _CHUNK]))).one()
            return len(ids), messages
        messages = 0
        for i in range(0, len(ids), _CHUNK):
            messages += _delete_conversations(db, ids[i:i + _CHUNK])
            db.commit()
        return len(ids), messages


# --- raw copies --------------------------------------------------------------------------

def _expire_events(ctx: PrivacyContext, tenant_id: str | None, *, cutoff: datetime,
                   dry_run: bool) -> int:
    with Session(ctx.engine) as db:
        owner = (WebhookEvent.tenant_id == tenant_id if tenant_id is not None
                 else col(WebhookEvent.tenant_id).is_(None))
        ids = [i for i in db.exec(select(WebhookEvent.id).where(
            owner, col(WebhookEvent.status).in_([WebhookStatus.processed, WebhookStatus.error]),
            col(WebhookEvent.received_at) < cutoff,
            or_(col(WebhookEvent.processed_at).is_(None),
                col(WebhookEvent.processed_at) < cutoff)).order_by(col(WebhookEvent.id)))
            if i is not None]
        if dry_run:
            return len(ids)
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i:i + _CHUNK]
            db.exec(delete(InboundKey).where(col(InboundKey.event_id).in_(chunk)))
            db.exec(delete(WebhookEvent).where(col(WebhookEvent.id).in_(chunk)))
            db.commit()
        return len(ids)


def _expire_answers(ctx: PrivacyContext, tenant_id: str, *, cutoff: datetime, dry_run: bool,
                    skip_contacts: set[str]) -> int:
    with Session(ctx.engine) as db:
        rows = db.exec(select(LeadAdIntake.id, LeadAdIntake.answers, Lead.contact_id)
                       .join(Lead, col(Lead.id) == LeadAdIntake.lead_id, isouter=True)
                       .where(LeadAdIntake.tenant_id == tenant_id,
                              col(LeadAdIntake.answers).is_not(None),
                              col(LeadAdIntake.received_at) < cutoff,
                              or_(col(LeadAdIntake.registered_at).is_(None),
                                  col(LeadAdIntake.registered_at) < cutoff)))
        # A JSON null is not SQL NULL: an already cleared row can still match above.
        ids = sorted(i for i, answers, contact_id in rows
                     if answers and contact_id not in skip_contacts)
        if dry_run:
            return len(ids)
        for i in range(0, len(ids), _CHUNK):
            db.exec(update(LeadAdIntake).where(col(LeadAdIntake.id).in_(ids[i:i + _CHUNK]))
                    .values(answers=null()))
            db.commit()
        return len(ids)
