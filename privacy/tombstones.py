"""The erasure ledger: tombstones, and erasing again after a backup restore.

A tombstone proves one erased identifier without holding it: ``(tenant_id, kind, key,
request_id, erased_on)`` where ``key`` is the keyed hash (HMAC-SHA256, key derived from
``MOSTRADOR_SECRET_KEY``: ``crm.services.privacy.tombstone_keys``) of the normalized value —
a phone in E.164, a lower-cased email, a channel identity "channel:external_id", a contact
id — or, for kind ``corpus_subject``, the corpus's own subject key of the contact (already a
keyed hash: it is what corpus records are keyed by). No name, no count of anything.

Every tombstone is written twice: to the CRM database and to the ledger
(``MOSTRADOR_ERASURE_LEDGER_URL``), a database kept out of the CRM's backups. Restoring a CRM
backup taken before an erasure brings the person back; the ledger still knows them, so
``reapply_erasures`` finds every contact (and every raw webhook sender and Lead Ads answer
with no contact) whose identifiers hash to a tombstone, under the current and every previous
secret key, and erases it again, and removes corpus records by their subject keys.

Contacts created after the erasure day are left alone: a person who wrote again after being
erased is a new collection of data, not a restored one. (The date is a day: a person who
came back the very day of their erasure is erased again by a re-application.)
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from crm.db import reader_engine
from crm.errors import CrmError
from crm.models import (
    ChannelIdentity,
    Contact,
    ErasureTombstone,
    InboundKey,
    LeadAdIntake,
    Tenant,
    TombstoneKind,
)
from crm.services.audit import record_event
from crm.services.normalize import normalize_phone, region_of
from crm.services.privacy import TombstoneKeys, tombstone_keys
from crm.settings import Settings
from privacy.context import PrivacyContext
from privacy.raw_events import answer_identifiers
from training_data.erasure import delete_records
from training_data.keys import all_corpus_keys
from training_data.store import corpus_session

log = logging.getLogger("mostrador.privacy.tombstones")

REAPPLY_REQUEST = "reapply"
_BATCH = 1000


def make_tombstones(settings: Settings, *, tenant_id: str,
                    values: Iterable[tuple[TombstoneKind, str]], contact_ids: Iterable[str],
                    request_id: str, on: date) -> list[ErasureTombstone]:
    """Tombstones of normalized identifiers, plus the corpus subject keys of the contacts
    (under every secret key: records keyed before a key change are found too)."""
    primary = tombstone_keys(settings)[0]
    keys = {(kind, primary.of(tenant_id, kind, value)) for kind, value in values}
    keys |= {(TombstoneKind.corpus_subject, k.subject_key(c))
             for k in all_corpus_keys(settings) for c in contact_ids}
    return [ErasureTombstone(tenant_id=tenant_id, kind=kind, key=key, request_id=request_id,
                             erased_on=on) for kind, key in sorted(keys)]


def write_tombstones(db: Session, rows: Sequence[ErasureTombstone]) -> int:
    """Add the tombstones this database does not have yet; how many (flushed)."""
    have: set[tuple[str, str, str]] = set()
    keys = sorted({r.key for r in rows})
    for i in range(0, len(keys), _BATCH):
        have |= {(t, str(k), key) for t, k, key in db.exec(
            select(ErasureTombstone.tenant_id, ErasureTombstone.kind, ErasureTombstone.key)
            .where(col(ErasureTombstone.key).in_(keys[i:i + _BATCH])))}
    added = 0
    for row in rows:
        mark = (row.tenant_id, str(row.kind), row.key)
        if mark in have:
            continue
        have.add(mark)
        db.add(ErasureTombstone(tenant_id=row.tenant_id, kind=row.kind, key=row.key,
                                request_id=row.request_id, erased_on=row.erased_on))
        added += 1
    db.flush()
    return added


def same_database(a: Engine, b: Engine) -> bool:
    return a is b or a.url.render_as_string(hide_password=False) == \
        b.url.render_as_string(hide_password=False)


def read_tombstones(engine: Engine, tenant_id: str | None = None) -> list[ErasureTombstone]:
    with Session(reader_engine(engine), expire_on_commit=False) as db:
        query = select(ErasureTombstone)
        if tenant_id is not None:
            query = query.where(ErasureTombstone.tenant_id == tenant_id)
        return list(db.exec(query.order_by(col(ErasureTombstone.id))))


@dataclass
class ReapplyReport:
    tombstones: int = 0       # tombstones known (ledger and CRM database together)
    contacts_erased: int = 0
    corpus_records: int = 0
    copied_to_crm: int = 0    # ledger tombstones the restored CRM database lacked
    copied_to_ledger: int = 0
    identifiers_erased: int = 0  # raw senders / form answers with no contact, erased again

    def as_dict(self) -> dict[str, int]:
        return {"tombstones": self.tombstones, "contacts_erased": self.contacts_erased,
                "corpus_records": self.corpus_records, "copied_to_crm": self.copied_to_crm,
                "copied_to_ledger": self.copied_to_ledger,
                "identifiers_erased": self.identifiers_erased}


def reapply_erasures(ctx: PrivacyContext, *, tenant_id: str | None = None,
                     actor_kind: str = "cli", actor_id: str | None = None) -> ReapplyReport:
    """Erase again everything a tombstone names (run it after restoring a CRM backup).

    Syncs the two copies of the tombstones (the ledger's into the CRM database and back),
    then, per business, erases the matching contacts (without new tombstones), the raw
    webhook senders and Lead Ads answers that match with no contact, the corpus records of
    every ``corpus_subject`` tombstone, and the queue state in Redis when configured.
    Audited per business (counts only). Idempotent: a second run erases nothing.
    """
    from privacy.erasure import erase_contacts  # the erasure writes tombstones through here

    report = ReapplyReport()
    ledger_rows = read_tombstones(ctx.ledger, tenant_id)
    separate = not same_database(ctx.ledger, ctx.engine)
    crm_rows = read_tombstones(ctx.engine, tenant_id) if separate else ledger_rows
    if separate:
        with Session(ctx.engine) as db:
            report.copied_to_crm = write_tombstones(db, ledger_rows)
            db.commit()
        with Session(ctx.ledger) as ledger:
            report.copied_to_ledger = write_tombstones(ledger, crm_rows)
            ledger.commit()
    by_tenant: dict[str, dict[str, date]] = {}
    for row in (*ledger_rows, *crm_rows):
        known = by_tenant.setdefault(row.tenant_id, {})
        known[row.key] = min(row.erased_on, known.get(row.key, row.erased_on))
    report.tombstones = sum(len(keys) for keys in by_tenant.values())
    corpus_keys = {r.key for r in (*ledger_rows, *crm_rows)
                   if r.kind == TombstoneKind.corpus_subject}
    keysets = tombstone_keys(ctx.settings)
    for tenant, known in sorted(by_tenant.items()):
        with Session(reader_engine(ctx.engine)) as db:
            business = db.get(Tenant, tenant)
            region = region_of(business.locale) if business is not None else "AR"
            contacts = _matching_contacts(db, tenant, known, keysets) if business else []
            identifiers = _matching_raw(db, tenant, known, keysets, region) if business else []
            db.rollback()
        erased = 0
        if contacts or identifiers:
            result = erase_contacts(ctx, tenant_id=tenant, contact_ids=contacts,
                                    request_id=REAPPLY_REQUEST, tombstones=False,
                                    identifiers=identifiers)
            erased = result.contacts
            report.corpus_records += result.corpus_records
        report.contacts_erased += erased
        report.identifiers_erased += len(identifiers)
        if business is not None:
            with Session(ctx.engine) as db:
                record_event(db, action="privacy.reapply_erasures", actor_kind=actor_kind,
                             actor_id=actor_id, tenant_id=tenant,
                             resource_type="erasure_tombstone",
                             details={"tombstones": len(known), "contacts_erased": erased,
                                      "identifiers_erased": len(identifiers)},
                             source="cli" if actor_kind == "cli" else None)
                db.commit()
    if corpus_keys:
        with corpus_session(ctx.corpus) as cdb:
            report.corpus_records += delete_records(cdb, subject_keys=sorted(corpus_keys))
    log.info("erasures reapplied tombstones=%d contacts=%d identifiers=%d corpus=%d",
             report.tombstones, report.contacts_erased, report.identifiers_erased,
             report.corpus_records)
    return report


def _erased_before(known: dict[str, date], keys: Iterable[str], created: datetime) -> bool:
    """Whether one of the keys is tombstoned on or after the day the row was created."""
    days = [known[k] for k in keys if k in known]
    return bool(days) and created.date() <= max(days)


def _matching_contacts(db: Session, tenant_id: str, known: dict[str, date],
                       keysets: list[TombstoneKeys]) -> list[str]:
    identities: dict[str, list[str]] = {}
    for contact_id, channel, external_id in db.exec(
            select(ChannelIdentity.contact_id, ChannelIdentity.channel,
                   ChannelIdentity.external_id).where(ChannelIdentity.tenant_id == tenant_id)):
        identities.setdefault(contact_id, []).append(f"{channel}:{external_id}")
    found = []
    for contact in db.exec(select(Contact).where(Contact.tenant_id == tenant_id)
                           .execution_options(yield_per=_BATCH)):
        values = [(TombstoneKind.contact, contact.id)]
        values += [(TombstoneKind.phone, contact.phone)] if contact.phone else []
        values += [(TombstoneKind.email, contact.email)] if contact.email else []
        values += [(TombstoneKind.identity, i) for i in identities.get(contact.id, [])]
        keys = [k.of(tenant_id, kind, value) for k in keysets for kind, value in values]
        if _erased_before(known, keys, contact.created_at):
            found.append(contact.id)
    return found


def _matching_raw(db: Session, tenant_id: str, known: dict[str, date],
                  keysets: list[TombstoneKeys], region: str
                  ) -> list[tuple[TombstoneKind, str]]:
    """Identifiers in raw copies with no contact (webhook senders, form answers) that a
    tombstone names: what the erasure of a phone no contact had removed."""
    found: set[tuple[TombstoneKind, str]] = set()

    def named(values: list[tuple[TombstoneKind, str]], created: datetime) -> bool:
        keys = [k.of(tenant_id, kind, value) for k in keysets for kind, value in values]
        return _erased_before(known, keys, created)

    for channel, sender, created in db.exec(
            select(InboundKey.channel, InboundKey.sender_id, InboundKey.created_at)
            .where(InboundKey.tenant_id == tenant_id, col(InboundKey.sender_id).is_not(None))):
        values = [(TombstoneKind.identity, f"{channel}:{sender}")]
        if channel == "whatsapp" and sender:
            try:
                values.append((TombstoneKind.phone, normalize_phone(sender, region=region)))
            except CrmError:  # not a number: the identity alone
                pass
        if named(values, created):
            found.update(values)
    for answers, received in db.exec(select(LeadAdIntake.answers, LeadAdIntake.received_at)
                                     .where(LeadAdIntake.tenant_id == tenant_id)):
        values = [(TombstoneKind(kind), value)
                  for kind, value in answer_identifiers(answers, region)]
        if values and named(values, received):
            found.update(values)
    return sorted(found)
