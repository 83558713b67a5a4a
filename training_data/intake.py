"""Intake: closed conversations of consenting contacts of opted-in businesses → corpus.

``Intake.run()`` is one pass, meant for a scheduler (``mostrador corpus ingest`` from cron,
or the app's optional periodic task); it never runs in a request. A pass:

1. closes conversations idle for the business's ``idle_close_hours`` (default 24 h);
2. applies withdrawals: removes the records of contacts who objected since the last pass
   and of businesses that turned training off;
3. takes every closed conversation with messages the ledger has not seen, and files it as
   ``tenant_opted_out``, ``contact_objected``, ``too_short`` (fewer user turns than the
   business's ``min_user_turns``), ``duplicate`` (a near-identical record exists),
   ``quarantined`` (the residual-PII audit found something: the record is kept without its
   transcript, and counted) or ``ingested``.

A conversation that reopens and closes again is taken again and replaces its record.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from crm.db import reader_engine
from crm.models import (
    Contact,
    ContactPreference,
    Conversation,
    ConversationStatus,
    CorpusIntake,
    CorpusRecord,
    FaqEntry,
    IntakeOutcome,
    RecordStatus,
    Service,
    Tenant,
    TenantTrainingSettings,
    User,
    utcnow,
)
from crm.services.conversations import transcript
from crm.settings import Settings
from redaction import Redactor
from redaction.allow_list import AllowList
from training_data.anonymize import REDACTION_VERSION, anonymize_transcript
from training_data.erasure import delete_records, erase_contact
from training_data.keys import corpus_keys
from training_data.residual import STRICT_SCORE_THRESHOLD, residual_shapes, residual_types
from training_data.store import corpus_engine, corpus_session, separate

log = logging.getLogger("mostrador.corpus")

DEFAULT_IDLE_HOURS = 24.0
_REDACTOR_CACHE = 256


@dataclass
class IntakeReport:
    closed: int = 0
    withdrawn: int = 0  # records removed after an objection or a business opting out
    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: IntakeOutcome) -> None:
        self.outcomes[outcome.value] = self.outcomes.get(outcome.value, 0) + 1

    @property
    def seen(self) -> int:
        return sum(self.outcomes.values())


class Intake:
    """One per process: it holds the analyzers (building one takes a moment)."""

    def __init__(self, settings: Settings, engine: Engine, *,
                 corpus: Engine | None = None, redactor: Redactor | None = None,
                 strict: Redactor | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.settings = settings
        self.engine = engine
        self.corpus = corpus if corpus is not None else corpus_engine(settings, engine)
        self.shared = not separate(settings) and self.corpus is engine
        self.keys = corpus_keys(settings)
        self._base = redactor or Redactor()
        self._strict_base = strict or Redactor(score_threshold=STRICT_SCORE_THRESHOLD)
        # Analyzers restricted to some countries, built when a business asks for them.
        self._by_countries: dict[tuple[str, ...], tuple[Redactor, Redactor]] = {}
        self._redactors: dict[str, tuple[Redactor, Redactor]] = {}
        self.clock = clock

    # -- one pass ---------------------------------------------------------------------
    def run(self, *, idle_seconds: float | None = None) -> IntakeReport:
        report = IntakeReport()
        now = self.clock()
        report.closed = self.close_idle(now, idle_seconds)
        report.withdrawn = self.apply_withdrawals(now)
        for conversation_id in self.candidates():
            report.count(self.ingest(conversation_id, now))
        log.info("corpus intake: closed=%d withdrawn=%d outcomes=%s", report.closed,
                 report.withdrawn, report.outcomes)
        return report

    def close_idle(self, now: datetime, idle_seconds: float | None = None) -> int:
        """Close open conversations idle for the business's setting (or ``idle_seconds``)."""
        closed = 0
        with Session(self.engine) as db:
            hours = dict(db.exec(select(TenantTrainingSettings.tenant_id,
                                        TenantTrainingSettings.idle_close_hours)).all())
            for tenant_id in db.exec(select(Tenant.id)).all():
                idle = (idle_seconds if idle_seconds is not None
                        else hours.get(tenant_id, DEFAULT_IDLE_HOURS) * 3600)
                result = db.exec(  # type: ignore[call-overload]
                    update(Conversation)
                    .where(col(Conversation.tenant_id) == tenant_id,
                           col(Conversation.status) == ConversationStatus.abierta,
                           col(Conversation.last_message_at) <= now - timedelta(seconds=idle))
                    .values(status=ConversationStatus.cerrada, closed_at=now))
                closed += result.rowcount or 0
            db.commit()
        return closed

    def apply_withdrawals(self, now: datetime) -> int:
        """Remove the records of new objectors and of businesses with training off."""
        removed = 0
        with Session(self.engine, expire_on_commit=False) as db:
            pending = db.exec(select(ContactPreference).where(
                col(ContactPreference.objected_to_training).is_(True),
                col(ContactPreference.applied_at).is_(None))).all()
            for pref in pending:
                removed += erase_contact(db, pref.contact_id, settings=self.settings,
                                         corpus=self.corpus)
                pref.applied_at = now
                db.add(pref)
            enabled = set(db.exec(select(TenantTrainingSettings.tenant_id).where(
                col(TenantTrainingSettings.training_enabled).is_(True))).all())
            off = [self.keys.tenant_key(t) for t in db.exec(select(Tenant.id)).all()
                   if t not in enabled]
            if off:
                if self.shared:
                    removed += delete_records(db, tenant_keys=off)
                else:
                    with corpus_session(self.corpus) as cdb:
                        removed += delete_records(cdb, tenant_keys=off)
            db.commit()
        return removed

    def candidates(self) -> list[str]:
        """Closed conversations with messages the ledger has not seen."""
        with Session(reader_engine(self.engine)) as db:
            query = (select(Conversation.id)
                     .join(CorpusIntake, col(CorpusIntake.conversation_id) == Conversation.id,
                           isouter=True)
                     .where(col(Conversation.status) == ConversationStatus.cerrada,
                            col(CorpusIntake.conversation_id).is_(None)
                            | (col(CorpusIntake.last_message_at)
                               < col(Conversation.last_message_at)))
                     .order_by(col(Conversation.last_message_at)))
            return list(db.exec(query).all())

    # -- one conversation -----------------------------------------------------------------
    def ingest(self, conversation_id: str, now: datetime | None = None) -> IntakeOutcome:
        """File one closed conversation (see the module docstring); commits."""
        now = now or self.clock()
        # Read and redact outside any write transaction (SQLite has one writer at a time).
        with Session(reader_engine(self.engine), expire_on_commit=False) as rdb:
            conversation = rdb.get(Conversation, conversation_id)
            assert conversation is not None
            record_key = self.keys.record_key(conversation.tenant_id, conversation.id)
            outcome, record = self._decide(rdb, conversation, record_key, now)
        with Session(self.engine, expire_on_commit=False) as db:
            if self.shared:
                self._store(db, record_key, record)
            else:
                with corpus_session(self.corpus) as cdb:
                    self._store(cdb, record_key, record)
            ledger = db.get(CorpusIntake, conversation.id) or CorpusIntake(
                conversation_id=conversation.id, tenant_id=conversation.tenant_id,
                outcome=outcome, last_message_at=conversation.last_message_at)
            ledger.outcome = outcome
            ledger.last_message_at = conversation.last_message_at
            ledger.processed_at = now
            db.add(ledger)
            db.commit()
        return outcome

    def _decide(self, db: Session, conversation: Conversation, record_key: str,
                now: datetime) -> tuple[IntakeOutcome, CorpusRecord | None]:
        tenant = db.get(Tenant, conversation.tenant_id)
        contact = db.get(Contact, conversation.contact_id)
        assert tenant is not None and contact is not None
        config = db.exec(select(TenantTrainingSettings)
                         .where(TenantTrainingSettings.tenant_id == tenant.id)).first()
        if config is None or not config.training_enabled:
            return IntakeOutcome.tenant_opted_out, None
        pref = db.get(ContactPreference, contact.id)
        if pref is not None and pref.objected_to_training:
            return IntakeOutcome.contact_objected, None
        rows = transcript(db, conversation_id=conversation.id)
        if sum(r.role == "user" for r in rows) < config.min_user_turns:
            return IntakeOutcome.too_short, None
        known = {k: v for k, v in (("PERSON", contact.name), ("PHONE_NUMBER", contact.phone),
                                   ("EMAIL_ADDRESS", contact.email)) if v}
        redactor, strict = self._redactors_for(db, tenant, config.redaction_countries)
        style = config.redaction_style
        anon = anonymize_transcript(redactor, rows, style=style, known_values=known,
                                    needs_human=conversation.needs_human)
        found = residual_types(strict, anon.messages, issued=anon.issued, known_values=known,
                               language=anon.language)
        found += residual_shapes(anon.messages, issued=anon.issued, known_values=known,
                                 allow_list=redactor.allow_list)
        record = CorpusRecord(
            record_key=record_key, subject_key=self.keys.subject_key(contact.id),
            tenant_key=self.keys.tenant_key(tenant.id), tenant_category=config.category,
            channel=conversation.channel.value, language=anon.language,
            outcome=anon.outcomes.main, lead_created=anon.outcomes.lead_created,
            appointment_booked=anon.outcomes.appointment_booked,
            handed_off=anon.outcomes.handed_off, user_turns=anon.user_turns,
            message_count=len(anon.messages),
            conversation_date=conversation.created_at.date(),
            fingerprint=anon.fingerprint, redaction_style=style,
            redaction_version=REDACTION_VERSION, messages=anon.messages,
            ingested_on=now.date(),
        )
        if found:
            log.warning("corpus intake: quarantined a record, residual types=%s", found)
            record.status = RecordStatus.quarantined
            record.messages = []
            record.residual_types = found
            return IntakeOutcome.quarantined, record
        if self._is_duplicate(db, record):
            return IntakeOutcome.duplicate, None
        return IntakeOutcome.ingested, record

    def _is_duplicate(self, db: Session, record: CorpusRecord) -> bool:
        def query(session: Session) -> bool:
            return session.exec(select(CorpusRecord.record_key).where(
                CorpusRecord.fingerprint == record.fingerprint,
                CorpusRecord.record_key != record.record_key,
                CorpusRecord.status == RecordStatus.ok).limit(1)).first() is not None

        if self.shared:
            return query(db)
        with Session(self.corpus) as cdb:
            return query(cdb)

    @staticmethod
    def _store(session: Session, record_key: str, record: CorpusRecord | None) -> None:
        """Put ``record`` in place of any earlier version; None removes the earlier one."""
        session.exec(delete(CorpusRecord).where(  # type: ignore[call-overload]
            col(CorpusRecord.record_key) == record_key))
        if record is not None:
            session.add(record)
        session.flush()

    def _redactors_for(self, db: Session, tenant: Tenant,
                       countries: list[str]) -> tuple[Redactor, Redactor]:
        """The shared analyzers (of the business's countries, when it chose some) with its
        allow-list (its own name, address, phone, email, service names, staff and FAQ)."""
        found = self._redactors.get(tenant.id)
        if found is not None and (found[0].countries or []) == sorted(
                {c.upper() for c in countries}):
            return found
        base, strict_base = self._base, self._strict_base
        if countries:
            key = tuple(sorted({c.upper() for c in countries}))
            if key not in self._by_countries:
                self._by_countries[key] = (
                    Redactor(countries=key),
                    Redactor(countries=key, score_threshold=STRICT_SCORE_THRESHOLD))
            base, strict_base = self._by_countries[key]
        entries = [tenant.name, tenant.address or "", tenant.phone or "", tenant.email or ""]
        entries += list(db.exec(select(Service.name).where(Service.tenant_id == tenant.id)))
        entries += list(db.exec(select(User.name).where(User.tenant_id == tenant.id)))
        for faq in db.exec(select(FaqEntry).where(FaqEntry.tenant_id == tenant.id)):
            entries += [faq.question, faq.answer]
        pair = (copy.copy(base), copy.copy(strict_base))
        for redactor in pair:
            # A shallow copy shares the analyzer; only the allow-list differs per business.
            redactor.allow_list = AllowList(entries)
        if len(self._redactors) >= _REDACTOR_CACHE:
            self._redactors.clear()
        self._redactors[tenant.id] = pair
        return pair
